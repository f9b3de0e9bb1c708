import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { BfvDecryptor } from '@tessera/he';
import type { ParticipantNode } from '@tessera/participant';
import type { tessera } from '@tessera/proto';
import { AnalystIdentity, type AnalystClient } from '@tessera/sdk';
import { SecureContribution } from '../../participant/src/secure-contribution.js';
import { Coordinator } from '../src/index.js';
import { parseJobSpec } from '@tessera/jobs';
import { BREAST_CANCER, connectAnalystTo, shards, startNode } from './grpc-helpers.js';
import { tempDir } from './helpers.js';
import { TestSealedAnalyst } from './sealed-analyst.js';

const chiSquareUniform = (words: Uint32Array, modulus: number, bins = 16) => {
  const counts = new Array<number>(bins).fill(0);
  for (const w of words) counts[Math.floor((w / modulus) * bins)]++;
  const expected = words.length / bins;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
};

describe("sealed mode: aggregates only the analyst can read (real gRPC, BFV under the analyst's key)", () => {
  const tmp = tempDir();
  let coord: Coordinator | undefined;
  let analyst: TestSealedAnalyst | undefined;
  let plainAnalyst: AnalystClient | undefined;
  const nodes: ParticipantNode[] = [];
  const received: { participantId: string; chunk: tessera.v1.ISealedChunk }[] = [];
  const inputs: Uint32Array[] = [];
  const originalMask = SecureContribution.prototype.mask;

  afterAll(async () => {
    SecureContribution.prototype.mask = originalMask;
    await Promise.all(nodes.map((n) => n.stop()));
    analyst?.close();
    plainAnalyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('trains through encrypted sums, and what the coordinator receives decrypts only to masked vectors', async () => {
    SecureContribution.prototype.mask = function (this: SecureContribution, m: tessera.v1.ISharesForYou): Uint32Array {
      inputs.push((this as unknown as { words: Uint32Array }).words.slice());
      return originalMask.call(this, m);
    };
    coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'),
      listen: '127.0.0.1:0',
      onParticipantMessage: (participantId, message) => {
        if (message.body === 'sealed') received.push({ participantId, chunk: message.sealed! });
      },
    });
    analyst = await TestSealedAnalyst.create(coord);
    // The same analyst, through the client API: it sees the sealed analyst's jobs because they are its own.
    plainAnalyst = await connectAnalystTo(
      coord,
      'sealed-analyst',
      AnalystIdentity.fromSecretKey(analyst.identity.secretKey),
    );
    const parts = shards(BREAST_CANCER, 3);
    for (let i = 0; i < 3; i++) nodes.push(await startNode(coord, tmp.dir, `s${i}`, 'patients', parts[i]));
    const body = {
      dataset: 'patients',
      label: 'benign',
      rounds: 3,
      minParticipants: 2,
      seed: 'sealed',
      roundTimeoutSeconds: 30,
      secure: { mode: 'sealed' },
    };
    const submitted = await analyst.submit(body);
    await analyst.attach(submitted.id, parseJobSpec(body));
    const job = await plainAnalyst.get(submitted.id);
    expect(job.status, job.error).toBe('completed');
    expect(job.history.filter((h) => h.stage === 'fit' && h.status === 'completed')).toHaveLength(3);
    // The analyst answered the statistics and every round; no round carries evaluation metrics the coordinator could
    // read.
    expect(analyst.aggregates.map((a) => a.stage)).toEqual(['statistics', 'fit', 'fit', 'fit']);
    expect(job.history.every((h) => h.metrics.auc === undefined)).toBe(true);
    const model = (await plainAnalyst.result(submitted.id)).weights;
    expect(model.every(Number.isFinite)).toBe(true);

    // A colluding coordinator and analyst: every ciphertext the coordinator received decrypts to a masked vector,
    // uniform mod p and equal to no participant's input.
    const p = Number(analyst.params.plainModulus);
    const decryptor = new BfvDecryptor(analyst.params, analyst.keys.secretKeyBytes());
    try {
      const byContribution = new Map<string, Uint8Array[]>();
      for (const r of received) {
        const k = `${r.participantId}/${JSON.stringify(r.chunk.task)}`;
        byContribution.set(k, [...(byContribution.get(k) ?? []), r.chunk.ciphertext!]);
      }
      expect(byContribution.size).toBe(3 * 4); // 3 participants x (statistics + 3 rounds)
      const all: number[] = [];
      for (const chunks of byContribution.values()) {
        const words = decryptor.decrypt(chunks, 4096 * chunks.length);
        const y = words.subarray(0, 200);
        for (const x of inputs)
          expect(
            Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(
              Buffer.from(x.buffer, x.byteOffset, Math.min(x.byteLength, y.byteLength)),
            ),
          ).toBe(false);
        // every contribution is at least 33 words (d + 2); the rest of the slots are padding
        all.push(...words.subarray(0, 30));
      }
      // 360 masked words in 16 bins: chi-square with 15 degrees of freedom stays below 50 (p < 1e-5) unless far from
      // uniform.
      expect(chiSquareUniform(Uint32Array.from(all), p)).toBeLessThan(50);
      // The inputs themselves are far from uniform (small quantised values near 0 or just below p).
      expect(chiSquareUniform(Uint32Array.from(inputs.flatMap((x) => [...x.subarray(0, 30)])), p)).toBeGreaterThan(100);
    } finally {
      decryptor.dispose();
    }
  });

  it(
    'refuses a sealed job without a valid analyst key, ' +
      'and differential privacy with sealed mode, naming what to change',
    async () => {
      await expect(
        plainAnalyst!.submit({ dataset: 'patients', label: 'benign', secure: { mode: 'sealed' } }),
      ).rejects.toThrow(/needs the analyst's BFV public key/);
      const bad = Object.assign(Object.create(analyst!) as TestSealedAnalyst, {
        keys: { publicKey: new Uint8Array(500).fill(7) },
      });
      await expect(bad.submit({ dataset: 'patients', label: 'benign', secure: { mode: 'sealed' } })).rejects.toThrow(
        /public key is not valid for the declared parameters/,
      );
      // A key whose signature does not verify (as if a coordinator had swapped in its own) is refused up front.
      const forged = Object.assign(Object.create(analyst!) as TestSealedAnalyst, {
        keySigner: generateSigningKeyPair(),
      });
      await expect(forged.submit({ dataset: 'patients', label: 'benign', secure: { mode: 'sealed' } })).rejects.toThrow(
        /not signed by the analyst identity/,
      );
      // Parameters below 128-bit security (too many coefficient-modulus bits for n = 4096) are refused before any work.
      const weak = Object.assign(Object.create(analyst!) as TestSealedAnalyst, {
        wireParams: () => ({ ...analyst!.wireParams(), coeffModulusBits: [60, 60, 60] }),
      });
      await expect(weak.submit({ dataset: 'patients', label: 'benign', secure: { mode: 'sealed' } })).rejects.toThrow(
        /sealed parameters refused: .*coeffModulus|sealed parameters refused/,
      );
      await expect(
        analyst!.submit({
          dataset: 'patients',
          label: 'benign',
          secure: { mode: 'sealed' },
          privacy: { mode: 'distributed' },
        }),
      ).rejects.toThrow(/privacy\.mode: differential privacy is not available with secure\.mode sealed/);
    },
  );

  it('rejects a corrupted ciphertext with a reason, counts it, and the round goes on without its sender', async () => {
    const body = {
      dataset: 'patients',
      label: 'benign',
      rounds: 1,
      minParticipants: 2,
      seed: 'tamper',
      roundTimeoutSeconds: 20,
      secure: { mode: 'sealed' },
    };
    // One node flips a byte in the middle of its first ciphertext of every upload (its signature stays valid: it signs
    // what it sends).
    const liar = nodes[0] as unknown as { send: (body: tessera.v1.IParticipantMessage) => Promise<void> };
    const originalSend = liar.send;
    liar.send = function (this: unknown, m: tessera.v1.IParticipantMessage) {
      if (m.sealed && m.sealed.index === 0) {
        const bytes = Uint8Array.from(m.sealed.ciphertext!);
        bytes[Math.floor(bytes.length / 2)] ^= 0xff;
        return originalSend.call(this, { ...m, sealed: { ...m.sealed, ciphertext: bytes } });
      }
      return originalSend.call(this, m);
    };
    try {
      const submitted = await analyst!.submit(body);
      await analyst!.attach(submitted.id, parseJobSpec(body));
      const job = await plainAnalyst!.get(submitted.id);
      expect(job.status, job.error).toBe('completed');
      const fit = job.history.find((h) => h.stage === 'fit' && h.status === 'completed')!;
      expect(fit.contributors).toBe(2);
      expect(fit.dropped).toEqual([nodes[0].id]);
      expect(fit.metrics.rejected).toBeGreaterThanOrEqual(1);
    } finally {
      liar.send = originalSend;
    }
  });
});
