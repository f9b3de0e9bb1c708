import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { decodeUpdateSum } from '@tessera/fl';
import { FedAvg } from '@tessera/fl';
import { logisticInit } from '@tessera/ml';
import type { ParticipantNode } from '@tessera/participant';
import { tessera } from '@tessera/proto';
import { AnalystClient, type JobView } from '@tessera/sdk';
import { SecureContribution } from '../../participant/src/secure-contribution.js';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, shards, startNode } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const pb = tessera.v1;
type Ref = tessera.v1.ITaskRef;

const fits = (job: JobView, round?: number) => job.history.filter((h) => h.stage === 'fit' && (round === undefined || h.round === round));

/** What one participant's SecureContribution masked: its ring vector before and after masking. */
interface MaskCapture {
  ref: Ref;
  input: Uint32Array;
  output: Uint32Array;
}

/** What one participant's SecureContribution advertised, with the round it belongs to. */
interface AdvertiseCapture {
  ref: Ref;
  roundId: Uint8Array;
  encryptionKey: Uint8Array;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('secure aggregation (SecAgg+) over real gRPC on loopback', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const transcript: { participantId: string; message: tessera.v1.ParticipantMessage }[] = [];
  const masks: MaskCapture[] = [];
  const advertised: AdvertiseCapture[] = [];
  const nodes: ParticipantNode[] = [];
  const originalMask = SecureContribution.prototype.mask;
  const originalAdvertise = SecureContribution.prototype.advertise;

  const spec = (dataset: string, extra: Record<string, unknown> = {}) => ({
    dataset, label: 'benign', rounds: 2, minParticipants: 3, roundTimeoutSeconds: 10, waitForParticipantsSeconds: 15, maxRoundAttempts: 3, seed: 11, ...extra,
  });

  const startNodes = async (dataset: string, count: number, options: (i: number) => Parameters<typeof startNode>[5] = () => ({})) => {
    const started: ParticipantNode[] = [];
    for (const [i, part] of shards(BREAST_CANCER, count).entries()) {
      const node = await startNode(coord, tmp.dir, `${dataset}-${i}`, dataset, part, options(i));
      nodes.push(node);
      started.push(node);
    }
    return started;
  };

  beforeAll(async () => {
    coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0',
      onParticipantMessage: (participantId, message) => transcript.push({ participantId, message }),
    });
    analyst = new AnalystClient(coord.address, coord.analystToken);
    // Capture each participant's ring vector before masking (the contribution zeroes it afterwards) and its round keys.
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
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('a masked job with five participants completes and matches a plaintext run on the same data and seed', async () => {
    const dataset = 'bc-five';
    await startNodes(dataset, 5);
    const t0 = Date.now();
    coord.events.on('*', (_id: string, m: string) => console.log(Date.now() - t0, m));
    const masked = await analyst.watch((await analyst.submit(spec(dataset, { rounds: 3 }))).id);
    const t1 = Date.now();
    const plain = await analyst.watch((await analyst.submit(spec(dataset, { rounds: 3, secure: { mode: 'none' } }))).id);
    const t2 = Date.now();
    console.log(t1 - t0, t2 - t1);
    expect(masked.status, masked.error).toBe('completed');
    expect(plain.status, plain.error).toBe('completed');
    const a = (await analyst.result(masked.id)).weights;
    const b = (await analyst.result(plain.id)).weights;
    console.log(Math.max(...a.map((x, i) => Math.abs(x - b[i]))));
    console.log(fits(masked), fits(plain));
  });
});
