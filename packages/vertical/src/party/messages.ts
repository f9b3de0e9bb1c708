/**
 * Every message two vertical parties exchange, as one union a service layer relays (sealed end to end) without
 * looking inside: the alignment's (from @tessera/psi), vertical logistic regression's, SecureBoost's, and the party
 * layer's own below (abort, evaluation and joint scoring).
 */
import type { AlignmentMessage } from '@tessera/psi';
import type {
  BoostSetup,
  EncryptedGradients,
  EncryptedHistogram,
  HistogramRequest,
  HostHello,
  ScoreAnswer,
  ScoreQuery,
  SplitAnswer,
  SplitRequest,
} from '../boost/messages.js';
import type { VlrMessage } from '../logistic/messages.js';

export type BoostMessage =
  | HostHello
  | BoostSetup
  | EncryptedGradients
  | HistogramRequest
  | EncryptedHistogram
  | SplitRequest
  | SplitAnswer
  | ScoreQuery
  | ScoreAnswer;

/**
 * Either side: the run is over because this side refused or failed; `reason` is what the other side may be told
 * (never a row, a value or a path). The receiver stops and reports it.
 */
export interface PartyAbort {
  readonly kind: 'vertical/abort';
  readonly reason: string;
}

/**
 * Guest to host (vertical logistic regression, evaluation and scoring): send your partial linear predictor for
 * these aligned rows (indices into the agreed order). As in FATE's hetero-LR prediction, the guest learns the
 * host's partial score of each such row, never its features or weights.
 */
export interface PartialScoreRequest {
  readonly kind: 'vertical/partial-score-request';
  readonly rows: Uint32Array;
}

/** Host to guest: its partial linear predictor w_host · x_host of each requested row, in the requested order. */
export interface PartialScores {
  readonly kind: 'vertical/partial-scores';
  readonly scores: Float64Array;
}

/** Guest to host: the run is complete; the host may save its part of the model and finish. */
export interface PartyFinished {
  readonly kind: 'vertical/finished';
}

export type PartyMessage = PartyAbort | PartialScoreRequest | PartialScores | PartyFinished;

export type VerticalMessage = AlignmentMessage | VlrMessage | BoostMessage | PartyMessage;
