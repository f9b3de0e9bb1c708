import { describe, expect, it, beforeAll } from 'vitest';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { BfvAccumulator, BfvEncryptor, bfvChunkCount, plainModulusOf } from '@tessera/he';
import { encodeUpdate, encodeWide, type SumDecoding } from '@tessera/fl';
import { seededRandom, standardisationFrom } from '@tessera/ml';
import { AnalystClient } from '../../client/src/analyst.js';
import { AnalystIdentity } from '../../client/src/analyst-identity.js';
import {
  type AnalystKeys,
  AnalystKeysError,
  createAnalystKeys,
  loadAnalystKeys,
  saveAnalystKeys,
} from '../../client/src/sealed/analyst-keys.js';
import { answerAggregate, strategyForJob, type SealedJobSpec } from '../../client/src/sealed/sealed-analyst.js';
import { sealedSpec } from '../../client/src/analyst.js';
import { tempDir } from './helpers.js';

let keys: AnalystKeys;
beforeAll(async () => {
  keys = await createAnalystKeys();
});

const spec: SealedJobSpec = {
  strategy: { name: 'fedavg', fractionFit: 1, serverLearningRate: 1 },
  minParticipants: 2,
  seed: '7',
};

/** Encrypts each participant's words under the analyst key and adds them as the coordinator would. */
function sealedSum(vectors: Uint32Array[]): Uint8Array[] {
  const length = vectors[0].length;
  const enc = new BfvEncryptor(keys.params, keys.publicKey);
  const acc = new BfvAccumulator(keys.params, bfvChunkCount(keys.params, length));
  try {
    for (const v of vectors) acc.addVector(enc.encrypt(v));
    return acc.result();
  } finally {
    enc.dispose();
    acc.dispose();
  }
}

describe('analyst keys', () => {
  it('are made for n = 4096 and the largest 32-bit batching prime', () => {
    expect(keys.params.polyModulusDegree).toBe(4096);
    expect(keys.sealedParams).toEqual({
      polyModulusDegree: 4096,
      coeffModulusBits: [...keys.params.coeffModulusBits],
      plainModulus: 4294828033,
    });
    expect(keys.publicKey.length).toBeGreaterThan(1000);
  });

  it('never show the secret key in toString, JSON.stringify or util.inspect', () => {
    const secret = Buffer.from(keys.secretKeyBytes());
    const b64 = secret.toString('base64');
    const hex = secret.subarray(40, 72).toString('hex');
    for (const text of [
      String(keys),
      `${keys}`,
      JSON.stringify(keys),
      JSON.stringify({ keys }),
      inspect(keys, { depth: 10, showHidden: true }),
      inspect({ keys }, { depth: 10 }),
    ]) {
      expect(text).not.toContain(b64.slice(60, 120));
      expect(text).not.toContain(hex);
      expect(text.length).toBeLessThan(2000);
    }
    expect(JSON.parse(JSON.stringify(keys))).toEqual({
      params: keys.sealedParams,
      publicKeySha256: keys.fingerprint,
      identity: keys.identityHex,
    });
    const identitySecret = Buffer.from(keys.identitySecretKeyBytes()).toString('base64');
    for (const text of [String(keys), JSON.stringify(keys), inspect(keys, { depth: 10, showHidden: true })])
      expect(text).not.toContain(identitySecret);
    expect(Object.keys(keys)).not.toContain('secretKey');
    // a copy each time: changing it does not change the keys
    const copy = keys.secretKeyBytes();
    copy[50] ^= 0xff;
    expect(keys.secretKeyBytes()[50]).not.toBe(copy[50]);
  });

  it('save with mode 0600 and load back to working keys', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'analyst-keys.json');
      saveAnalystKeys(file, keys);
      if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(doc.format).toBe('tessera-analyst-keys');
      expect(doc.version).toBe(2);
      expect(doc.identity).toBe(keys.identityHex);
      expect(doc.params).toEqual(keys.sealedParams);
      expect(doc.publicKey).toBe(Buffer.from(keys.publicKey).toString('base64'));
      const loaded = await loadAnalystKeys(file);
      expect(loaded.fingerprint).toBe(keys.fingerprint);
      expect(Buffer.from(loaded.secretKeyBytes()).equals(Buffer.from(keys.secretKeyBytes()))).toBe(true);
      expect(loaded.identityHex).toBe(keys.identityHex);
      expect(Buffer.from(loaded.keySignature()).equals(Buffer.from(keys.keySignature()))).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('refuse to overwrite an existing file unless asked', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'keys.json');
      writeFileSync(file, 'precious');
      expect(() => saveAnalystKeys(file, keys)).toThrow(/keys\.json already exists: refusing to overwrite/);
      expect(readFileSync(file, 'utf8')).toBe('precious');
      chmodSync(file, 0o644);
      saveAnalystKeys(file, keys, { overwrite: true });
      expect((await loadAnalystKeys(file)).fingerprint).toBe(keys.fingerprint);
    } finally {
      cleanup();
    }
  });

  it('refuse bad files, naming the file and the field', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'bad.json');
      const good = {
        format: 'tessera-analyst-keys',
        version: 2,
        params: keys.sealedParams,
        publicKey: Buffer.from(keys.publicKey).toString('base64'),
        secretKey: Buffer.from(keys.secretKeyBytes()).toString('base64'),
        identity: keys.identityHex,
        identitySecretKey: Buffer.from(keys.identitySecretKeyBytes()).toString('base64'),
      };
      const refuse = async (doc: unknown, pattern: RegExp) => {
        writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
        const err = await loadAnalystKeys(file).catch((e: Error) => e);
        expect(err).toBeInstanceOf(AnalystKeysError);
        expect((err as Error).message).toContain(file);
        expect((err as Error).message).toMatch(pattern);
        expect((err as Error).message).not.toContain(good.secretKey.slice(100, 160));
      };
      await refuse('{not json', /not valid JSON/);
      await refuse(
        { ...good, params: { ...good.params, plainModulus: 65537 } },
        /publicKey is not a BFV public key for these parameters: .*other encryption parameters/,
      );
      await refuse({ ...good, format: 'pem' }, /format must be "tessera-analyst-keys"/);
      await refuse({ ...good, version: 1 }, /version must be 2/);
      await refuse({ ...good, identitySecretKey: undefined }, /identitySecretKey must be a non-empty base64 string/);
      await refuse(
        { ...good, params: { ...good.params, plainModulus: 'big' } },
        /params\.plainModulus must be an integer/,
      );
      await refuse({ ...good, params: { ...good.params, plainModulus: 65538 } }, /params are not valid BFV parameters/);
      await refuse({ ...good, publicKey: 'not base64!' }, /publicKey must be a non-empty base64 string/);
      await refuse({ ...good, secretKey: undefined }, /secretKey must be a non-empty base64 string/);
      await refuse({ ...good, publicKey: good.secretKey }, /publicKey is not a BFV public key/);
      const flipped = Buffer.from(keys.secretKeyBytes());
      flipped[flipped.length - 5] ^= 1;
      await refuse({ ...good, secretKey: flipped.toString('base64') }, /secretKey is not a BFV secret key/);
      const other = await createAnalystKeys();
      await refuse(
        { ...good, secretKey: Buffer.from(other.secretKeyBytes()).toString('base64') },
        /do not belong together/,
      );
      await expect(loadAnalystKeys(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: no such file/);
    } finally {
      cleanup();
    }
  });
});

