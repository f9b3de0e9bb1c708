/**
 * One guest and one host training a vertical model over a PeerLink: align the identifiers (PSI), split the shared
 * customers into training and test rows (public, per identifier from the seed: held-out.ts), standardise each party's
 * own columns over its training rows, train (vertical logistic regression or SecureBoost), evaluate on the test rows
 * (the guest alone holds the label), and finish. Several hosts are not wired here yet (the states support them; the
 * service wires two parties). On any local failure a side tells the other why (`vertical/abort`) and rejects; on the
 * other's abort it rejects with the reason.
 */
import { accuracy, auc, logLoss, sigmoid } from '@tessera/ml';
import type { Alignment } from '@tessera/psi';
import { alignWithPeer } from './align.js';
import { PartyChannel, PartyRefusal } from './channel.js';
import { scoreBoostRows, serveBoostHost, trainBoostGuest } from './boost-party.js';
import {
  GUEST_MODEL_FORMAT,
  guestBoostToSaved,
  HOST_MODEL_FORMAT,
  hostSplitsToSaved,
  type GuestVerticalModel,
  type HostVerticalModel,
} from './model.js';
import type { VerticalGuestResult, VerticalHostResult } from './results.js';
import { heldOutSplit } from './held-out.js';
import { applyStandardisation, fitStandardisation, rowMajor } from './standardise.js';
import { checkLabels, checkTable } from './table.js';
import type { VerticalGuestInput, VerticalHostInput, VerticalRunCommon } from './types.js';
import { answerPartialScores, requestPartialScores, trainVlrGuest, trainVlrHost, vlrSchedule } from './vlr-party.js';

function checkRun(channel: PartyChannel, input: VerticalRunCommon): void {
  checkTable(channel.role, input.table);
  if (!(input.testFraction > 0 && input.testFraction <= 0.5))
    throw new PartyRefusal(`the ${channel.role}'s testFraction must be in (0, 0.5], got ${input.testFraction}`);
  const kind: string = input.model.kind;
  if (kind !== 'vertical-logistic' && kind !== 'secureboost')
    throw new PartyRefusal(`the ${channel.role} does not know the model kind ${kind}`);
}

/** Aligns, then the training and test rows of this side's table (local row indices) in the agreed order. */
async function alignAndSplit(channel: PartyChannel, input: VerticalRunCommon) {
  channel.report('align', `aligning ${input.table.ids.length} identifiers`);
  const started = performance.now();
  const alignment: Alignment = await alignWithPeer(channel, input.table.ids, {
    salt: input.salt,
    session: input.session,
    minOverlap: Math.max(2, input.minOverlap),
    orderSeed: input.seed,
    ...(input.blinder === undefined ? {} : { blinder: input.blinder }),
  });
  const alignSeconds = (performance.now() - started) / 1000;
  channel.report('align', `${alignment.size} identifiers shared`);
  // Held-out customers are chosen by identifier (held-out.ts): both sides agree without exchanging anything.
  const sharedIds = Array.from(alignment.rows, (r) => input.table.ids[r]!);
  let split: { train: Uint32Array; test: Uint32Array };
  try {
    split = heldOutSplit(sharedIds, input.seed, input.testFraction);
  } catch (e) {
    throw new PartyRefusal(`the ${channel.role} cannot split the shared customers: ${(e as Error).message}`);
  }
  const local = (aligned: Uint32Array) => Uint32Array.from(aligned, (i) => alignment.rows[i]!);
  return { alignment, split, trainRows: local(split.train), testRows: local(split.test), alignSeconds };
}

/** Held-out customers a run needs at least, so that its metrics say something and reveal no one customer's label. */
export const MIN_TEST_ROWS = 10;

/** Both classes among the training and the held-out customers, and enough held out (refused before training). */
function checkHeldOut(yTrain: Float64Array, yTest: Float64Array): void {
  if (yTest.length < MIN_TEST_ROWS)
    throw new PartyRefusal(
      `only ${yTest.length} shared customers are held out, fewer than ${MIN_TEST_ROWS}: share more customers or ` +
        'raise testFraction',
    );
  for (const [y, what] of [
    [yTrain, 'training'],
    [yTest, 'held-out'],
  ] as const) {
    const positives = y.reduce((a, v) => a + v, 0);
    if (positives === 0 || positives === y.length)
      throw new PartyRefusal(
        `the ${what} customers all have the same label, ` +
          `so the model cannot be ${what === 'training' ? 'trained' : 'measured'}: ` +
          'share more customers or change the seed or testFraction',
      );
  }
}

