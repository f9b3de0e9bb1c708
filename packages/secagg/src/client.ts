// The SecAgg+ client: one state class per protocol stage, each in its own file under client/.
export { ClientAdvertiseKeys } from './client/advertise-keys.js';
export { ClientShareKeys } from './client/share-keys.js';
export { ClientMaskedInput } from './client/masked-input.js';
export { ClientConsistencyCheck } from './client/consistency-check.js';
export { ClientDone, ClientUnmask, type SignedView } from './client/unmask.js';
