import type { CustomerFactors, Interactions } from '../src/index.js';
import { interactionsFrom, itemCatalogue } from '../src/index.js';

/** Customer c of `data` alone, as a one-customer table, with its factors. */
export function onlyCustomer(
  data: Interactions,
  customers: CustomerFactors,
  c: number,
): { data: Interactions; customers: CustomerFactors } {
  const from = data.offsets[c]!;
  const to = data.offsets[c + 1]!;
  const { k } = customers;
  return {
    data: {
      ...data,
      customerIds: [data.customerIds[c]!],
      offsets: Uint32Array.from([0, to - from]),
      items: data.items.slice(from, to),
      strengths: data.strengths.slice(from, to),
      times: data.times.slice(from, to),
    },
    customers: {
      k,
      count: 1,
      factors: customers.factors.slice(c * k, (c + 1) * k),
      biases: customers.biases.slice(c, c + 1),
    },
  };
}

export const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

export const maxAbsDiff = (a: Float64Array, b: Float64Array) => {
  if (a.length !== b.length) throw new RangeError(`lengths ${a.length} and ${b.length} differ`);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
};

/** Three small merchants over a catalogue of six items, with counts. */
export function smallFederation(): Interactions[] {
  const catalogue = itemCatalogue(['a', 'b', 'c', 'd', 'e', 'f']);
  const table = (source: string, rows: [string, string, number][]) =>
    interactionsFrom(
      rows.map(([customer, item, count]) => ({ customer, item, count })),
      catalogue,
      { source },
    );
  return [
    table('m0', [
      ['u1', 'a', 2],
      ['u1', 'b', 1],
      ['u2', 'b', 3],
      ['u2', 'c', 1],
      ['u3', 'a', 1],
    ]),
    table('m1', [
      ['v1', 'c', 1],
      ['v1', 'd', 4],
      ['v2', 'e', 1],
      ['v2', 'a', 1],
      ['v2', 'f', 2],
    ]),
    table('m2', [
      ['w1', 'f', 1],
      ['w1', 'b', 2],
      ['w2', 'd', 1],
      ['w3', 'e', 5],
      ['w3', 'c', 1],
      ['w3', 'a', 1],
    ]),
  ];
}

/** Dense Gaussian elimination with partial pivoting, independent of the package's Cholesky solve. */
export function denseSolve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r]![col]!) > Math.abs(M[pivot]![col]!)) pivot = r;
    [M[col], M[pivot]] = [M[pivot]!, M[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = M[r]![col]! / M[col]![col]!;
      for (let c = col; c <= n; c++) M[r]![c]! -= f * M[col]![c]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}
