import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { decodeUpdateSum, FedAvg } from '@tessera/fl';
import { logisticInit } from '@tessera/ml';
import type { ParticipantNode } from '@tessera/participant';
import { tessera } from '@tessera/proto';
import type { AnalystClient, JobView } from '@tessera/sdk';
import type { Connection } from '../../participant/src/connection.js';
import { SecureContribution } from '../../participant/src/secure-contribution.js';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, connectAnalystTo, shards, startNode } from './grpc-helpers.js';
import { fits, sameBits, tempDir } from './helpers.js';

// The coordinator the secure-rounds*.test.ts files run SecAgg+ jobs on: one per file, recording every participant
// message (the transcript) and every contribution's ring vector before masking, so that a test can check what the
// coordinator saw and that each model is exactly the FedAvg of the survivors' inputs.

const pb = tessera.v1;
export type Ref = tessera.v1.ITaskRef;
export type Body = Omit<tessera.v1.IParticipantMessage, 'session' | 'seq'>;

/** The quantisation of FIT updates under the default job spec (secure.bits, secure.clip) in the ring mod 2^32. */
const UPDATE_CODEC = { bits: 20, clip: 10, modulus: 2 ** 32 };
/** breast_cancer.csv: 30 numeric features, so the model has 31 weights and a FIT ring vector 32 words. */
export const MODEL_LENGTH = 31;

export const sumKey = (r: Ref | null | undefined) =>
  `${r?.jobId}/${r?.round ?? 0}/${r?.computation ?? 0}/${r?.attempt ?? 0}`;
export const bytesOf = (w: Uint32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength);
const sameWords = (a: Uint32Array, b: Uint32Array) => a.length === b.length && bytesOf(a).equals(bytesOf(b));

/** One participant's secure contribution as its SecureContribution saw it: the ring vector before and after masking. */
export interface MaskCapture {
  ref: Ref;
  input: Uint32Array;
  output: Uint32Array;
}

/** The round keys a SecureContribution advertised, with the round id it was set up with. */
export interface AdvertiseCapture {
  ref: Ref;
  roundId: Uint8Array;
  encryptionKey: Uint8Array;
}

/** The private parts of a ParticipantNode that tests tamper with or inspect. */
interface NodeInternals {
  send(body: Body): Promise<void>;
  /** The current stream's connection, which holds the secure contribution in progress. */
  connection: Connection | undefined;
  opts: { identity: { secretKey: Uint8Array; publicKey: Uint8Array } };
  onMessage(connection: Connection, m: tessera.v1.CoordinatorMessage): Promise<void>;
}
export const internals = (node: ParticipantNode) => node as unknown as NodeInternals;

/** The job spec the secure-round tests run: two rounds over three participants at least, with retries. */
export const spec = (dataset: string, extra: Record<string, unknown> = {}) => ({
  dataset,
  label: 'benign',
  rounds: 2,
  minParticipants: 3,
  roundTimeoutSeconds: 10,
  waitForParticipantsSeconds: 15,
  maxRoundAttempts: 3,
  seed: 11,
  ...extra,
});

/** A running coordinator and what it recorded; coord and analyst are set once the file's beforeAll has run. */
export interface SecureBench {
  readonly coord: Coordinator;
  readonly analyst: AnalystClient;
  /** Every participant message the coordinator accepted, in order. */
  readonly transcript: { participantId: string; message: tessera.v1.ParticipantMessage }[];
  readonly advertised: AdvertiseCapture[];
  /** Starts `count` nodes on shards of breast_cancer.csv (stopped after the test). */
  startNodes(
    dataset: string,
    count: number,
    extra?: (i: number) => Parameters<typeof startNode>[5],
  ): Promise<ParticipantNode[]>;
  /** Submits a job, collects its events and waits for its end. */
  run(body: object): Promise<{ job: JobView; events: string[] }>;
  /** The masked vectors the coordinator received for a job, per participant and secure sum. */
  receivedMasked(jobId: string): { participantId: string; sum: string; y: Uint32Array }[];
  /** The pre-mask ring vectors of one secure sum, by participant. */
  inputsOf(ref: Ref): Map<string, MaskCapture>;
  /** Every completed fit round's stored model is exactly FedAvg of its contributors' inputs (the ones not dropped). */
  expectModelsFromSurvivors(job: JobView): Promise<void>;
}

