// What a protocol change would save (not in the protocol yet): the guest encrypting each fetched node's own rows,
// packed, so the host's work follows the node's size instead of all rows. Simulates the 16 fetched nodes of a
// depth-5 tree at BOOST_COMPACT_ROWS rows (default 10^5; the smaller child of a split takes a seeded uniform 10 to
// 50% of its parent), runs one group (4 features x 32 bins) per node on packed node ciphertexts, checks the sums
// against plaintext, and prints chunk counts and CPU seconds against the all-rows layout.
import { seededRandom } from '@tessera/ml';
import { expect, it } from 'vitest';
import { GuestCrypto } from '../src/boost/guest-crypto.js';
import { boostHeParams } from '../src/boost/he-context.js';
import { HostCrypto } from '../src/boost/host-crypto.js';

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

it('sums packed node ciphertexts exactly, in chunks that follow the node sizes', async () => {
  const rows = Number(process.env.BOOST_COMPACT_ROWS ?? 100_000);
  const random = seededRandom('boost-compact');
  const g = Int32Array.from({ length: rows }, () => random.int(2 ** 10) - 2 ** 9);
  const h = Int32Array.from({ length: rows }, () => random.int(2 ** 9));
  const bins = [0, 1, 2, 3].map(() => Uint8Array.from({ length: rows }, () => random.int(32)));
  // The fetched nodes: the root, then the smaller child of every split above the last level.
  const nodes: Uint32Array[] = [];
  const grow = (node: Uint32Array, depth: number) => {
    if (depth === 4) return;
    const cut = Math.round(node.length * (0.1 + 0.4 * random.float()));
    const shuffled = Uint32Array.from(node);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const small = shuffled.slice(0, cut).sort();
    const big = shuffled.slice(cut).sort();
    nodes.push(small);
    grow(small, depth + 1);
    grow(big, depth + 1);
  };
  const root = Uint32Array.from({ length: rows }, (_, i) => i);
  nodes.push(root);
  grow(root, 0);
  expect(nodes.length).toBe(16);
  const params = await boostHeParams(32, 128);
  const guest = await GuestCrypto.create(params);
  const host = await HostCrypto.create(params, guest.galoisKey);
  const n = guest.rowsPerCiphertext;
  let packedChunks = 0;
  let rotationCpu = 0;
  let groupCpu = 0;
  try {
    for (const node of nodes) {
      const chunks = guest.encryptRows(g, h, node);
      packedChunks += chunks.length;
      let cpu = process.cpuUsage();
      host.setGradients(chunks);
      rotationCpu += cpuSeconds(cpu);
      cpu = process.cpuUsage();
      const bytes = host.packedHistogram(node, bins);
      groupCpu += cpuSeconds(cpu);
      const sums = guest.decryptClasses(bytes);
      const eg = new Array(128).fill(0);
      for (const r of node) for (let f = 0; f < 4; f++) eg[f * 32 + bins[f]![r]!] += g[r]!;
      expect(Array.from(sums.g)).toEqual(eg);
    }
  } finally {
    host.dispose();
    guest.dispose();
  }
  const allRowsChunks = nodes.length * Math.ceil(rows / n);
  console.log(
    JSON.stringify({
      rows,
      nodeRows: nodes.map((x) => x.length),
      packedChunks,
      allRowsChunks,
      rotationCpu: Math.round(rotationCpu),
      groupCpu: Math.round(groupCpu),
    }),
  );
}, 3_600_000);
