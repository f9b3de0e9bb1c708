/**
 * The fixed label values of the coordinator's metrics (coordinator-metrics.ts). Labels never carry free text or ids:
 * each series is one of these, so a scrape stays small however many jobs and participants there are.
 */

/** Why the coordinator refused a participant's message or stream (participant-session.ts, participant-service.ts). */
export const REJECT_REASONS = [
  /** Unsigned, or signed by another key than the participant's. */
  'bad_signature',
  /** Signed, but not a ParticipantMessage, or one without a body. */
  'malformed',
  /** Bound to another stream's challenge, or a sequence number not above the last (a replay). */
  'replayed',
  /** Names another participant than the stream's. */
  'wrong_participant',
  /** Not expected now: a second hello, a first message that is not a hello, an answer to no open task. */
  'unexpected',
  /** A task answer the round refused (wrong length, out of range, a bad share or ciphertext). */
  'bad_answer',
  /** A payout ledger cosignature that does not check. */
  'bad_cosignature',
  /** A hello from a participant id that was never enrolled. */
  'not_enrolled',
  /** A hello, or a stream, from a participant the operator revoked or disabled. */
  'revoked',
  /** A hello whose identity is not the one its TLS client certificate proves, or a stream without a good one. */
  'bad_certificate',
  /** No hello within HELLO_TIMEOUT_MS of the challenge. */
  'hello_timeout',
  /** The coordinator could not check the stream (its store failed). */
  'error',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Why a round (one attempt of one stage) failed, from its record (round-failure.ts). */
export const ROUND_FAILURE_REASONS = [
  /** The job was cancelled while the round ran. */
  'cancelled',
  /** Participants did not answer before the round deadline. */
  'timeout',
  /** Participants disconnected during the round. */
  'disconnected',
  /** Secure aggregation could not finish (too few survivors, unmasking failed). */
  'secure_aggregation',
  /** Fewer participants answered than minParticipants, for other reasons (rejected answers). */
  'too_few_contributors',
  /** Anything else. */
  'error',
] as const;
export type RoundFailureReason = (typeof ROUND_FAILURE_REASONS)[number];

/** What happened to a job lease this replica held or sought (replicas/job-scheduler.ts). */
export const LEASE_CHANGES = ['acquired', 'renewed', 'lost', 'expired', 'released'] as const;
export type LeaseChange = (typeof LEASE_CHANGES)[number];

/**
 * Privacy refusals: a participant's refusal on its owner's terms (privacy budget, consent, query rules, data), as it
 * classed it, and `precheck`: a participant whose reported budget refused a submitted job before any work.
 */
export const PRIVACY_REFUSAL_KINDS = ['privacy', 'consent', 'query_rules', 'data', 'precheck'] as const;
export type PrivacyRefusalKind = (typeof PRIVACY_REFUSAL_KINDS)[number];

/** The gRPC services whose bytes are counted. */
export const SERVICES = ['participant', 'analyst', 'replica'] as const;
export type ServiceName = (typeof SERVICES)[number];
