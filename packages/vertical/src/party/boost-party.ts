/**
 * SecureBoost between one guest and one host over a PeerLink: the guest's SecureBoostGuest drives an async HostLink
 * whose requests travel as messages; the host serves hello, setup, gradients, histogram and split requests, then
 * the score queries of evaluation or joint scoring, until the guest says it has finished. Row sets in training are
 * indices into the training rows; in scoring and evaluation, indices into the agreed (aligned) order.
 */
import { SecureBoostGuest, type GuestBoostModel } from '../boost/guest.js';
import { SecureBoostHost, SecureBoostHostScorer, type HostBoostModel } from '../boost/host.js';
import type { HostLink, HostScoreLink } from '../boost/messages.js';
import { scoreSecureBoost } from '../boost/secureboost.js';
import { type PartyChannel, PartyRefusal } from './channel.js';
import type { VerticalModelConfig } from './types.js';

type BoostModelConfig = Extract<VerticalModelConfig, { kind: 'secureboost' }>;

function boostSettings(config: BoostModelConfig) {
  const { trees, depth, learningRate, bins, minChildWeight, lambda } = config;
  return { trees, depth, learningRate, bins, minChildWeight, lambda };
}

/** Trains the guest's side; returns its trees (host splits by opaque id). */
export async function trainBoostGuest(
  channel: PartyChannel,
  columns: readonly Float64Array[],
  labels: Float64Array,
  config: BoostModelConfig,
): Promise<{ model: GuestBoostModel; setupSeconds: number; trainSeconds: number }> {
  const started = performance.now();
  let guest: SecureBoostGuest;
  try {
    guest = new SecureBoostGuest(columns, labels, boostSettings(config));
  } catch (e) {
    throw new PartyRefusal(`SecureBoost cannot run: ${(e as Error).message}`);
  }
  try {
    const hello = await channel.receive('host-hello');
    if (hello.host !== 0) throw new PartyRefusal(`the guest expects one host numbered 0, got host ${hello.host}`);
    await channel.send(await guest.setup([hello]));
    const setupSeconds = (performance.now() - started) / 1000;
    const trainStarted = performance.now();
    const link: HostLink = {
      async histogram(request) {
        await channel.send(request);
        const answer = await channel.receive('encrypted-histogram');
        if (answer.tree !== request.tree || answer.node !== request.node)
          throw new PartyRefusal(`the host answered the histogram of another node (${answer.tree}/${answer.node})`);
        return answer;
      },
      async split(request) {
        await channel.send(request);
        return channel.receive('split-answer');
      },
    };
    const model = await guest.train(
      [link],
      (m) => channel.send(m),
      (t) => channel.report('train', `tree ${t + 1} of ${config.trees}`),
    );
    return { model, setupSeconds, trainSeconds: (performance.now() - trainStarted) / 1000 };
  } finally {
    guest.dispose();
  }
}

/** The guest's way to ask the host which rows go left at a host split. */
export function scoreLinkOver(channel: PartyChannel): HostScoreLink {
  return {
    async score(query) {
      await channel.send(query);
      const answer = await channel.receive('score-answer');
      if (!(answer.left instanceof Uint32Array)) throw new PartyRefusal('the host answered a score query badly');
      return answer;
    },
  };
}

/** Guest: margins (log-odds) of aligned rows `rowIds` whose own standardised columns are `columns`. */
export function scoreBoostRows(
  channel: PartyChannel,
  model: GuestBoostModel,
  columns: readonly Float64Array[],
  rowIds: Uint32Array,
): Promise<Float64Array> {
  return scoreSecureBoost(model, columns, [scoreLinkOver(channel)], rowIds.length, undefined, rowIds);
}

/**
 * Host: trains its side over `trainColumns` (standardised training rows), then answers score queries over
 * `alignedColumns` (standardised, agreed order) for rows `allowed` until the guest's `vertical/finished`.
 */
export async function serveBoostHost(
  channel: PartyChannel,
  trainColumns: readonly Float64Array[],
  alignedColumns: readonly Float64Array[],
  allowed: (row: number) => boolean,
  config: BoostModelConfig,
): Promise<{ model: HostBoostModel; setupSeconds: number; trainSeconds: number; evaluateSeconds: number }> {
  const started = performance.now();
  const host = new SecureBoostHost(0, trainColumns, config.depth);
  try {
    await channel.send(host.hello());
    const setup = await channel.receive('boost-setup');
    const rows = trainColumns[0]?.length ?? 0;
    if (setup.rows !== rows)
      throw new PartyRefusal(
        `the guest has ${setup.rows} training rows and the host ${rows}: the two sides split the aligned rows ` +
          'differently (check seed and testFraction)',
      );
    if (setup.bins !== config.bins)
      throw new PartyRefusal(`the guest asks for ${setup.bins} bins, the host's job says ${config.bins}`);
    await host.setup(setup);
    const setupSeconds = (performance.now() - started) / 1000;
    const trainStarted = performance.now();
    let trainSeconds = 0;
    let evaluateStarted = 0;
    let scorer: SecureBoostHostScorer | undefined;
    for (;;) {
      const m = await channel.receive(
        'encrypted-gradients',
        'histogram-request',
        'split-request',
        'score-query',
        'vertical/finished',
      );
      if (m.kind === 'vertical/finished') break;
      if (m.kind === 'score-query') {
        if (!scorer) {
          trainSeconds = (performance.now() - trainStarted) / 1000;
          evaluateStarted = performance.now();
          scorer = new SecureBoostHostScorer(host.model(), alignedColumns);
        }
        if (!(m.rows instanceof Uint32Array) || !m.rows.every(allowed))
          throw new PartyRefusal('the guest asked about rows it may not score (outside the held-out rows)');
        await channel.send(scorer.score(m));
        continue;
      }
      if (scorer) throw new PartyRefusal(`the guest sent ${m.kind} after evaluation began`);
      if (m.kind === 'encrypted-gradients') {
        if (!Number.isInteger(m.tree) || m.tree < 0 || m.tree >= config.trees)
          throw new PartyRefusal(`the guest sent gradients for tree ${m.tree}; the job has ${config.trees} trees`);
        host.gradients(m);
        channel.report('train', `tree ${m.tree + 1} of ${config.trees}`);
      } else if (m.kind === 'histogram-request') await channel.send(host.histogram(m));
      else await channel.send(host.split(m));
    }
    const now = performance.now();
    if (!scorer) trainSeconds = (now - trainStarted) / 1000;
    return {
      model: host.model(),
      setupSeconds,
      trainSeconds,
      evaluateSeconds: scorer ? (now - evaluateStarted) / 1000 : 0,
    };
  } finally {
    host.dispose();
  }
}

/** Host, scoring with a saved model: answers score queries over `columns` (agreed order) until finished. */
export async function serveBoostScoring(
  channel: PartyChannel,
  model: HostBoostModel,
  columns: readonly Float64Array[],
): Promise<void> {
  const scorer = new SecureBoostHostScorer(model, columns);
  for (;;) {
    const m = await channel.receive('score-query', 'vertical/finished');
    if (m.kind === 'vertical/finished') return;
    await channel.send(scorer.score(m));
  }
}
