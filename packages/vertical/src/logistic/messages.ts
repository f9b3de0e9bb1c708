/**
 * The messages of vertical logistic regression, plain objects a service layer relays unchanged. Ciphertexts are
 * under the guest's BFV key; the only plaintext numbers are public shapes, the schedule, and words that are
 * uniformly masked mod p (`VlrMaskedSums`: the host's gradient sums plus the host's masks).
 */
import type { FixedPointPlan } from './fixed-point.js';
import type { VlrHeParameters } from './vlr-seal.js';

/** Training settings, chosen by the guest and sent to every host. */
export interface VlrSchedule {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Coefficient of (l2/2)·||w||² on every weight except the guest's bias. */
  readonly l2: number;
  /** Seeds the row order of each epoch (public: rows are already aligned in an agreed order). */
  readonly shuffleSeed: string;
}

/** Host to guest, first: the host's shape. */
export interface VlrHostHello {
  readonly kind: 'vlr-host-hello';
  readonly host: number;
  readonly rows: number;
  readonly features: number;
}

/** Guest to each host: the public key, parameters, shapes and schedule. */
export interface VlrSetup {
  readonly kind: 'vlr-setup';
  readonly host: number;
  readonly params: VlrHeParameters;
  readonly publicKey: Uint8Array;
  readonly rows: number;
  /** Feature counts of all hosts, by host index (each host packs its score share in the others' layouts). */
  readonly hostFeatures: readonly number[];
  /** The guest's feature count plus one (its bias column of ones). */
  readonly guestColumns: number;
  readonly schedule: VlrSchedule;
  readonly fixedPoint: FixedPointPlan;
}

/** Host to another host (several hosts only): Enc(0.25 u_from) replicated in the receiver's layout. */
export interface VlrScoreShare {
  readonly kind: 'vlr-score-share';
  readonly step: number;
  readonly from: number;
  readonly to: number;
  readonly chunks: readonly Uint8Array[];
}

/**
 * Guest to each host, per step: Enc(0.25 u_guest - 0.5 y) replicated once per host feature (slot j*b + i), and
 * Enc(guest features and a column of ones) (slot k*b + i), for the b rows of the step.
 */
export interface VlrGuestStep {
  readonly kind: 'vlr-guest-step';
  readonly step: number;
  readonly host: number;
  readonly rows: number;
  readonly residual: readonly Uint8Array[];
  readonly guestFeatures: readonly Uint8Array[];
}

/**
 * Host to guest, per step: Enc(r_i x_ij + mask) slot-wise for its features j (each slot masked uniformly), and
 * Enc(0.25 u_host,i x_ik + zero-sum mask) for the guest's columns k (the masks of each column sum to 0 mod p).
 */
export interface VlrHostMasked {
  readonly kind: 'vlr-host-masked';
  readonly step: number;
  readonly host: number;
  readonly gradient: readonly Uint8Array[];
  readonly guestTerm: readonly Uint8Array[];
}

/** Guest to host, per step: per host feature, the decrypted slot sum mod p (gradient sum plus the host's mask). */
export interface VlrMaskedSums {
  readonly kind: 'vlr-masked-sums';
  readonly step: number;
  readonly host: number;
  readonly sums: readonly number[];
}

export type VlrMessage = VlrHostHello | VlrSetup | VlrScoreShare | VlrGuestStep | VlrHostMasked | VlrMaskedSums;
