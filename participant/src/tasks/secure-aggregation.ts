// SecAgg+ steps: a computed result contributed to a secure sum, then keys, masked input, consistency check, unmask.
import { loadSeal } from '@tessera/he';
import { tessera } from '@tessera/proto';
import type { LocalResult } from '../local-compute.js';
import { SecureContribution } from '../secure-contribution.js';
import { encodeForSecureSum } from '../secure-encoding.js';
import { describe, sameContribution } from '../task-ref.js';
import type { ActiveTask, TaskContext } from './task-handler.js';

const pb = tessera.v1;

/** A sealed round encrypts under BFV: its library loads before the task starts (undefined: nothing to load). */
export function prepareSecure(task: tessera.v1.ITask): Promise<unknown> | undefined {
  return Number(task.secure?.sealedDegree ?? 0) > 0 ? loadSeal() : undefined;
}

/**
 * Starts this node's contribution to the round with an admitted task's result: encodes it into the
 * ring (with its noise share under distributed DP), checks the analyst key of a sealed round, and
 * advertises this round's keys. The contribution lives on the connection until UNMASK.
 */
export async function startContribution(ctx: TaskContext, active: ActiveTask, input: LocalResult): Promise<void> {
  const { task } = active;
  const ref = task.ref!;
  const setup = task.secure!;
  const floor = active.checked?.floor;
  const words = encodeForSecureSum(setup, input, ctx.memory.lastFit.get(ref.jobId ?? ''));
  const contribution = new SecureContribution(
    ref,
    setup,
    words,
    ctx.identitySecretKey,
    {
      key: task.analystKey,
      identity: task.analystIdentity,
      signature: task.analystSignature,
      trusted: ctx.trustedAnalysts,
    },
    floor?.minSurvivors ?? 0,
  );
  ctx.connection.secure = contribution;
  await ctx.send({ advertise: { ...contribution.advertise(), task: ref } });
}

export const onNeighbourKeys = (ctx: TaskContext, m: tessera.v1.INeighbourKeys): Promise<void> =>
  step(ctx, m.task, (c) => ctx.send({ shareKeys: { ...c.shareKeys(m), task: m.task } }));

export const onShares = (ctx: TaskContext, m: tessera.v1.ISharesForYou): Promise<void> =>
  step(ctx, m.task, (c) => uploadMasked(ctx, m.task!, c, c.mask(m)));

export const onConsistencyCheck = (ctx: TaskContext, m: tessera.v1.IConsistencyCheck): Promise<void> =>
  step(ctx, m.task, (c) => ctx.send({ consistency: { ...c.consistency(m), task: m.task } }));

export const onUnmaskRequest = (ctx: TaskContext, m: tessera.v1.IUnmaskRequest): Promise<void> =>
  step(ctx, m.task, (c) => ctx.send({ unmask: { ...c.unmask(m), task: m.task } }));

/** A step of the contribution in progress on this connection; a failure refuses it with the reason. */
async function step(
  ctx: TaskContext,
  ref: tessera.v1.ITaskRef | null | undefined,
  answer: (c: SecureContribution) => Promise<void>,
): Promise<void> {
  if (ctx.dropsOut(ref)) return;
  const c = ctx.connection.secure;
  if (!c || !sameContribution(ref, c.ref)) {
    ctx.logger.warn(
      { participantId: ctx.id, jobId: ref?.jobId, round: ref?.round },
      `participant ${ctx.id}: ignored a secure-aggregation step for ${describe(ref)} with no matching contribution`,
    );
    return;
  }
  try {
    await answer(c);
  } catch (e) {
    ctx.connection.secure = undefined;
    await ctx.refuse(ref, e as Error);
    return;
  }
  if (ref!.stage === pb.Stage.UNMASK) {
    ctx.connection.secure = undefined;
    ctx.emit('done', ref);
  }
}

/**
 * The masked input, offered for upload: as ring words, or in sealed mode encrypted under the
 * analyst's BFV key, one ciphertext per chunk of slots (the coordinator can only add it to the others).
 */
async function uploadMasked(
  ctx: TaskContext,
  ref: tessera.v1.ITaskRef,
  c: SecureContribution,
  y: Uint32Array,
): Promise<void> {
  const done = { task: ref, numExamples: 0 };
  if (!c.sealed) {
    return ctx.connection.uploads.offer({ send: ctx.send, ref, upload: { kind: 'masked', words: y }, done });
  }
  let ciphertexts: Uint8Array[];
  try {
    ciphertexts = ctx.memory.encryptorFor(ref.jobId ?? '', c.sealed).encrypt(y);
  } finally {
    y.fill(0);
  }
  await ctx.connection.uploads.offer({ send: ctx.send, ref, upload: { kind: 'sealed', ciphertexts }, done });
}