/** Starts a recording coordinator for the enclosing describe block (call it there) and stops it after. */
export function useSecureBench(): SecureBench {
  const tmp = tempDir();
  const transcript: SecureBench['transcript'] = [];
  const masks: MaskCapture[] = [];
  const advertised: AdvertiseCapture[] = [];
  const nodes: ParticipantNode[] = [];
  const originalMask = SecureContribution.prototype.mask;
  const originalAdvertise = SecureContribution.prototype.advertise;

  const startNodes: SecureBench['startNodes'] = async (dataset, count, extra = () => ({})) => {
    const started: ParticipantNode[] = [];
    for (const [i, part] of shards(BREAST_CANCER, count).entries()) {
      const node = await startNode(bench.coord, tmp.dir, `${dataset}-${i}`, dataset, part, extra(i));
      nodes.push(node);
      started.push(node);
    }
    return started;
  };

  const run: SecureBench['run'] = async (body) => {
    const events: string[] = [];
    const submitted = await bench.analyst.submit(body);
    const job = await bench.analyst.watch(submitted.id, (_j, message) => events.push(message));
    return { job, events };
  };

  /** Reassembled from the transcript. */
  const receivedMasked: SecureBench['receivedMasked'] = (jobId) => {
    const out = new Map<string, { participantId: string; sum: string; y: Uint32Array }>();
    for (const { participantId, message } of transcript) {
      if (message.body !== 'masked' || message.masked!.task?.jobId !== jobId) continue;
      const { task, chunk } = message.masked!;
      const id = `${participantId} ${sumKey(task)}`;
      let entry = out.get(id);
      if (!entry)
        out.set(id, (entry = { participantId, sum: sumKey(task), y: new Uint32Array(Number(chunk?.total ?? 0)) }));
      const words = chunk?.words ?? [];
      const offset = Number(chunk?.offset ?? 0);
      if (offset + words.length <= entry.y.length) entry.y.set(words, offset);
    }
    return [...out.values()];
  };

  /**
   * Each captured contribution is tied to the participant whose masked upload (in the transcript) is exactly the
   * contribution's masked output.
   */
  const inputsOf: SecureBench['inputsOf'] = (ref) => {
    const key = sumKey(ref);
    const received = receivedMasked(ref.jobId!).filter((r) => r.sum === key);
    const out = new Map<string, MaskCapture>();
    for (const m of masks.filter((c) => sumKey(c.ref) === key)) {
      const senders = received.filter((r) => sameWords(r.y, m.output));
      if (senders.length === 1) out.set(senders[0].participantId, m);
    }
    return out;
  };

  /** The model FedAvg makes of exactly the survivors' pre-mask inputs (decoded from their sum mod 2^32). */
  const expectedModel = (
    jobId: string,
    round: number,
    attempt: number,
    survivors: readonly string[],
    previous: Float64Array,
  ): Float64Array => {
    const inputs = inputsOf({ jobId, round, computation: pb.Stage.FIT, attempt });
    const sum = new Uint32Array(MODEL_LENGTH + 1);
    for (const id of survivors) {
      const input = inputs.get(id)?.input;
      expect(input, `the pre-mask input of survivor ${id} in round ${round} attempt ${attempt}`).toBeDefined();
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] + input![i]) >>> 0;
    }
    return new FedAvg().aggregateFit(round, previous, {
      ...decodeUpdateSum(sum, UPDATE_CODEC),
      contributors: survivors.length,
    });
  };

  const expectModelsFromSurvivors: SecureBench['expectModelsFromSurvivors'] = async (job) => {
    let previous = logisticInit(MODEL_LENGTH - 1);
    for (const r of fits(job).filter((h) => h.status === 'completed')) {
      const survivors = [
        ...inputsOf({ jobId: job.id, round: r.round, computation: pb.Stage.FIT, attempt: r.attempt }).keys(),
      ].filter((id) => !r.dropped.includes(id));
      expect(survivors, `contributors of round ${r.round}`).toHaveLength(r.contributors);
      const stored = (await bench.coord.store.loadModel(job.id, r.round))!;
      expect(
        sameBits(stored, expectedModel(job.id, r.round, r.attempt, survivors, previous)),
        `round ${r.round}'s model is the survivors' FedAvg`,
      ).toBe(true);
      previous = stored;
    }
  };

  const bench = {
    transcript,
    advertised,
    startNodes,
    run,
    receivedMasked,
    inputsOf,
    expectModelsFromSurvivors,
  } as { -readonly [K in keyof SecureBench]: SecureBench[K] };

  beforeAll(async () => {
    bench.coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'),
      listen: '127.0.0.1:0',
      onParticipantMessage: (participantId, message) => transcript.push({ participantId, message }),
    });
    bench.analyst = await connectAnalystTo(bench.coord);
    // Capture each contribution's ring vector before masking (the contribution zeroes it afterwards) and its round
    // keys.
    SecureContribution.prototype.mask = function (this: SecureContribution, m: tessera.v1.ISharesForYou): Uint32Array {
      const input = (this as unknown as { words: Uint32Array }).words.slice();
      const output = originalMask.call(this, m);
      masks.push({ ref: this.ref, input, output: output.slice() });
      return output;
    };
    SecureContribution.prototype.advertise = function (this: SecureContribution): tessera.v1.IAdvertiseKeys {
      const a = originalAdvertise.call(this);
      advertised.push({ ref: this.ref, roundId: this.config.roundId.slice(), encryptionKey: a.encryptionKey!.slice() });
      return a;
    };
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    SecureContribution.prototype.mask = originalMask;
    SecureContribution.prototype.advertise = originalAdvertise;
    bench.analyst?.close();
    await bench.coord?.stop();
    tmp.cleanup();
  });
  return bench;
}
