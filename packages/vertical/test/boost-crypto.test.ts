import { describe, expect, it } from 'vitest';
import { GuestCrypto } from '../src/boost/guest-crypto.js';
import { boostHeParams } from '../src/boost/he-context.js';
import { HostCrypto } from '../src/boost/host-crypto.js';
import { seededRandom } from '@tessera/ml';

describe('encrypted bin sums (hybrid diagonal method)', () => {
  it('equal the plaintext bin sums exactly, across two ciphertexts of rows', async () => {
    const params = await boostHeParams(16, 32);
    const guest = await GuestCrypto.create(params);
    const host = await HostCrypto.create(params, guest.galoisKey);
    try {
      const rows = guest.rowsPerCiphertext + 500;
      const random = seededRandom('boost-crypto');
      // Values near the packing limits: |G| and H sums stay below 2^29.
      const g = Int32Array.from({ length: rows }, () => random.int(2 ** 16 + 1) - 2 ** 15);
      const h = Int32Array.from({ length: rows }, () => random.int(2 ** 15));
      const bins = [0, 1].map(() => Uint8Array.from({ length: rows }, () => random.int(16)));
      const node = Uint32Array.from({ length: rows }, (_, i) => i).filter(() => random.int(3) > 0);
      host.setGradients(guest.encrypt(g, h));
      const histogram = host.groupHistogram(node, bins);
      const sums = guest.decryptClasses(histogram);
      // Beyond the class sums the guest sees only the host's mask: slots uniform mod p (a 60-bit prime), where
      // unmasked partial sums would all be small. Expect no slot below 2^40 (chance about 2^-20 each).
      const raw = guest.rawSlots(histogram);
      const small = raw.filter((w) => w < 2n ** 40n || w > BigInt(params.plainModulus) - 2n ** 40n).length;
      expect(small).toBeLessThanOrEqual(2);
      expect(sums.noiseBudget).toBeGreaterThan(0);
      for (let f = 0; f < 2; f++) {
        const eg = new Array(16).fill(0);
        const eh = new Array(16).fill(0);
        for (const r of node) {
          eg[bins[f]![r]!] += g[r]!;
          eh[bins[f]![r]!] += h[r]!;
        }
        expect(Array.from({ length: 16 }, (_, b) => sums.g[f * 16 + b]!)).toEqual(eg);
        expect(Array.from({ length: 16 }, (_, b) => sums.h[f * 16 + b]!)).toEqual(eh);
      }
    } finally {
      host.dispose();
      guest.dispose();
    }
  }, 30_000);

  it('are the same when one chunk is split by rotation step between worker threads, and asynchronously', async () => {
    const params = await boostHeParams(8, 32);
    const guest = await GuestCrypto.create(params);
    const random = seededRandom('boost-crypto-split');
    const rows = 700;
    const g = Int32Array.from({ length: rows }, () => random.int(2001) - 1000);
    const h = Int32Array.from({ length: rows }, () => random.int(1000));
    const bins = [0, 1, 2, 3].map(() => Uint8Array.from({ length: rows }, () => random.int(8)));
    const node = Uint32Array.from({ length: rows }, (_, i) => i).filter(() => random.int(2) > 0);
    const chunks = guest.encrypt(g, h);
    try {
      for (const threads of [1, 3]) {
        const host = await HostCrypto.create(params, guest.galoisKey, threads);
        try {
          expect(host.threads).toBe(threads);
          host.setGradients(chunks);
          const sums = guest.decryptClasses(host.groupHistogram(node, bins));
          const eg = new Array(32).fill(0);
          const eh = new Array(32).fill(0);
          for (const r of node)
            for (let f = 0; f < 4; f++) {
              eg[f * 8 + bins[f]![r]!] += g[r]!;
              eh[f * 8 + bins[f]![r]!] += h[r]!;
            }
          expect(Array.from(sums.g)).toEqual(eg);
          expect(Array.from(sums.h)).toEqual(eh);
          // Without blocking: two calls at once queue behind each other and give the same sums.
          const [a, b] = await Promise.all([
            host.groupHistogramAsync(node, bins),
            host.groupHistogramAsync(node, bins),
          ]);
          for (const bytes of [a, b]) {
            const again = guest.decryptClasses(bytes);
            expect(Array.from(again.g)).toEqual(eg);
            expect(Array.from(again.h)).toEqual(eh);
          }
        } finally {
          host.dispose();
        }
      }
    } finally {
      guest.dispose();
    }
  }, 60_000);
});
