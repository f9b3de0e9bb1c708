// The SecAgg+ server: one state class per protocol stage, each in its own file under server/.
export { ServerAdvertiseKeys } from './server/advertise-keys.js';
export { ServerShareKeys } from './server/share-keys.js';
export { ServerMaskedInput, type MaskedInputMode } from './server/masked-input.js';
export { ServerConsistencyCheck } from './server/consistency-check.js';
export { ServerUnmask } from './server/unmask.js';
export type { ServerStats } from './server/round.js';
