// Recommend jobs for the participant's tests: synthetic merchants' interaction files, signed specs, honest tasks.
import type { SigningKeyPair } from '@tessera/crypto';
import { parseRecommendSpec, RECOMMEND_FRACTION_BITS, type RecommendJobSpec } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { seededRandom, syntheticRecommendation, type InteractionRow } from '@tessera/recommend';
import { signed } from './authorisation-harness.js';

const pb = tessera.v1;

/** A small synthetic federation (planted structure): merchant m's rows, and the public catalogue. */
export function smallFederation(merchants = 3, seed = 'recommend-test') {
  return syntheticRecommendation(
    { merchants, customers: merchants * 30, items: 24, minCustomers: 20, interactionsPerCustomer: 6 },
    seededRandom(seed),
  );
}

/** A merchant's rows as its CSV file's lines (header first). */
export function interactionLines(rows: readonly InteractionRow[]): string[] {
  return ['customer_id,item_id,ts', ...rows.map((r) => `${r.customer},${r.item},${r.timestamp}`)];
}

/** A recommend spec input over `dataset`, with `change` applied (the name should differ per job: replay). */
export function recommendInput(dataset: string, items: readonly string[], change: Record<string, unknown> = {}) {
  return {
    name: 'rec',
    kind: 'recommend',
    dataset,
    columns: { customer: 'customer_id', item: 'item_id', timestamp: 'ts' },
    catalogue: { items: [...items] },
    model: { algorithm: 'als', k: 3 },
    rounds: 3,
    minParticipants: 2,
    ...change,
  };
}

/** The secure setup of a round of `n` participants, this node first (`me`), as Harness.secure gives it. */
export type SecureOf = (computation: number, n: number) => tessera.v1.ISecureSetup;

/**
 * A recommend step of a signed spec as an honest coordinator sends it (ADVERTISE_KEYS of its secure sum): TRAIN
 * round `round`, or EVALUATE at rounds + 1, exact (wide fraction bits 24) without privacy.
 */
export function recommendStep(
  input: object,
  analyst: SigningKeyPair,
  secure: tessera.v1.ISecureSetup,
  step: { jobId: string; round: number; phase?: 'train' | 'evaluate'; attempt?: number },
  change: Partial<tessera.v1.ITask> = {},
): { task: tessera.v1.ITask; spec: RecommendJobSpec } {
  const spec = parseRecommendSpec(input);
  const { text, signature } = signed(input, analyst);
  const phase = step.phase === 'evaluate' ? pb.RecommendTask.Phase.EVALUATE : pb.RecommendTask.Phase.TRAIN;
  const task: tessera.v1.ITask = {
    ref: { jobId: step.jobId, round: step.round, stage: pb.Stage.ADVERTISE_KEYS, attempt: step.attempt ?? 1 },
    dataset: spec.dataset,
    recommend: { phase, round: step.round, wideFractionBits: RECOMMEND_FRACTION_BITS },
    modelLength: spec.catalogue.items.length * (spec.model.k + 1),
    secure,
    specJson: text,
    specSignature: signature,
    analystIdentity: analyst.publicKey,
    ...change,
  };
  return { task, spec };
}
