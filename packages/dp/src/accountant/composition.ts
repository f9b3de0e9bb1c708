/**
 * RdpAccountant: additive composition of RDP curves over a fixed order grid, across steps,
 * rounds and jobs, with a JSON form for durable privacy budgets.
 */
import { DEFAULT_ORDERS, resolveOrders } from './orders.js';
import { epsilonFor, deltaFor, type DeltaResult, type EpsilonResult } from './conversion.js';
import { subsampledGaussianRdp } from './subsampled-gaussian.js';
import { gaussianRdp } from './mechanisms.js';
import {
  PrivacyParameterError,
  validateCount,
  validateDelta,
  validateNonNegative,
  validateRdpVector,
  validateSampleRate,
  validateSteps,
} from './errors.js';

/** JSON form of an accountant. Infinite RDP values are stored as the string "Infinity". */
export interface RdpAccountantJson {
  kind: 'tessera.rdp-accountant';
  version: 1;
  orders: number[];
  rdp: (number | 'Infinity')[];
}

export class RdpAccountant {
  readonly orders: readonly number[];
  private readonly total: number[];

  constructor(orders: readonly number[] = DEFAULT_ORDERS) {
    this.orders = Object.freeze(resolveOrders(orders));
    this.total = this.orders.map(() => 0);
  }

  /** A copy of the accumulated RDP curve, one value per order. */
  get rdp(): number[] {
    return [...this.total];
  }

  /** Add `count` copies of an RDP curve computed over this accountant's orders. */
  compose(rdpVector: readonly number[], count = 1): this {
    validateRdpVector(rdpVector, this.orders, 'rdpVector');
    validateCount(count, 'count');
    if (count === 0) return this;
    // validateRdpVector checked one entry per order, and total has one entry per order too.
    for (let k = 0; k < this.total.length; k++) {
      const r = rdpVector[k]!;
      if (r !== 0) this.total[k]! += count * r;
    }
    return this;
  }

  /** Spend `steps` steps of DP-SGD style Poisson-subsampled Gaussian noise (noise multiplier sigma, rate q). */
  spendSubsampledGaussian(sigma: number, q: number, steps: number): this {
    // A spend with q = 0 is almost certainly a misconfigured job, so it is rejected here
    // (the low-level subsampledGaussianRdp accepts q = 0 and returns 0).
    validateSampleRate(q, 'sampleRate');
    validateSteps(steps, 'steps');
    return this.compose(
      this.orders.map((a) => subsampledGaussianRdp(sigma, q, a)),
      steps,
    );
  }

  /** Spend `count` releases of the Gaussian mechanism with noise std sigma and L2 sensitivity. */
  spendGaussian(sigma: number, sensitivity = 1, count = 1): this {
    return this.compose(
      this.orders.map((a) => gaussianRdp(sigma, a, sensitivity)),
      count,
    );
  }

  /** Spend rho-zCDP (RDP alpha * rho at every order), `count` times. */
  spendZcdp(rho: number, count = 1): this {
    validateNonNegative(rho, 'rho', 'pass the zCDP parameter');
    return this.compose(
      this.orders.map((a) => a * rho),
      count,
    );
  }

  /** Compose another accountant's spend into this one (e.g. another job on the same data). Orders must match. */
  composeAccountant(other: RdpAccountant): this {
    if (other.orders.length !== this.orders.length || other.orders.some((a, k) => a !== this.orders[k])) {
      throw new PrivacyParameterError(
        'other',
        'other accountant uses a different order grid; create both accountants with the same orders to compose them',
      );
    }
    return this.compose(other.total);
  }

  /** (epsilon, delta)-DP guarantee of everything spent so far: the best epsilon and its order. */
  epsilon(delta: number): EpsilonResult {
    validateDelta(delta);
    return epsilonFor(this.total, this.orders, delta);
  }

  /** Smallest delta at the given epsilon. */
  delta(epsilon: number): DeltaResult {
    return deltaFor(this.total, this.orders, epsilon);
  }

  /** Would spending `rdpVector` keep epsilon(delta) <= budget? Does not mutate. */
  fits(rdpVector: readonly number[], budgetEpsilon: number, delta: number, count = 1): boolean {
    return this.clone().compose(rdpVector, count).epsilon(delta).epsilon <= budgetEpsilon;
  }

  clone(): RdpAccountant {
    const c = new RdpAccountant(this.orders);
    c.compose(this.total);
    return c;
  }

  toJSON(): RdpAccountantJson {
    return {
      kind: 'tessera.rdp-accountant',
      version: 1,
      orders: [...this.orders],
      rdp: this.total.map((r) => (r === Infinity ? 'Infinity' : r)),
    };
  }

  /** Restore from `toJSON()` output (object or JSON string). Validates the payload. */
  static fromJSON(json: RdpAccountantJson | string): RdpAccountant {
    let obj: unknown;
    try {
      obj = typeof json === 'string' ? JSON.parse(json) : json;
    } catch (e) {
      throw new PrivacyParameterError(
        'json',
        `json is not valid JSON (${(e as Error).message}); pass the output of accountant.toJSON()`,
      );
    }
    const o = obj as Partial<RdpAccountantJson> | null;
    if (
      !o ||
      typeof o !== 'object' ||
      o.kind !== 'tessera.rdp-accountant' ||
      o.version !== 1 ||
      !Array.isArray(o.orders) ||
      !Array.isArray(o.rdp)
    ) {
      throw new PrivacyParameterError(
        'json',
        'json is not a serialised RdpAccountant (expected kind "tessera.rdp-accountant", version 1, ' +
          'orders[] and rdp[]); pass the output of accountant.toJSON()',
      );
    }
    const acc = new RdpAccountant(o.orders);
    const rdp = o.rdp.map((r) => (r === 'Infinity' ? Infinity : r)) as number[];
    validateRdpVector(rdp, acc.orders, 'json.rdp');
    acc.compose(rdp);
    return acc;
  }
}
