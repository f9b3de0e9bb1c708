// The host's encrypted bin sums on one and on two worker threads: wall and CPU time per group histogram (4
// features x 32 bins) over every row of BOOST_SPEED_ROWS rows (default 3 ciphertexts' worth), and the guest's
// decryption. Prints the figures; asserts only that both thread counts give the same exact sums.
import { seededRandom } from '@tessera/ml';
import { expect, it } from 'vitest';
import { GuestCrypto } from '../src/boost/guest-crypto.js';
import { boostHeParams } from '../src/boost/he-context.js';
import { HostCrypto } from '../src/boost/host-crypto.js';

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

it('times group histograms on 1 and 2 threads', async () => {
  const params = await boostHeParams(32, 128);
  const guest = await GuestCrypto.create(params);
  const rows = Number(process.env.BOOST_SPEED_ROWS ?? 3 * guest.rowsPerCiphertext);
  const random = seededRandom('boost-speed');
  const g = Int32Array.from({ length: rows }, () => random.int(2 ** 10) - 2 ** 9);
  const h = Int32Array.from({ length: rows }, () => random.int(2 ** 9));
  const bins = [0, 1, 2, 3].map(() => Uint8Array.from({ length: rows }, () => random.int(32)));
  const all = Uint32Array.from({ length: rows }, (_, i) => i);
  const t0 = performance.now();
  const chunks = guest.encrypt(g, h);
  const encryptMs = performance.now() - t0;
  const results: Float64Array[] = [];
  try {
    for (const threads of [1, 2]) {
      const host = await HostCrypto.create(params, guest.galoisKey, threads);
      try {
        let cpu = process.cpuUsage();
        let t = performance.now();
        host.setGradients(chunks);
        const rotMs = performance.now() - t;
        const rotCpu = cpuSeconds(cpu);
        cpu = process.cpuUsage();
        t = performance.now();
        const bytes = host.groupHistogram(all, bins);
        const groupMs = performance.now() - t;
        const groupCpu = cpuSeconds(cpu);
        t = performance.now();
        const sums = guest.decryptClasses(bytes);
        const decryptMs = performance.now() - t;
        results.push(sums.g);
        console.log(
          JSON.stringify({
            rows,
            threads,
            encryptMs,
            rotMs,
            rotCpu,
            groupMs,
            groupCpu,
            decryptMs,
            noise: sums.noiseBudget,
          }),
        );
      } finally {
        host.dispose();
      }
    }
  } finally {
    guest.dispose();
  }
  expect(Array.from(results[1]!)).toEqual(Array.from(results[0]!));
}, 900_000);
