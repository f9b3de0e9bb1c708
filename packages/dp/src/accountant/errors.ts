/**
 * Validation for the privacy accountant. Every message names the offending parameter,
 * the value received and what to change.
 */

/** Thrown for invalid accountant inputs; `parameter` names the argument at fault. */
export class PrivacyParameterError extends RangeError {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'PrivacyParameterError';
    this.parameter = parameter;
  }
}

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

/** epsilon must be a finite number > 0. */
export function validateEpsilon(epsilon: number, name = 'epsilon'): void {
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) {
    throw new PrivacyParameterError(
      name,
      `${name} must be a finite number > 0 (got ${show(epsilon)}); pass a positive privacy budget such as ${name} = 1`,
    );
  }
}

/** delta must lie in (0, 1). */
export function validateDelta(delta: number, name = 'delta'): void {
  if (typeof delta !== 'number' || !Number.isFinite(delta) || delta <= 0) {
    throw new PrivacyParameterError(
      name,
      `${name} must be > 0 (got ${show(delta)}); use a small positive value such as ${name} = 1e-5 (typically < 1/n)`,
    );
  }
  if (delta >= 1) {
    throw new PrivacyParameterError(
      name,
      `${name} must be < 1 (got ${show(delta)}); a delta of 1 or more gives no guarantee, use e.g. ${name} = 1e-5`,
    );
  }
}

/** Sampling rate q must lie in (0, 1]. */
export function validateSampleRate(q: number, name = 'sampleRate'): void {
  if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0 || q > 1) {
    throw new PrivacyParameterError(
      name,
      `${name} must be in (0, 1] (got ${show(q)}); set it to batchSize / datasetSize (1 for full-batch)`,
    );
  }
}

/** Sampling rate q in [0, 1] (0 allowed: no privacy cost). */
export function validateSampleRateInclusive(q: number, name = 'sampleRate'): void {
  if (typeof q !== 'number' || !Number.isFinite(q) || q < 0 || q > 1) {
    throw new PrivacyParameterError(
      name,
      `${name} must be in [0, 1] (got ${show(q)}); set it to batchSize / datasetSize`,
    );
  }
}

/** steps must be a positive integer. */
export function validateSteps(steps: number, name = 'steps'): void {
  if (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps <= 0) {
    throw new PrivacyParameterError(
      name,
      `${name} must be a positive integer (got ${show(steps)}); use e.g. Math.ceil(epochs * datasetSize / batchSize)`,
    );
  }
}

/** A count that may be zero (e.g. composing a mechanism zero times). */
export function validateCount(count: number, name = 'count'): void {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new PrivacyParameterError(
      name,
      `${name} must be a non-negative integer (got ${show(count)}); pass how many times the mechanism ran`,
    );
  }
}

/** A positive finite scale such as sigma, the noise multiplier or mu. */
export function validatePositive(value: number, name: string, hint = ''): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PrivacyParameterError(
      name,
      `${name} must be a finite number > 0 (got ${show(value)})${hint ? `; ${hint}` : ''}`,
    );
  }
}

/** A non-negative finite value such as a sensitivity or rho. */
export function validateNonNegative(value: number, name: string, hint = ''): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new PrivacyParameterError(
      name,
      `${name} must be a finite number >= 0 (got ${show(value)})${hint ? `; ${hint}` : ''}`,
    );
  }
}

/** A single Rényi order: finite and > 1. */
export function validateOrder(alpha: number, name = 'order'): void {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 1) {
    throw new PrivacyParameterError(
      name,
      `${name} must be a finite Rényi order > 1 (got ${show(alpha)}); use orders such as 1.5, 2, 4, 8, 32`,
    );
  }
}

/** A non-empty list of Rényi orders, each finite and > 1. */
export function validateOrders(orders: readonly number[], name = 'orders'): void {
  if (!Array.isArray(orders) || orders.length === 0) {
    throw new PrivacyParameterError(
      name,
      `${name} must be a non-empty array of Rényi orders > 1 ` +
        `(got ${Array.isArray(orders) ? '[]' : show(orders)}); omit it to use DEFAULT_ORDERS`,
    );
  }
  orders.forEach((a, i) => {
    if (typeof a !== 'number' || !Number.isFinite(a) || a <= 1) {
      throw new PrivacyParameterError(
        name,
        `${name}[${i}] must be a finite Rényi order > 1 (got ${show(a)}); remove it or use DEFAULT_ORDERS`,
      );
    }
  });
}

/** An RDP vector must be aligned with its orders and hold values >= 0 (Infinity allowed). */
export function validateRdpVector(rdp: readonly number[], orders: readonly number[], name = 'rdp'): void {
  if (!Array.isArray(rdp) || rdp.length !== orders.length) {
    throw new PrivacyParameterError(
      name,
      `${name} must have one entry per order (${orders.length} orders, ` +
        `got ${Array.isArray(rdp) ? rdp.length : show(rdp)}); compute it over the same orders array`,
    );
  }
  rdp.forEach((r, i) => {
    if (typeof r !== 'number' || Number.isNaN(r) || r < 0) {
      throw new PrivacyParameterError(
        name,
        `${name}[${i}] must be a number >= 0 (got ${show(r)}); RDP values are non-negative`,
      );
    }
  });
}