/** The guest's side of a vertical training run. */
export async function runVerticalGuest(input: VerticalGuestInput): Promise<VerticalGuestResult> {
  const channel = new PartyChannel(input.link, 'guest', input.signal, input.progress);
  try {
    checkRun(channel, input);
    checkLabels(input.table, input.labels);
    const { alignment, split, trainRows, testRows, alignSeconds } = await alignAndSplit(channel, input);
    const { table, labels, model: config } = input;
    const standardisation = fitStandardisation(table.columns, trainRows);
    const trainColumns = applyStandardisation(table.columns, standardisation, trainRows);
    const testColumns = applyStandardisation(table.columns, standardisation, testRows);
    const yTrain = Float64Array.from(trainRows, (r) => labels[r]!);
    const yTest = Float64Array.from(testRows, (r) => labels[r]!);
    checkHeldOut(yTrain, yTest);
    const common = { featureNames: [...table.featureNames], standardisation };
    let model: GuestVerticalModel;
    let margins: Float64Array;
    let setup: number;
    let train: number;
    channel.report('setup', `${config.kind} on ${trainRows.length} training rows`);
    let evaluateStarted: number;
    if (config.kind === 'vertical-logistic') {
      const trained = await trainVlrGuest(
        channel,
        { ...rowMajor(trainColumns), y: yTrain },
        vlrSchedule(config, input.seed),
      );
      ({ setupSeconds: setup, trainSeconds: train } = trained);
      const d = table.columns.length;
      const weights = Array.from(trained.weights.subarray(0, d));
      const bias = trained.weights[d]!;
      model = { format: GUEST_MODEL_FORMAT, kind: 'vertical-logistic', ...common, weights, bias };
      evaluateStarted = performance.now();
      channel.report('evaluate', `scoring ${testRows.length} held-out rows`);
      const host = await requestPartialScores(channel, split.test);
      margins = host.map((u, i) => {
        let m = bias + u;
        for (let j = 0; j < d; j++) m += weights[j]! * testColumns[j]![i]!;
        return m;
      });
    } else {
      const trained = await trainBoostGuest(channel, trainColumns, yTrain, config);
      ({ setupSeconds: setup, trainSeconds: train } = trained);
      model = {
        format: GUEST_MODEL_FORMAT,
        kind: 'secureboost',
        ...common,
        base: trained.model.base,
        trees: guestBoostToSaved(trained.model, table.featureNames),
      };
      evaluateStarted = performance.now();
      channel.report('evaluate', `scoring ${testRows.length} held-out rows`);
      margins = await scoreBoostRows(channel, trained.model, testColumns, split.test);
    }
    const p = margins.map(sigmoid);
    const metrics = {
      auc: auc(yTest, p),
      accuracy: accuracy(yTest, p),
      logLoss: logLoss(yTest, p),
      trainRows: trainRows.length,
      testRows: testRows.length,
    };
    // The host keeps its model once told the run finished: only a run whose metrics are defined gets that far.
    if (![metrics.auc, metrics.accuracy, metrics.logLoss].every(Number.isFinite))
      throw new PartyRefusal('the held-out metrics are not defined (a score was not a number); nothing was kept');
    await channel.send({ kind: 'vertical/finished' });
    const evaluate = (performance.now() - evaluateStarted) / 1000;
    channel.report('evaluate', `held-out AUC ${metrics.auc.toFixed(4)}`);
    const seconds = { align: alignSeconds, setup, train, evaluate };
    return { overlap: alignment.size, metrics, model, rows: { train: trainRows, test: testRows }, seconds };
  } catch (e) {
    return channel.fail(e);
  }
}

/** The host's side of a vertical training run; returns when the guest has finished. */
export async function runVerticalHost(input: VerticalHostInput): Promise<VerticalHostResult> {
  const channel = new PartyChannel(input.link, 'host', input.signal, input.progress);
  try {
    checkRun(channel, input);
    const { alignment, split, trainRows, testRows, alignSeconds } = await alignAndSplit(channel, input);
    const { table, model: config } = input;
    const standardisation = fitStandardisation(table.columns, trainRows);
    const trainColumns = applyStandardisation(table.columns, standardisation, trainRows);
    const alignedColumns = applyStandardisation(table.columns, standardisation, alignment.rows);
    const held = new Uint8Array(alignment.size);
    for (const r of split.test) held[r] = 1;
    const isTest = (row: number) => held[row] === 1;
    const common = { featureNames: [...table.featureNames], standardisation };
    channel.report('setup', `${config.kind} on ${trainRows.length} training rows`);
    let model: HostVerticalModel;
    let seconds: { setup: number; train: number; evaluate: number };
    if (config.kind === 'vertical-logistic') {
      const trained = await trainVlrHost(channel, rowMajor(trainColumns), vlrSchedule(config, input.seed));
      const weights = Array.from(trained.weights);
      model = { format: HOST_MODEL_FORMAT, kind: 'vertical-logistic', ...common, weights };
      const evaluateStarted = performance.now();
      channel.report('evaluate', 'answering the partial scores of the held-out rows');
      const request = await channel.receive('vertical/partial-score-request');
      await answerPartialScores(channel, request, alignedColumns, weights, isTest);
      await channel.receive('vertical/finished');
      const evaluate = (performance.now() - evaluateStarted) / 1000;
      seconds = { setup: trained.setupSeconds, train: trained.trainSeconds, evaluate };
    } else {
      const served = await serveBoostHost(channel, trainColumns, alignedColumns, isTest, config);
      model = {
        format: HOST_MODEL_FORMAT,
        kind: 'secureboost',
        ...common,
        splits: hostSplitsToSaved(served.model, table.featureNames),
      };
      seconds = { setup: served.setupSeconds, train: served.trainSeconds, evaluate: served.evaluateSeconds };
    }
    const rows = { train: trainRows, test: testRows };
    return { overlap: alignment.size, model, rows, seconds: { align: alignSeconds, ...seconds } };
  } catch (e) {
    return channel.fail(e);
  }
}
