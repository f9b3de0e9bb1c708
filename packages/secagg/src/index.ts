export { SecAggError, type SecAggErrorCode } from './errors.js';
export { completeGraph, harary, isConnected, permutation, type Neighbourhood } from './graph.js';
export {
  chooseParameters,
  log2BinomialAtLeast,
  log2BinomialBelow,
  SPARSE_MINIMUM_PARTICIPANTS,
  type ParameterRequest,
  type Parameters,
} from './parameters.js';
export { DEFAULT_MODULUS, type RoundConfig } from './config.js';
export type {
  AdvertiseKeys,
  ConsistencyCheckRequest,
  ConsistencyCheckResponse,
  ConsistencySignature,
  IncomingShares,
  MaskedInput,
  OutgoingShares,
  ShareKeys,
  ShareOf,
  UnmaskRequest,
  UnmaskResponse,
} from './messages.js';
export {
  ClientAdvertiseKeys,
  ClientConsistencyCheck,
  ClientDone,
  ClientMaskedInput,
  ClientShareKeys,
  ClientUnmask,
  type SignedView,
} from './client.js';
export {
  ServerAdvertiseKeys,
  ServerConsistencyCheck,
  ServerMaskedInput,
  ServerShareKeys,
  ServerUnmask,
  type MaskedInputMode,
  type ServerStats,
} from './server.js';
export {
  simulateRound,
  type ParticipantCall,
  type PlainSimulatedRound,
  type RoundDropouts,
  type RoundMembers,
  type RoundStageName,
  type RoundStep,
  type SealedSimulatedRound,
  type SealedUploads,
  type ServerCall,
  type SimulateRoundOptions,
} from './simulate.js';
