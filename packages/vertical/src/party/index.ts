// The vertical party layer: one guest and one host running alignment, training, evaluation and scoring over a link.
export { alignWithPeer, type AlignOptions } from './align.js';
export { PartyChannel, PartyRefusal, PeerStoppedError, shareableReason, type PartyRole } from './channel.js';
export type { PeerLink } from './link.js';
export { linkedPair, type ClosablePeerLink, type LinkObserver } from './linked-pair.js';
export type * from './messages.js';
export {
  GUEST_MODEL_FORMAT,
  HOST_MODEL_FORMAT,
  parseGuestModel,
  parseHostModel,
  type GuestLogisticModel,
  type GuestSecureBoostModel,
  type GuestTreeSplit,
  type GuestVerticalModel,
  type HostLogisticModel,
  type HostSecureBoostModel,
  type HostVerticalModel,
} from './model.js';
export type {
  VerticalGuestResult,
  VerticalHostResult,
  VerticalRows,
  VerticalScores,
  VerticalSeconds,
} from './results.js';
export { runVerticalGuest, runVerticalHost } from './run.js';
export {
  scoreVerticalGuest,
  serveVerticalHostScoring,
  type VerticalGuestScoringInput,
  type VerticalHostScoringInput,
} from './score.js';
export { applyStandardisation, fitStandardisation, type ColumnStandardisation } from './standardise.js';
export type * from './types.js';
