import { beforeAll, describe, expect, it } from 'vitest';
import {
  BfvAccumulator,
  BfvDecryptor,
  BfvEncryptor,
  BfvKeyPair,
  chooseBfvParameters,
  HeError,
  loadSeal,
  plainModulusOf,
  validateBfvParameters,
  type BfvParameters,
} from '../src/index.js';
import { EnvelopeKind, unwrap, wrap } from '../src/envelope.js';
import { randomWords } from './helpers.js';

let params: BfvParameters;
let keys: BfvKeyPair;
let p: number;

beforeAll(async () => {
  await loadSeal();
  params = chooseBfvParameters({ participants: 1000, bitsPerCoordinate: 16 });
  p = plainModulusOf(params);
  keys = BfvKeyPair.generate(params);
});

function expectHeError(f: () => unknown, code: HeError['code'], message: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(HeError);
  expect((thrown as HeError).code).toBe(code);
  expect((thrown as HeError).message).toMatch(message);
}

describe('BFV parameter choice', () => {
  it('chooses n = 4096, SEAL default coefficient modulus, a 32-bit batching prime', () => {
    expect(params.polyModulusDegree).toBe(4096);
    expect(params.slots).toBe(4096);
    expect(params.coeffModulusBits).toEqual([36, 36, 37]);
    expect(params.securityLevel).toBe(128);
    expect(p).toBeLessThan(2 ** 32);
    expect(p).toBeGreaterThan(2 ** 31);
    expect(p % 8192).toBe(1);
    expect(p).toBeGreaterThan(1000 * 2 ** 16);
  });

  it('honours maxPlainBits and refuses sums that could wrap, naming secure.bits and the participants', () => {
    const small = chooseBfvParameters({ participants: 10, bitsPerCoordinate: 8, maxPlainBits: 20 });
    expect(plainModulusOf(small)).toBeLessThan(2 ** 20);
    expect(plainModulusOf(small) % 8192).toBe(1);
    expectHeError(
      () => chooseBfvParameters({ participants: 1000, bitsPerCoordinate: 24 }),
      'impossible',
      /secure\.bits = 24.*1000 participants|1000 participants.*secure\.bits = 24/,
    );
    expectHeError(
      () => chooseBfvParameters({ participants: 1000, bitsPerCoordinate: 24 }),
      'impossible',
      /lower secure\.bits to 22 or fewer.*at most 255 participants/,
    );
    expectHeError(
      () => chooseBfvParameters({ participants: 2, bitsPerCoordinate: 2, maxPlainBits: 13 }),
      'impossible',
      /no 13-bit prime p = 1 mod 8192/,
    );
    expectHeError(() => chooseBfvParameters({ participants: 0, bitsPerCoordinate: 8 }), 'bad-input', /participants/);
    expectHeError(() => chooseBfvParameters({ participants: 5, bitsPerCoordinate: 40 }), 'bad-input', /secure\.bits/);
  });

  it('refuses parameters below 128-bit security or with an unusable plaintext modulus', () => {
    expectHeError(
      () => validateBfvParameters({ ...params, coeffModulusBits: [40, 40, 40] }),
      'bad-parameters',
      /coeffModulusBits total 120 bits .* exceeds 109/,
    );
    expectHeError(
      () => validateBfvParameters({ ...params, plainModulus: p - 2 }),
      'bad-parameters',
      new RegExp(`plainModulus ${p - 2} is not prime`),
    );
    expectHeError(
      () => validateBfvParameters({ ...params, plainModulus: 4294967291 }),
      'bad-parameters',
      /plainModulus 4294967291 does not support batching: p mod 2n = \d+/,
    );
    expectHeError(
      () => validateBfvParameters({ ...params, plainModulus: 2n ** 32n + 15n }),
      'bad-parameters',
      /must be below 2\^32/,
    );
    expectHeError(
      () => validateBfvParameters({ ...params, polyModulusDegree: 3000, slots: 3000 }),
      'bad-parameters',
      /power of two/,
    );
    expectHeError(
      () => validateBfvParameters({ ...params, securityLevel: 64 as 128 }),
      'bad-parameters',
      /securityLevel/,
    );
    expect(() => validateBfvParameters(params)).not.toThrow();
  });
});

