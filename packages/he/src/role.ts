/**
 * What every role class shares: an opened SEAL context, the long-lived SEAL objects it owns, and
 * `dispose()`, which frees them all (idempotent; later calls throw `HeError('bad-state')`).
 */
import type { OpenedContext } from './context.js';
import { HeError } from './errors.js';
import { free, type Deletable } from './seal.js';

export abstract class SealRole {
  private readonly owned: Deletable[] = [];
  private disposed = false;

  protected constructor(protected readonly opened: OpenedContext) {}

  /** Registers a long-lived SEAL object to free on `dispose()`. */
  protected own<T extends Deletable>(o: T): T {
    this.owned.push(o);
    return o;
  }

  /** Frees the wasm memory of this object; any later call throws `HeError('bad-state')`. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    free(...this.owned.reverse(), this.opened.context);
  }

  protected live(): void {
    if (this.disposed) throw new HeError('bad-state', `${this.constructor.name} was disposed`);
  }

  /** Runs the constructor's remaining setup, freeing everything already created if it throws. */
  protected setup(body: () => void): void {
    try {
      body();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }
}
