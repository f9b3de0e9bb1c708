// The recommend demo's table: the federated model against the three baselines.
import type { RecommendDemoResult } from './run-recommend-demo.js';

const f = (x: number) => x.toFixed(3);

export function printRecommendDemo({ recommend: r }: RecommendDemoResult): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const privacy =
    r.privacy.mode === 'none'
      ? 'no differential privacy'
      : `customer-level DP, epsilon ${r.privacy.epsilon}, delta ${r.privacy.delta}` +
        (r.privacy.clip !== undefined ? `, clip ${r.privacy.clip}` : '');
  out(
    `joint recommendation: ${r.participants} merchants, ${r.items} items, ${r.customers} customers evaluated ` +
      `(leave-last-out, full ranking)`,
  );
  out(`${r.algorithm.toUpperCase()}, k = ${r.k}, ${r.rounds} rounds, secure aggregation ${r.secure.mode}, ${privacy}`);
  out('');
  const rows: [string, { hr10: number; ndcg10: number; coverage: number }][] = [
    ['federated (this job)', r],
    ['centralized (pooled data: the ceiling)', r.centralized],
    ['each merchant alone (mean)', r.localOnlyMean],
    ['global popularity', r.popularity],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  out(`${'model'.padEnd(width)}  HR@10  NDCG@10  coverage`);
  for (const [name, m] of rows) out(`${name.padEnd(width)}  ${f(m.hr10)}  ${f(m.ndcg10)}    ${f(m.coverage)}`);
  out('');
  const gap = r.centralized.hr10 > 0 ? (100 * (r.centralized.hr10 - r.hr10)) / r.centralized.hr10 : 0;
  const versus = (d: number, what: string) => `${f(Math.abs(d))} ${d >= 0 ? 'above' : 'below'} ${what}`;
  out(
    `federated HR@10 is ${Math.abs(gap).toFixed(1)}% ${gap >= 0 ? 'below' : 'above'} centralized; ` +
      `${versus(r.hr10 - r.localOnlyMean.hr10, 'the merchants alone')} and ` +
      versus(r.hr10 - r.popularity.hr10, 'popularity'),
  );
  if (r.privacy.mode !== 'none')
    out(
      'the baselines are not private; under DP, coverage counts items whose noisy count of top-10 lists clears ' +
        `${r.privacy.coverageThreshold?.toFixed(1) ?? 'three noise deviations'} (an underestimate)`,
    );
  out(`customer factors stayed at each merchant; job ${r.jobId} took ${r.timing.jobSeconds.toFixed(1)} s`);
  out('serve it at a merchant: tessera job result <id> --out model.json, then tessera model recommend --help');
}