describe('BFV keys and bytes are validated', () => {
  it('a secret key from another key pair does not decrypt the sum (the noise budget check refuses it)', () => {
    const other = BfvKeyPair.generate(params);
    const encryptor = new BfvEncryptor(params, keys.publicKey);
    const wrong = new BfvDecryptor(params, other.secretKeyBytes());
    const right = new BfvDecryptor(params, keys.secretKeyBytes());
    try {
      const words = randomWords(100, p);
      const chunks = encryptor.encrypt(words);
      expect(Array.from(right.decrypt(chunks, 100))).toEqual(Array.from(words));
      expect(wrong.noiseBudget(chunks[0])).toBe(0);
      expectHeError(() => wrong.decrypt(chunks, 100), 'noise-exhausted', /noise budget is 0 bits.*another key pair/);
    } finally {
      encryptor.dispose();
      wrong.dispose();
      right.dispose();
    }
  });

  it('refuses to decode a sum whose noise budget is exhausted by too many additions', () => {
    // n = 2048 (one 54-bit prime) leaves only about 11 bits of budget with a 32-bit p.
    const tiny: BfvParameters = {
      polyModulusDegree: 2048,
      slots: 2048,
      coeffModulusBits: [54],
      plainModulus: 4294955009,
      securityLevel: 128,
    };
    const tinyKeys = BfvKeyPair.generate(tiny);
    const encryptor = new BfvEncryptor(tiny, tinyKeys.publicKey);
    const accumulator = new BfvAccumulator(tiny, 1);
    const decryptor = new BfvDecryptor(tiny, tinyKeys.secretKeyBytes());
    try {
      const [chunk] = encryptor.encrypt(Uint32Array.of(1, 2, 3));
      const fresh = decryptor.noiseBudget(chunk);
      expect(fresh).toBeGreaterThan(5);
      for (let k = 0; k < 2 ** (fresh + 2); k++) accumulator.add(0, chunk);
      expectHeError(
        () => decryptor.decrypt(accumulator.result(), 3),
        'noise-exhausted',
        /chunk 0: the invariant noise budget is 0 bits.*more additions/,
      );
    } finally {
      encryptor.dispose();
      accumulator.dispose();
      decryptor.dispose();
    }
  });

  it('refuses ciphertexts under other parameters, truncated or corrupted bytes, and wrong-kind objects', async () => {
    const encryptor = new BfvEncryptor(params, keys.publicKey);
    const accumulator = new BfvAccumulator(params, 1);
    // same n, other p
    const otherParams = chooseBfvParameters({ participants: 10, bitsPerCoordinate: 8, maxPlainBits: 31 });
    const otherKeys = BfvKeyPair.generate(otherParams);
    const otherEncryptor = new BfvEncryptor(otherParams, otherKeys.publicKey);
    const decryptor = new BfvDecryptor(params, keys.secretKeyBytes());
    try {
      const words = randomWords(500, p);
      const [good] = encryptor.encrypt(words);
      const [foreign] = otherEncryptor.encrypt(randomWords(500, 1000));

      expectHeError(
        () => accumulator.add(0, foreign),
        'wrong-parameters',
        /chunk 0 was made under other encryption parameters/,
      );
      // With the envelope's parms id forged, SEAL's own load refuses the ciphertext (its parms id is unknown to the
      // context).
      const forged = wrap(
        EnvelopeKind.BfvCiphertext,
        keyIdOf(good),
        unwrap(foreign, EnvelopeKind.BfvCiphertext, keyIdOf(foreign)),
      );
      expectHeError(() => accumulator.add(0, forged), 'bad-bytes', /refused by SEAL \(ciphertext data is invalid\)/);

      expectHeError(() => accumulator.add(0, good.subarray(0, good.length - 100)), 'bad-bytes', /checksum mismatch/);
      expectHeError(() => accumulator.add(0, good.subarray(0, 20)), 'bad-bytes', /too short/);
      for (const at of [2, 30, 5000, good.length - 20, good.length - 1]) {
        const corrupted = good.slice();
        corrupted[at] ^= 0x40;
        expectHeError(() => accumulator.add(0, corrupted), 'bad-bytes', /checksum mismatch|bad magic/);
      }
      expectHeError(
        () => accumulator.add(0, keys.publicKey),
        'bad-bytes',
        /chunk 0: expected a BFV ciphertext, but the bytes hold a BFV public key/,
      );
      expectHeError(() => accumulator.add(0, 'nope' as unknown as Uint8Array), 'bad-bytes', /expected a Uint8Array/);
      expectHeError(() => accumulator.add(1, good), 'bad-input', /chunk index 1 is outside 0\.\.0/);
      expectHeError(() => accumulator.result(), 'bad-state', /chunk 0 has no ciphertext yet/);

      // Refused input changed nothing: the accumulator still sums correctly.
      accumulator.add(0, good);
      expect(Array.from(decryptor.decrypt(accumulator.result(), 500))).toEqual(Array.from(words));
    } finally {
      encryptor.dispose();
      accumulator.dispose();
      otherEncryptor.dispose();
      decryptor.dispose();
    }
  });

  it('refuses a public key that is not valid for the declared parameters', () => {
    const big = chooseBfvParameters({ participants: 10, bitsPerCoordinate: 8 });
    const bigger: BfvParameters = {
      ...big,
      polyModulusDegree: 8192,
      slots: 8192,
      coeffModulusBits: [43, 43, 44, 44, 44],
      plainModulus: 4294475777,
    };
    const biggerKeys = BfvKeyPair.generate(bigger);
    expectHeError(
      () => new BfvEncryptor(params, biggerKeys.publicKey),
      'wrong-parameters',
      /a BFV public key was made under other encryption parameters/,
    );
    expectHeError(
      () => new BfvEncryptor(params, keys.secretKeyBytes()),
      'bad-bytes',
      /expected a BFV public key, but the bytes hold a BFV secret key/,
    );
    // Correct envelope, but the payload is another parameter set's key: SEAL's validating load refuses it.
    const forged = wrap(
      EnvelopeKind.BfvPublicKey,
      keyIdOf(keys.publicKey),
      unwrap(biggerKeys.publicKey, EnvelopeKind.BfvPublicKey, keyIdOf(biggerKeys.publicKey)),
    );
    expectHeError(() => new BfvEncryptor(params, forged), 'bad-bytes', /a BFV public key: refused by SEAL/);
    const truncated = keys.publicKey.subarray(0, keys.publicKey.length - 1);
    expectHeError(() => new BfvEncryptor(params, truncated), 'bad-bytes', /checksum mismatch/);
    expectHeError(
      () => new BfvDecryptor(params, keys.publicKey),
      'bad-bytes',
      /expected a BFV secret key, but the bytes hold a BFV public key/,
    );
  });

  it('refuses words not below p and mismatched chunk counts', () => {
    const encryptor = new BfvEncryptor(params, keys.publicKey);
    const decryptor = new BfvDecryptor(params, keys.secretKeyBytes());
    const accumulator = new BfvAccumulator(params, 2);
    try {
      expectHeError(
        () => encryptor.encrypt(Uint32Array.of(1, 2, p)),
        'bad-input',
        new RegExp(`word 2 = ${p} is not below the plaintext modulus`),
      );
      expectHeError(() => encryptor.encrypt([1, 2] as unknown as Uint32Array), 'bad-input', /Uint32Array/);
      expectHeError(
        () => accumulator.subtractPlain(0, new Uint32Array(params.slots + 1)),
        'bad-input',
        /at most 4096 fit/,
      );
      const chunks = encryptor.encrypt(new Uint32Array(5000));
      expectHeError(() => decryptor.decrypt(chunks, 9000), 'bad-input', /needs 3 chunks, got 2/);
      expectHeError(() => accumulator.addVector(chunks.slice(0, 1)), 'bad-input', /expected 2 ciphertext chunks/);
      encryptor.dispose();
      expectHeError(() => encryptor.encrypt(new Uint32Array(1)), 'bad-state', /disposed/);
    } finally {
      encryptor.dispose();
      decryptor.dispose();
      accumulator.dispose();
    }
  });

  it('keeps the secret key out of toString, JSON and inspect', async () => {
    const { inspect } = await import('node:util');
    const secret = Buffer.from(keys.secretKeyBytes()).toString('base64').slice(100, 160);
    expect(JSON.stringify(keys)).not.toContain(secret);
    expect(JSON.stringify(keys)).toContain(Buffer.from(keys.publicKey).toString('base64').slice(100, 160));
    expect(String(keys)).toMatch(/secret key hidden/);
    expect(inspect(keys, { showHidden: true, depth: 5 })).not.toContain(secret);
    expect(Object.keys(keys)).not.toContain('secretKey');
  });
});

/** The 16-byte parameter id in an envelope. */
function keyIdOf(bytes: Uint8Array): Uint8Array {
  return bytes.slice(8, 24);
}
