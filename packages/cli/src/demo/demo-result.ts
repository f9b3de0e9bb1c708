// What a training demo reports (`tessera demo --json`).
import type { DemoPayouts } from './demo-payouts.js';
import type { DemoModelKind, DemoTask } from './demo-task.js';
import type { Quality } from './quality.js';

export type DemoSecureMode = 'masked' | 'sealed' | 'none';
export type DemoPrivacyMode = 'none' | 'central' | 'distributed' | 'local';

export interface DemoResult {
  participants: number;
  rounds: number;
  data: string;
  split: string;
  seed: number;
  jobId: string;
  /**
   * What was trained: the task, the model (its hidden layers, classes or label range) and the local optimiser. runDemo
   * always sets it; a result without it (made by hand) reads as binary logistic regression.
   */
  model?: {
    kind: DemoModelKind;
    task: DemoTask;
    hidden?: number[];
    classes?: string[];
    labelRange?: [number, number];
    optimiser: 'sgd' | 'adam';
  };
  /** The strategy and the options given to it (runDemo always sets it; without it: fedavg). */
  strategy?: { name: string; options: Record<string, number> };
  federated: Quality;
  centralized: Quality;
  localOnly: (Quality & { participant: string; rows: number })[];
  localOnlyMean: Quality;
  /** A round's metrics are absent when it did not report them: under DP no federated evaluation runs. */
  history: {
    round: number;
    trainLoss?: number;
    loss?: number;
    auc?: number;
    accuracy?: number;
    macroF1?: number;
    rmse?: number;
    r2?: number;
    contributors: number;
    dropped: number;
    /**
     * Participants that were not connected when the round began (a node that dropped out reconnects after its
     * backoff): contributors + dropped + absent = participants.
     */
    absent: number;
    seconds: number;
  }[];
  secure: { mode: DemoSecureMode; threshold: number | null; degree: number | null; dropped: number };
  privacy: {
    mode: DemoPrivacyMode;
    unit: 'record' | 'participant';
    epsilon: number;
    delta: number | null;
    noiseMultiplier: number | null;
    clip: number;
  };
  timing: { totalSeconds: number; jobSeconds: number; roundSecondsMedian: number };
  /** With a payout pool: how it was split, and the ledger it was recorded in. */
  payouts?: DemoPayouts;
  /** Participants whose data the demo altered on purpose: labels scrambled, or a copy of another's rows. */
  altered?: { noisy?: string; duplicate?: { participant: string; copyOf: string } };
}
