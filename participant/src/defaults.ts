// The node owner's defaults, importable on their own as @tessera/participant/defaults: this module
// loads only the consent policy's parser (yaml, node:fs), not the node, so that `tessera participant
// init --help` can show the defaults without loading gRPC, SQLite and the protocols.
export { STARTER_BUDGET } from './consent/starter-policy.js';
export { DEFAULT_MIN_GROUP_SIZE } from './consent/policy.js';
