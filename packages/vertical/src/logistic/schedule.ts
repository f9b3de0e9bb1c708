/**
 * The public row schedule both sides derive from `VlrSchedule`: epochs of mini-batches over the aligned rows, the
 * order reshuffled every epoch with `seededRandom(shuffleSeed)` exactly as @tessera/ml's `trainModel` does (so a
 * centralised run with the same seed visits the same batches). Every step has at least `minRows` rows: each side
 * learns its own gradient, d linear equations in the batch's residuals (host) or host scores (guest), which a batch
 * of d rows or fewer would let it solve. A last batch smaller than that joins the one before it.
 */
import { seededRandom } from '@tessera/crypto';
import type { VlrSchedule } from './messages.js';

export function checkSchedule(s: VlrSchedule): void {
  if (!Number.isInteger(s.epochs) || s.epochs < 1) throw new Error(`epochs must be an integer >= 1, got ${s.epochs}`);
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1)
    throw new Error(`batchSize must be an integer >= 1, got ${s.batchSize}`);
  if (!(Number.isFinite(s.learningRate) && s.learningRate > 0))
    throw new Error(`learningRate must be finite and > 0, got ${s.learningRate}`);
  if (!(Number.isFinite(s.l2) && s.l2 >= 0)) throw new Error(`l2 must be finite and >= 0, got ${s.l2}`);
  if (typeof s.shuffleSeed !== 'string' || s.shuffleSeed.length === 0)
    throw new Error('shuffleSeed must be a non-empty string');
}

/** Rows of every step, generated epoch by epoch. */
export class VlrBatches {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private readonly rng;
  private readonly order: Uint32Array;
  private epoch = -1;

  constructor(
    readonly rows: number,
    readonly schedule: VlrSchedule,
    readonly minRows: number,
  ) {
    checkSchedule(schedule);
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`rows must be a positive integer, got ${rows}`);
    if (rows < minRows) throw new Error(`vertical LR needs at least ${minRows} aligned rows here, got ${rows}`);
    if (schedule.batchSize < minRows)
      throw new Error(
        `batchSize ${schedule.batchSize} is too small: each step needs at least ${minRows} rows (twice the widest ` +
          "party's column count) so that no side can solve for the other's per-row values",
      );
    const full = Math.floor(rows / schedule.batchSize);
    this.stepsPerEpoch =
      full > 0 && rows - full * schedule.batchSize < minRows ? full : Math.ceil(rows / schedule.batchSize);
    this.totalSteps = this.stepsPerEpoch * schedule.epochs;
    this.rng = seededRandom(schedule.shuffleSeed);
    this.order = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) this.order[i] = i;
  }

  /** The rows of step `step`; steps must be asked for in order (each epoch reshuffles). */
  rowsOf(step: number): Uint32Array {
    if (!Number.isInteger(step) || step < 0 || step >= this.totalSteps)
      throw new Error(`step ${step} is outside 0..${this.totalSteps - 1}`);
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch < this.epoch) throw new Error(`step ${step} belongs to epoch ${epoch}, already past`);
    while (this.epoch < epoch) {
      this.rng.shuffle(this.order);
      this.epoch++;
    }
    const index = step - epoch * this.stepsPerEpoch;
    const start = index * this.schedule.batchSize;
    const end = index === this.stepsPerEpoch - 1 ? this.rows : start + this.schedule.batchSize;
    return this.order.slice(start, end);
  }

  /** The most rows any step has (a folded last batch can exceed batchSize). */
  get maxRows(): number {
    return Math.min(this.rows, this.schedule.batchSize + this.minRows - 1);
  }
}

/** Rows every step needs: twice the widest party's column count (the guest's include its bias column). */
export function minimumBatchRows(guestColumns: number, hostFeatures: readonly number[]): number {
  return 2 * Math.max(guestColumns, ...hostFeatures);
}
