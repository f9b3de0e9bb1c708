import type { tessera } from '@tessera/proto';
import type { PayoutLedger } from '../../payouts/payout-ledger.js';
import type { SessionRegistry } from '../../service/registry.js';
import type { SealedExchange } from '../../service/sealed-exchange.js';
import type { UploadSlots } from '../../service/upload-slots.js';
import type { JobRecord, Store } from '../../store/store.js';
import type { JobEvents } from '../job-events.js';
import type { JobLifecycle } from '../job-lifecycle.js';

/**
 * Why a submission is refused: a spec that is invalid (INVALID_ARGUMENT), or one the federation cannot run as it stands
 * (FAILED_PRECONDITION).
 */
export type RefusalCode = 'invalid-spec' | 'precondition';

/** A refused submission with its typed code; the message names the field or the participant. */
export class SubmissionRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'SubmissionRefused';
  }
}

/**
 * What a kind sees of a submission: the parsed spec and the request (keys, signatures), and the federation as it
 * stands.
 */
export interface SubmitInput {
  parsed: unknown;
  req: tessera.v1.ISubmitJobRequest;
  registry: SessionRegistry;
  store: Store;
}

/** An accepted job, ready to store: its name, the spec to keep, its round count and its initial context. */
export interface Accepted {
  name: string;
  specJson: string;
  roundsTotal: number;
  context: Record<string, unknown>;
}

/** What a kind's runner needs from the coordinator. */
export interface RunnerDeps {
  store: Store;
  registry: SessionRegistry;
  slots: UploadSlots;
  events: JobEvents;
  sealed: SealedExchange;
  ledger?: PayoutLedger;
  /** The lease this replica holds on the job: a round is recorded only while it still holds it (fencing). */
  lease?: { holder: string; epoch: number };
}

/**
 * One kind of job (train, query, score, overlap): the checks at submission and the runner of a
 * stored job. A new kind is one folder under jobs/kinds/ and one line in the registry.
 */
export interface JobKind {
  readonly name: string;
  submit(input: SubmitInput): Promise<Accepted>;
  /** The runner of a stored job (the record as read when it starts). */
  runner(job: JobRecord, deps: RunnerDeps): JobLifecycle;
}
