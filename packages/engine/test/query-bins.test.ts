import { binOf } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../src/index.js';
import { binSql, clampSql, isUniform, uniformBinSql, uniformGuessSql } from '../src/query/bin-sql.js';
import { doubleSql } from '../src/query/sql-values.js';

// The SQL binning equals binOf on every value, edges and their neighbouring doubles included.

/** numericEdges' default layout: 32 equal bins over [lo, hi]. */
const defaultEdges = (lo: number, hi: number, n = 32) =>
  Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + ((hi - lo) * i) / n));

/** The next double above (dir 1) or below (dir -1). */
function step(x: number, dir: 1 | -1): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  let bits = buf.getBigInt64(0);
  if (x === 0) return dir * Number.MIN_VALUE;
  bits += (x > 0 ? 1n : -1n) * BigInt(dir);
  buf.setBigInt64(0, bits);
  return buf.getFloat64(0);
}

describe('binning in SQL', () => {
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open();
  });
  afterAll(async () => {
    await engine.close();
  });

  /** Each value's bin by SQL (clamped first, as the engine does), in input order. */
  async function sqlBins(values: number[], edges: number[], clamp: [number, number]): Promise<number[]> {
    const list = values.map((v) => `(${doubleSql(v)})`).join(', ');
    const h = clampSql('x', clamp);
    const bin = isUniform(edges) ? uniformBinSql('h', 'b', edges) : binSql('h', edges);
    const sql =
      `SELECT ${bin} FROM (SELECT *, ${uniformGuessSql('h', edges)} AS b FROM ` +
      `(SELECT row_number() OVER () AS n, ${h} AS h FROM (VALUES ${list}) AS t(x))) ORDER BY n`;
    return (await engine.connection.runAndReadAll(sql)).getRows().map((r) => Number(r[0]));
  }

  it('equals binOf for default equal-width edges over many bounds, at and beside every edge', async () => {
    const rng = seededRandom('query-bins');
    const bounds: [number, number][] = [
      [0, 5000],
      [0.1, 2.5],
      [-2, 3],
      [-1000, 1000],
      [1e-9, 3e-9],
      [123.456, 789.012],
      [-1e15, 1e15],
    ];
    for (let k = 0; k < 25; k++) {
      const lo = (rng.float() - 0.5) * 10 ** (rng.int(12) - 4);
      bounds.push([lo, lo + rng.float() * 10 ** (rng.int(12) - 4) + 1e-12]);
    }
    for (const [lo, hi] of bounds) {
      for (const n of [32, 7, 100]) {
        const edges = defaultEdges(lo, hi, n);
        expect(isUniform(edges)).toBe(true);
        const values = edges.flatMap((e) => [e, step(e, 1), step(e, -1)]);
        for (let i = 0; i < 200; i++) values.push(lo + (hi - lo) * rng.float() * 1.2 - (hi - lo) * 0.1);
        const clamp: [number, number] = [lo, hi];
        const clampJs = (v: number) => (v < lo ? lo : v > hi ? hi : v);
        const expected = values.map((v) => binOf(edges, clampJs(v)));
        expect(await sqlBins(values, edges, clamp)).toEqual(expected);
      }
    }
  });

  it('equals binOf for unequal edges (the nested CASE search)', async () => {
    for (const edges of [
      [-1, 0, 2.25, 10, 1000],
      [0, 1],
      [-5, -0.5, 0.5, 2, 7, 100],
    ]) {
      expect(isUniform(edges)).toBe(edges.length === 2);
      const values = edges.flatMap((e) => [e, step(e, 1), step(e, -1), e + 0.3]);
      const clamp: [number, number] = [edges[0]!, edges[edges.length - 1]!];
      const expected = values.map((v) => binOf(edges, Math.min(Math.max(v, clamp[0]), clamp[1])));
      expect(await sqlBins(values, edges, clamp)).toEqual(expected);
    }
  });
});
