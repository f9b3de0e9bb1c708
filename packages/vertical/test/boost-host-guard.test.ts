// A SecureBoost guest that does not follow the tree's shape: the host refuses to split or sum row sets it chose.
import { describe, expect, it } from 'vitest';
import { HostTreeGuard } from '../src/boost/tree-guard.js';
import { boostHeParams, SecureBoostHost } from '@tessera/vertical';

const rows = (...r: number[]) => Uint32Array.from(r);
const range = (a: number, b: number) => Uint32Array.from({ length: b - a }, (_, i) => a + i);

describe("the host's tree guard", () => {
  it('lets an honest tree grow: root, host and guest splits, smaller children, larger children by subtraction', () => {
    const g = new HostTreeGuard(8, 3);
    g.startTree(0);
    g.histogram(0, range(0, 8));
    g.split(range(0, 8), range(0, 3)); // a host split of the root: 0..2 left
    g.histogram(-1, range(0, 3)); // the smaller child's sums; the larger (3..7) is parent minus it
    g.histogram(-2, range(0, 1)); // the guest divides 0..2 (a guest split)
    g.split(range(3, 8), range(3, 5)); // a host split of the larger child
    g.startTree(1);
    g.histogram(0, range(0, 8));
  });

  it('refuses splits and sums of row sets that are not nodes of the tree', () => {
    const g = new HostTreeGuard(8, 3);
    g.startTree(0);
    // One customer's bin, asked directly: not a node.
    expect(() => g.split(rows(5), rows(5))).toThrow(/no open node of tree 0/);
    expect(() => g.histogram(3, rows(5))).toThrow(/not a node of tree 0/);
    // The root split twice (a second threshold on the same rows) is refused.
    g.split(range(0, 8), range(0, 4));
    expect(() => g.split(range(0, 8), range(0, 2))).toThrow(/no open node/);
    // A child that is not one side of the host's split.
    expect(() => g.histogram(-1, range(0, 2))).toThrow(/no child of a node/);
    g.histogram(-1, range(0, 4));
    expect(() => g.histogram(-1, range(0, 4))).toThrow(/no child of a node/);
  });

  it('bounds the splits per tree by the depth, and trees only go forward', () => {
    const g = new HostTreeGuard(64, 2);
    g.startTree(0);
    g.histogram(-1, range(0, 32));
    g.histogram(-1, range(0, 16));
    g.histogram(-1, range(32, 48));
    expect(() => g.histogram(-1, range(0, 8))).toThrow(/more than 3 splits in tree 0 \(depth 2\)/);
    g.startTree(1);
    expect(() => g.startTree(1)).toThrow(/trees only go forward/);
    expect(() => g.startTree(0)).toThrow(/trees only go forward/);
  });
});

describe('the SecureBoost host at setup', () => {
  it("refuses encryption parameters that are not those of the job's bins, or too many classes", async () => {
    const column = Float64Array.from({ length: 16 }, (_, i) => i);
    const params = await boostHeParams(16);
    const setup = { kind: 'boost-setup' as const, galoisKey: new Uint8Array(0), bins: 16, rows: 16 };
    await expect(
      new SecureBoostHost(0, [column]).setup({ ...setup, params: { ...params, classes: 4096 } }),
    ).rejects.toThrow(/4096 classes per ciphertext, at most 512/);
    await expect(
      new SecureBoostHost(0, [column]).setup({ ...setup, params: { ...params, binSlots: 64 } }),
    ).rejects.toThrow(/not those of 16 bins/);
    await expect(
      new SecureBoostHost(0, [column]).setup({ ...setup, params: { ...params, plainModulus: '65537' } }),
    ).rejects.toThrow(/not those of 16 bins/);
  });
});
