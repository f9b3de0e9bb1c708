import type { tessera } from '@tessera/proto';
import type { TaskKey } from '../service/task-ref.js';
import { Collector } from './collectors.js';
import type { Settle } from './stage.js';

/** One participant's disclosed training round: its update and the example count it was weighted by. */
export interface DisclosedRound {
  delta: Float64Array;
  numExamples: number;
}

/**
 * VALUATE: receives one participant's per-round updates in order (index 0..total-1), each as long
 * as the model and finite, for rounds of this job only, then its done.
 */
export class ValuationCollector extends Collector<Map<number, DisclosedRound>> {
  private readonly rounds = new Map<number, DisclosedRound>();
  private expected: number | undefined;

  constructor(
    key: TaskKey,
    settle: Settle<Map<number, DisclosedRound>>,
    private readonly dimension: number,
    private readonly roundsTotal: number,
  ) {
    super(key, settle);
  }

  override onValuation(u: tessera.v1.IValuationUpdate): string | undefined {
    const index = Number(u.index ?? 0),
      total = Number(u.total ?? 0),
      round = Number(u.round ?? 0);
    if (this.expected === undefined) {
      if (!(total >= 1 && total <= this.roundsTotal))
        return `valuation total ${total} is not between 1 and the job's ${this.roundsTotal} rounds`;
      this.expected = total;
    }
    if (total !== this.expected || index !== this.rounds.size)
      return `valuation update ${index} of ${total} is out of order (expected ${this.rounds.size} of ${this.expected})`;
    if (!(round >= 1 && round <= this.roundsTotal) || this.rounds.has(round))
      return `valuation update for round ${round} is not a new round of this job (1..${this.roundsTotal})`;
    const delta = u.delta ?? [];
    if (delta.length !== this.dimension)
      return `valuation update for round ${round} has ${delta.length} values; the model has ${this.dimension}`;
    const numExamples = Number(u.numExamples ?? 0);
    if (!(numExamples > 0) || !Number.isFinite(numExamples))
      return `valuation update for round ${round} reports ${numExamples} examples`;
    const values = Float64Array.from(delta);
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) return `valuation update for round ${round}: value at index ${i} is not finite`;
    this.rounds.set(round, { delta: values, numExamples });
    return undefined;
  }

  override onDone(_done: tessera.v1.ITaskDone): string | undefined {
    if (this.rounds.size !== (this.expected ?? 0))
      return `done after ${this.rounds.size} of ${this.expected ?? 0} valuation updates`;
    this.settle({ ok: true, result: this.rounds });
    return undefined;
  }
}
