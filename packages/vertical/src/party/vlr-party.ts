/**
 * Vertical logistic regression between one guest and one host over a PeerLink: the existing VLR states
 * (logistic/guest.ts, logistic/host.ts) stepped message by message (hello, setup, then per step the guest's step,
 * the host's masked ciphertexts and the masked sums; score shares exist only with several hosts, not wired here),
 * then the held-out evaluation (the host's partial scores of the test rows) and, for a saved model, joint scoring.
 * Every state's SEAL objects are freed on all paths.
 */
import type { LabeledData, Matrix } from '@tessera/ml';
import { GuestVlrSetup, GuestVlrTrained } from '../logistic/guest.js';
import { HostVlrSetup, HostVlrTrained } from '../logistic/host.js';
import type { VlrSchedule } from '../logistic/messages.js';
import { minimumBatchRows, VlrBatches } from '../logistic/schedule.js';
import { loadVlrSeal } from '../logistic/vlr-seal.js';
import { type PartyChannel, PartyRefusal } from './channel.js';
import type { VerticalModelConfig } from './types.js';

type VlrConfig = Extract<VerticalModelConfig, { kind: 'vertical-logistic' }>;

/** The schedule both sides derive from the job's model section and public seed. */
export function vlrSchedule(config: VlrConfig, seed: string): VlrSchedule {
  const { epochs, batchSize, learningRate, l2 } = config;
  return { epochs, batchSize, learningRate, l2, shuffleSeed: `${seed}/vertical-logistic/shuffle` };
}

/** Trains the guest's side; returns its weights then its bias, and the seconds of setup and training. */
export async function trainVlrGuest(
  channel: PartyChannel,
  data: LabeledData,
  schedule: VlrSchedule,
): Promise<{ weights: Float64Array; setupSeconds: number; trainSeconds: number }> {
  const started = performance.now();
  await loadVlrSeal();
  const hello = await channel.receive('vlr-host-hello');
  if (hello.host !== 0) throw new PartyRefusal(`the guest expects one host numbered 0, got host ${hello.host}`);
  if (hello.rows !== data.n)
    throw new PartyRefusal(
      `the host has ${hello.rows} training rows and the guest ${data.n}: the two sides split the aligned rows ` +
        'differently (check seed and testFraction)',
    );
  let batches: VlrBatches;
  try {
    batches = new VlrBatches(data.n, schedule, minimumBatchRows(data.d + 1, [hello.features]));
  } catch (e) {
    throw new PartyRefusal(`vertical logistic regression cannot run: ${(e as Error).message}`);
  }
  const first = new GuestVlrSetup(data, schedule).receiveHellos([hello]);
  let live: { dispose(): void } | undefined = first.state;
  try {
    await channel.send(first.messages[0]!); // one setup per hello
    const setupSeconds = (performance.now() - started) / 1000;
    const trainStarted = performance.now();
    let ready = first.state;
    for (;;) {
      const opened = ready.startStep();
      live = opened.state;
      await channel.send(opened.messages[0]!);
      const masked = await channel.receive('vlr-host-masked');
      const answered = opened.state.receive([masked]);
      await channel.send(answered.messages[0]!);
      const step = opened.state.step + 1;
      if (step % batches.stepsPerEpoch === 0)
        channel.report('train', `epoch ${step / batches.stepsPerEpoch} of ${schedule.epochs} (${step} steps)`);
      const next = answered.state;
      if (next instanceof GuestVlrTrained) {
        live = undefined; // the last state freed its key pair
        return { weights: next.weights, setupSeconds, trainSeconds: (performance.now() - trainStarted) / 1000 };
      }
      ready = next;
      live = next;
    }
  } finally {
    live?.dispose();
  }
}

/** Trains the host's side; returns its weights (no bias: the guest holds it). */
export async function trainVlrHost(
  channel: PartyChannel,
  data: Matrix,
  schedule: VlrSchedule,
): Promise<{ weights: Float64Array; setupSeconds: number; trainSeconds: number }> {
  const started = performance.now();
  await loadVlrSeal();
  const setupState = new HostVlrSetup(0, data);
  await channel.send(setupState.hello());
  const setup = await channel.receive('vlr-setup');
  if (setup.rows !== data.n)
    throw new PartyRefusal(
      `the guest has ${setup.rows} training rows and the host ${data.n}: the two sides split the aligned rows ` +
        'differently (check seed and testFraction)',
    );
  const s = setup.schedule;
  if (
    s.epochs !== schedule.epochs ||
    s.batchSize !== schedule.batchSize ||
    s.learningRate !== schedule.learningRate ||
    s.l2 !== schedule.l2 ||
    s.shuffleSeed !== schedule.shuffleSeed
  )
    throw new PartyRefusal("the guest's training schedule differs from the host's job (model section or seed)");
  let ready = setupState.receiveSetup(setup);
  let live: { dispose(): void } | undefined = ready;
  try {
    const { stepsPerEpoch } = new VlrBatches(data.n, s, minimumBatchRows(setup.guestColumns, setup.hostFeatures));
    const setupSeconds = (performance.now() - started) / 1000;
    const trainStarted = performance.now();
    for (;;) {
      const shared = ready.shareScores(); // no score shares: one host
      live = shared.state;
      const step = await channel.receive('vlr-guest-step');
      const out = shared.state.receive(step, []);
      live = out.state;
      await channel.send(out.message);
      const next = out.state.receive(await channel.receive('vlr-masked-sums'));
      const done = step.step + 1;
      if (done % stepsPerEpoch === 0)
        channel.report('train', `epoch ${done / stepsPerEpoch} of ${schedule.epochs} (${done} steps)`);
      if (next instanceof HostVlrTrained) {
        live = undefined;
        return { weights: next.weights, setupSeconds, trainSeconds: (performance.now() - trainStarted) / 1000 };
      }
      ready = next;
      live = next;
    }
  } finally {
    live?.dispose();
  }
}

/** Guest: the host's partial predictors of aligned rows `rows` (indices into the agreed order). */
export async function requestPartialScores(channel: PartyChannel, rows: Uint32Array): Promise<Float64Array> {
  await channel.send({ kind: 'vertical/partial-score-request', rows });
  const answer = await channel.receive('vertical/partial-scores');
  if (!(answer.scores instanceof Float64Array) || answer.scores.length !== rows.length)
    throw new PartyRefusal(`the host answered ${answer.scores?.length} partial scores for ${rows.length} rows`);
  if (!answer.scores.every(Number.isFinite)) throw new PartyRefusal('the host answered a non-finite partial score');
  return answer.scores;
}

/**
 * Host: answers one partial-score request from `columns` (standardised, in the agreed order), refusing rows
 * outside `allowed` (the test rows while training; every aligned row when scoring).
 */
export async function answerPartialScores(
  channel: PartyChannel,
  request: { readonly rows: Uint32Array },
  columns: readonly Float64Array[],
  weights: ArrayLike<number>,
  allowed: (row: number) => boolean,
): Promise<void> {
  const { rows } = request;
  if (!(rows instanceof Uint32Array)) throw new PartyRefusal('a partial-score request must list rows as a Uint32Array');
  const size = columns[0]?.length ?? 0;
  for (const r of rows)
    if (r >= size || !allowed(r))
      throw new PartyRefusal('the guest asked for partial scores of rows it may not score (outside the held-out rows)');
  const scores = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    let u = 0;
    columns.forEach((column, j) => {
      u += weights[j]! * column[r]!;
    });
    scores[i] = u;
  });
  await channel.send({ kind: 'vertical/partial-scores', scores });
}
