export {
  GuestVlrAwaitingMasked,
  GuestVlrReady,
  GuestVlrSetup,
  GuestVlrTrained,
} from './logistic/guest.js';
export {
  HostVlrAwaitingStep,
  HostVlrAwaitingSums,
  HostVlrReady,
  HostVlrSetup,
  HostVlrTrained,
} from './logistic/host.js';
export type {
  VlrGuestStep,
  VlrHostHello,
  VlrHostMasked,
  VlrMaskedSums,
  VlrMessage,
  VlrSchedule,
  VlrScoreShare,
  VlrSetup,
} from './logistic/messages.js';
export { loadVlrSeal, vlrParameters, type VlrHeParameters } from './logistic/vlr-seal.js';
export {
  trainVerticalLogistic,
  type VerticalLogisticInput,
  type VerticalLogisticResult,
  type VlrRecipient,
} from './logistic/train.js';
export * from './boost/index.js';
export * from './party/index.js';
export {
  chunkBytes,
  type VerticalDecodeOptions,
  decodeVerticalMessage,
  encodeVerticalMessage,
  WIRE_MAX_CHUNK_BYTES,
  WIRE_MAX_CIPHERTEXTS,
  WIRE_MAX_MESSAGE_BYTES,
  WIRE_MAX_ROWS,
  WIRE_MAX_STRING_BYTES,
  Reassembler,
  type ReassemblerOptions,
  VERTICAL_WIRE_TAGS,
  VerticalWireError,
} from './party/wire.js';
export { heldOutSplit, isHeldOut } from './party/held-out.js';
