export { type AlignmentBlinder, inlineBlinder } from './blinder.js';
export { type AlignIdsOptions, type AlignmentThroughput, alignIds, measureAlignmentThroughput } from './driver.js';
export { AlignmentError, type AlignmentErrorCode } from './errors.js';
export { ALIGNMENT_DST, ALIGNMENT_KEY_DOMAIN, MIN_SALT_BYTES, alignmentKeys, normaliseIdentifier } from './keys.js';
export {
  ALIGNMENT_VERSION,
  type AlignmentBlinded,
  type AlignmentConfirmation,
  type AlignmentMessage,
  type AlignmentReblinded,
} from './messages.js';
export {
  type Alignment,
  AlignmentAwaitingConfirmation,
  AlignmentAwaitingOwnSet,
  AlignmentAwaitingPeerSet,
  type AlignmentOptions,
  requireOverlap,
  startAlignment,
} from './stages.js';
export { decodeAlignmentMessage, encodeAlignmentMessage } from './wire.js';
export { AlignmentWorkers } from './workers.js';
