import type { DatasetBudget } from '../config.js';
import { datasetRules, jobKindsNote, PURPOSES, type ConsentPolicy, type Grant } from './policy.js';
import { BUYER_CLASS_PREFIX } from './sales-policy.js';

const PURPOSE_WORDS: Record<string, string> = {
  train: 'training models',
  query: 'aggregate queries',
  score: 'encrypted scoring',
  valuation: 'payout valuation',
};
const words = (xs: readonly string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

function grantLine(g: Grant): string {
  const who = g.analysts.map((a) => (a === '*' ? 'any analyst' : `analyst ${a}`));
  const kinds = jobKindsNote(g.jobKinds);
  const limits = g.budget
    ? [
        g.budget.perJob !== undefined ? `${g.budget.perJob} per job` : '',
        g.budget.total !== undefined ? `${g.budget.total} in all` : '',
      ].filter(Boolean)
    : [];
  const caps = g.budget ? `, at most epsilon ${limits.join(' and ')}` : '';
  const on = g.datasets ? `data set${g.datasets.length > 1 ? 's' : ''} ${g.datasets.join(', ')}` : 'every data set';
  return (
    `grant ${g.id}: ${words(who)} may use ${on} ` +
    `for ${words(g.purposes.map((p) => PURPOSE_WORDS[p] ?? p))}${kinds}${caps}, until ${g.expires}`
  );
}

/** `any buyer`, `buyer northbank`, `buyers of class bank`. */
const buyerWords = (e: string) =>
  e === '*'
    ? 'any buyer'
    : e.startsWith(BUYER_CLASS_PREFIX)
      ? `buyers of class ${e.slice(BUYER_CLASS_PREFIX.length)}`
      : `buyer ${e}`;

/** What the policy's `sales` section allows, in one line. */
function salesLine(policy: ConsentPolicy): string {
  const s = policy.sales;
  if (!s)
    return (
      "sales: no sales section, so no product built from this node's data is sold " +
      '(add sales.allowed: true to allow sales)'
    );
  if (!s.allowed) return "sales: no product built from this node's data is sold (sales.allowed: false)";
  const never = s.excludeBuyers.length ? `, never to ${words(s.excludeBuyers.map(buyerWords))}` : '';
  const products = s.products.includes('*')
    ? ''
    : `, as product${s.products.length > 1 ? 's' : ''} ${words(s.products)} only`;
  const buyers = words(s.buyers.map(buyerWords));
  return `sales: products built from this node's data may be sold to ${buyers}${never}${products}`;
}

/** 1e-6 rather than 0.000001. */
const fmtDelta = (d: number) => (d < 1e-3 ? d.toExponential() : String(d));

function budgetLine(b: DatasetBudget | undefined): string {
  if (!b) return 'no privacy budget: private jobs are not limited in how much they spend';
  return (
    `privacy budget: epsilon ${b.epsilon} at delta ${fmtDelta(b.delta)}, ` +
    `protecting ${b.unit === 'record' ? 'each row' : "this merchant's whole data set"} ` +
    '(unit ' +
    b.unit +
    '); the node refuses any release beyond it, and only private jobs are served'
  );
}

/**
 * What a consent policy (with the node's budgets) allows, in plain words, one line per fact:
 * the grants, what no grant allows, whether and to whom products built from the data may be sold, then per data
 * set whether differential privacy is required, its budget, the minimum group size and the identifier columns.
 * Indented lines belong to the data set line above them.
 */
export function describePolicy(policy: ConsentPolicy, budgets: Record<string, DatasetBudget | undefined>): string[] {
  const out: string[] = [];
  if (policy.grants.length === 0) out.push('no grants: every request is refused');
  for (const g of policy.grants) out.push(grantLine(g));
  const granted = new Set(policy.grants.flatMap((g) => g.purposes));
  const missing = PURPOSES.filter((p) => !granted.has(p));
  if (missing.length && policy.grants.length)
    out.push(`not granted to anyone: ${words(missing.map((p) => PURPOSE_WORDS[p] ?? p))}`);
  out.push(salesLine(policy));
  for (const name of Object.keys(budgets)) {
    const r = datasetRules(policy, name);
    out.push(`data set "${name}":`);
    const budget = budgets[name];
    out.push(
      r.allowWithoutPrivacy
        ? '  differential privacy NOT required (allowWithoutPrivacy: true): ' +
            `jobs and queries without it read exact results${budget ? ', but the budget below still refuses them' : ''}`
        : '  differential privacy required: jobs and queries without it (privacy.mode none, --dp none) ' +
            'are refused, and so are scoring, audience overlap and payout valuation',
    );
    out.push(`  ${budgetLine(budget)}`);
    out.push(
      r.minGroupSize > 1
        ? `  every released aggregate must cover at least ${r.minGroupSize} rows (minGroupSize)`
        : '  no minimum group size',
    );
    const ids = r.identifierColumns;
    out.push(
      ids.length === 0
        ? '  no identifier columns listed (identifierColumns: [])'
        : r.allowIdentifierQueries
          ? `  identifier columns ${ids.join(', ')}: filters and group keys on them are allowed ` +
            '(allowIdentifierQueries: true)'
          : `  identifier columns, refused as filters (WHERE) and group keys (GROUP BY): ${ids.join(', ')}`,
    );
  }
  return out;
}
