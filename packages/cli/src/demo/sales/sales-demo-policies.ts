// The consent policies of the sales demo's merchants: who lets the report be sold, and to whom.

/** A merchant's terms in the sales demo. */
export type DemoSalesTerms =
  /** No policy file: an open node that allows every use and every sale (as the other demos' merchants). */
  | { kind: 'open' }
  /** A policy granting the report and its valuation, with a `sales` section. */
  | { kind: 'policy'; allowed: boolean; excludeBuyers?: string[] };

/**
 * A consent policy that lets any analyst run queries on `dataset` with the `valuation` purpose (the report's row
 * counts), for a year, and says whether and to whom the data may be sold.
 */
export function salesPolicyYaml(dataset: string, terms: { allowed: boolean; excludeBuyers?: string[] }): string {
  const expires = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const exclude = terms.excludeBuyers?.length ? `  excludeBuyers: ${JSON.stringify(terms.excludeBuyers)}\n` : '';
  return (
    '# The merchant lets its data into reports with row-count valuation, and says to whom a report may be sold.\n' +
    'grants:\n' +
    '  - id: insight-reports\n' +
    '    analysts: ["*"]\n' +
    '    purposes: [query, valuation]\n' +
    '    jobKinds: [query]\n' +
    `    datasets: [${JSON.stringify(dataset)}]\n` +
    `    expires: ${expires}\n` +
    'sales:\n' +
    `  allowed: ${terms.allowed}\n` +
    '  buyers: ["*"]\n' +
    exclude
  );
}

/** Each merchant's policy text (undefined: open), in shard order. */
export function policiesOf(dataset: string, terms: readonly DemoSalesTerms[]): (string | undefined)[] {
  return terms.map((t) => (t.kind === 'open' ? undefined : salesPolicyYaml(dataset, t)));
}
