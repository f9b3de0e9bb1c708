export { PsiError, type PsiErrorCode } from './errors.js';
export {
  POINT_BYTES,
  PSI_VERSION,
  type PsiBlindedSet,
  type PsiMessage,
  type PsiReblindedSet,
  type PsiRole,
} from './messages.js';
export { PSI_DST, GROUP_ORDER, psiReady } from './group.js';
export { DEFAULT_MAX_SET_SIZE, PsiParty, type PsiOptions, type PsiStage } from './party.js';
export {
  measurePsiThroughput,
  measurePsiThroughputDetailed,
  psiCardinality,
  type PsiThroughput,
} from './cardinality.js';
export {
  PSI_HELLO_CONTEXT,
  PsiChannel,
  PsiChannelError,
  psiHelloMessage,
  type PsiChannelParties,
  type PsiHello,
  type PsiSealed,
} from './secure-channel.js';
export * from './alignment/index.js';