describe('answerAggregate', () => {
  it('statistics: decrypts the wide-encoded moments and answers [count, mean, std]', () => {
    const p = plainModulusOf(keys.params);
    const wide = { fractionBits: 16, modulus: p };
    const d = 3;
    const rng = seededRandom('stats');
    const parts = [40, 25, 61].map((rows) =>
      Array.from({ length: rows }, () => Array.from({ length: d }, (_, j) => (rng.float() - 0.3) * 10 * (j + 1))),
    );
    const moments = parts.map((rows) => {
      const v = new Float64Array(2 * d + 1);
      v[0] = rows.length;
      for (const r of rows)
        for (let j = 0; j < d; j++) {
          v[1 + j] += r[j];
          v[1 + d + j] += r[j] * r[j];
        }
      return v;
    });
    const chunks = sealedSum(moments.map((m) => encodeWide(m, wide)));
    const reply = answerAggregate(
      {
        jobId: 'job-1',
        round: 0,
        stage: 'statistics',
        length: (2 * d + 1) * 4,
        chunks,
        survivors: 3,
        decodeJson: JSON.stringify({ wide, features: d }),
      },
      keys,
      spec,
      'job-1',
    );
    expect(reply.error ?? '').toBe('');
    const total = moments.reduce((a, m) => a.map((x, i) => x + m[i]));
    const expected = standardisationFrom({
      count: total[0],
      sum: total.slice(1, d + 1),
      sumSquares: total.slice(d + 1),
    });
    expect(reply).toMatchObject({ jobId: 'job-1', round: 0, stage: 'statistics' });
    const values = reply.values!;
    expect(values).toHaveLength(2 * d + 1);
    expect(values[0]).toBe(126);
    for (let j = 0; j < d; j++) {
      expect(values[1 + j]).toBeCloseTo(expected.mean[j], 4);
      expect(values[1 + d + j]).toBeCloseTo(expected.std[j], 4);
    }
  });

  it("fit: decrypts the weighted updates and answers the strategy's next model", () => {
    const p = plainModulusOf(keys.params);
    const codec = { bits: 16, clip: 10, modulus: p };
    const rng = seededRandom('fit');
    const dim = 5000; // two ciphertexts
    const global = Float64Array.from({ length: dim }, () => rng.float() - 0.5);
    const deltas = [0.5, 0.3, 0.2].map((w) => ({
      w,
      delta: Float64Array.from({ length: dim }, () => (rng.float() - 0.5) * 0.1),
    }));
    const encoded = deltas.map(({ w, delta }) => encodeUpdate(delta, w, codec, rng).words);
    const chunks = sealedSum(encoded);
    expect(chunks).toHaveLength(2);
    const decoding: SumDecoding = { kind: 'update', codec, uniformWeights: false };
    const aggregate = {
      jobId: 'job-2',
      round: 3,
      stage: 'fit',
      length: dim + 1,
      chunks,
      model: [...global],
      survivors: 3,
      decodeJson: JSON.stringify({ decoding }),
    };
    const reply = answerAggregate(aggregate, keys, spec, 'job-2');
    expect(reply.error ?? '').toBe('');
    // the expectation: the plaintext ring sum, decoded and aggregated the same way
    const sum = new Uint32Array(dim + 1);
    for (const e of encoded) for (let i = 0; i <= dim; i++) sum[i] = (sum[i] + e[i]) % p;
    const level = 2 ** 15 - 1;
    const centred = (r: number) => (r >= p / 2 ? r - p : r);
    const totalWeight = centred(sum[dim]) / level;
    const expected = global.map((g, i) => g + (centred(sum[i]) * (codec.clip / level)) / totalWeight);
    const viaStrategy = strategyForJob(spec, 'job-2').aggregateFit(3, global, {
      weightedSum: Float64Array.from({ length: dim }, (_, i) => centred(sum[i]) * (codec.clip / level)),
      totalWeight,
      contributors: 3,
    });
    expect(reply.values).toHaveLength(dim);
    for (let i = 0; i < dim; i += 97) {
      expect(reply.values![i]).toBeCloseTo(expected[i], 9);
      expect(reply.values![i]).toBeCloseTo(viaStrategy[i], 12);
    }
    // and the weighted mean of the true deltas, up to quantisation
    for (let i = 0; i < dim; i += 331) {
      const mean = deltas.reduce((s, { w, delta }) => s + w * delta[i], 0) / 1;
      expect(reply.values![i] - global[i]).toBeCloseTo(mean, 3);
    }
  });

  it('answers with an error when the aggregate cannot be used', async () => {
    const p = plainModulusOf(keys.params);
    const wide = { fractionBits: 16, modulus: p };
    const chunks = sealedSum([encodeWide([1, 2, 3], wide), encodeWide([1, 4, 5], wide)]);
    const base = {
      jobId: 'job-3',
      round: 0,
      stage: 'statistics',
      length: 12,
      chunks,
      survivors: 2, // the spec's minParticipants: the analyst decrypts no sum of fewer
      decodeJson: JSON.stringify({ wide, features: 1 }),
    };
    expect(answerAggregate(base, keys, spec, 'job-3').values).toHaveLength(3);
    const other = await createAnalystKeys();
    const foreign = answerAggregate(base, other, spec, 'job-3');
    expect(foreign.values ?? []).toHaveLength(0);
    expect(foreign.error).toMatch(/could not use the statistics aggregate of round 0/);
    const corrupt = Buffer.from(chunks[0]);
    corrupt[corrupt.length - 3] ^= 1;
    expect(answerAggregate({ ...base, chunks: [corrupt] }, keys, spec, 'job-3').error).toMatch(/could not use/);
    expect(answerAggregate({ ...base, decodeJson: '{' }, keys, spec, 'job-3').error).toMatch(
      /decode_json is not valid JSON/,
    );
    expect(
      answerAggregate({ ...base, decodeJson: JSON.stringify({ wide, features: 4 }) }, keys, spec, 'job-3').error,
    ).toMatch(/has length 12, not the 36 of 4 features/);
    expect(answerAggregate({ ...base, stage: 'evaluate' }, keys, spec, 'job-3').error).toMatch(/unknown stage/);
    expect(answerAggregate({ ...base, stage: 'fit', decodeJson: '{}' }, keys, spec, 'job-3').error).toMatch(
      /decode_json\.decoding/,
    );
    expect(answerAggregate(base, keys, spec, 'job-4').error).toMatch(/for job job-3, not job-4/);
    expect(answerAggregate({ ...base, survivors: 0 }, keys, spec, 'job-3').error).toMatch(/no survivors/);
    expect(answerAggregate({ ...base, survivors: 1 }, keys, spec, 'job-3').error).toMatch(
      /sums 1 participant\(s\), fewer than the 2 the job spec requires/,
    );
  });
});

describe('sealed submission', () => {
  it('adds secure.mode sealed when absent and refuses another explicit mode', () => {
    expect(sealedSpec({ dataset: 'x' })).toEqual({ dataset: 'x', secure: { mode: 'sealed' } });
    expect(sealedSpec({ secure: { bits: 16 } })).toEqual({ secure: { bits: 16, mode: 'sealed' } });
    expect(sealedSpec({ secure: { mode: 'sealed' } })).toEqual({ secure: { mode: 'sealed' } });
    expect(() => sealedSpec({ secure: { mode: 'masked' } })).toThrow(/secure\.mode "masked"/);
  });

  it('the client exposes the AttachSealed stream', () => {
    const client = new AnalystClient('127.0.0.1:1', AnalystIdentity.generate(), { mode: 'insecure' });
    try {
      expect(typeof client.attachSealedStream).toBe('function');
    } finally {
      client.close();
    }
  });
});
