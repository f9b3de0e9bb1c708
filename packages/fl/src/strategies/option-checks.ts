/** A strategy option out of range; `option` is its name, so a job spec can name the field (strategy.<option>). */
export class StrategyOptionError extends RangeError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'StrategyOptionError';
  }
}

/** A finite number > 0 (learning rates, tau, proximalMu). */
export function requirePositive(option: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new StrategyOptionError(option, `${option} must be finite and > 0, got ${value}`);
  return value;
}

/** A decay rate in [0, 1) (momentum, beta1, beta2). */
export function requireDecay(option: string, value: number): number {
  if (!(value >= 0 && value < 1))
    throw new StrategyOptionError(option, `${option} must be in [0, 1), got ${value}; e.g. 0.9`);
  return value;
}

/** A fraction in (0, 1] (fractionFit). */
export function requireFraction(option: string, value: number): number {
  if (!(value > 0 && value <= 1)) throw new StrategyOptionError(option, `${option} must be in (0, 1], got ${value}`);
  return value;
}

export function requireInteger(option: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min))
    throw new StrategyOptionError(option, `${option} must be an integer >= ${min}, got ${value}`);
  return value;
}
