import type { DatasetBudget } from '../config.js';
import type { IdentifierColumn } from './identifier-columns.js';
import { DEFAULT_MIN_GROUP_SIZE } from './policy.js';

/** The budget `tessera participant init` writes for every data set served with differential privacy. */
export const STARTER_BUDGET: DatasetBudget = { epsilon: 10, delta: 1e-6, unit: 'record' };
/** The purposes the starter policy grants: both are served only with differential privacy. */
export const STARTER_PURPOSES = ['train', 'query'] as const;
/** The starter grant's id. */
export const STARTER_GRANT = 'starter';

export interface StarterDataset {
  /** Identifier-like columns found in the data (listed as identifierColumns). */
  identifiers: IdentifierColumn[];
  /** The owner's explicit opt-out: serve jobs without differential privacy too. */
  allowWithoutPrivacy: boolean;
}

export interface StarterPolicyOptions {
  datasets: Record<string, StarterDataset>;
  /** When the starter grant ends (YYYY-MM-DD, through that day UTC). */
  expires: string;
  /** When the file is written (for its header). */
  now: Date;
  minGroupSize?: number;
}

/** One year after `now`, as YYYY-MM-DD: the starter grant's expiry (the owner renews consent yearly). */
export function oneYearAfter(now: Date): string {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

const q = (s: string) => JSON.stringify(s);
const why = (c: IdentifierColumn) =>
  c.why.map((w) => (w === 'unique' ? 'unique per row' : 'named like an identifier')).join(', ');

/**
 * The text of a starter consent policy (YAML, commented): per data set a minimum group size,
 * the identifier-like columns found in the data, no identifier queries and differential privacy
 * required (unless opted out); one grant to any analyst for training and queries, for a year; and a `sales`
 * section that allows no sale until the owner turns it on.
 */
export function starterPolicyText(o: StarterPolicyOptions): string {
  const names = Object.keys(o.datasets);
  const min = o.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const lines = [
    `# Consent policy written by tessera participant init on ${o.now.toISOString().slice(0, 10)}. ` +
      'It says who may use this',
    "# node's data, for what, and how (docs/privacy.md). Edit it, then restart the node.",
    '',
    '# Analysts by name -> Ed25519 identity (tessera keys create prints it); name one to grant it more than "*" below.',
    'analysts: {}',
    '',
    'datasets:',
  ];
  for (const [name, d] of Object.entries(o.datasets)) {
    lines.push(`  ${q(name)}:`);
    lines.push(`    # Every released aggregate (a query group, a count) must cover at least this many rows.`);
    lines.push(`    minGroupSize: ${min}`);
    lines.push(
      d.identifiers.length
        ? `    # Found in the data: ${d.identifiers.map((c) => `${c.column} (${why(c)})`).join('; ')}.`
        : '    # No identifier-like column was found in the data; list any column that identifies a customer.',
    );
    lines.push(`    identifierColumns: [${d.identifiers.map((c) => q(c.column)).join(', ')}]`);
    lines.push('    # true: allow filters (WHERE) and group keys (GROUP BY) on the identifier columns.');
    lines.push('    allowIdentifierQueries: false');
    lines.push(
      d.allowWithoutPrivacy
        ? '    # Opted out at init: jobs and queries WITHOUT differential privacy may read this data set too.'
        : '    # true: also serve jobs and queries without differential privacy (exact results); ' +
            "remove the data set's budget in participant.yaml too.",
    );
    lines.push(`    allowWithoutPrivacy: ${d.allowWithoutPrivacy}`);
  }
  lines.push(
    '',
    'grants:',
    '  # Any analyst ("*") may train models and run aggregate queries ' +
      `on ${names.length === 1 ? 'this data set' : 'these data sets'}, within the`,
    '  # budgets in participant.yaml. Scoring, audience overlap and payout valuation are not granted.',
    `  - id: ${STARTER_GRANT}`,
    '    analysts: ["*"]',
    `    purposes: [${STARTER_PURPOSES.join(', ')}]`,
    `    datasets: [${names.map(q).join(', ')}]`,
    `    expires: ${o.expires}          # after this day nothing is served until you extend it`,
    '',
    "# Sales of a data trust's products (reports and models) built from jobs this node contributed to: each",
    '# member paid is one that consents here. A policy without this section allows no sale.',
    'sales:',
    '  # true: allow sales to the buyers and as the products below (the node answers each sale and audits it).',
    '  allowed: false',
    '  buyers: ["*"]          # buyer names, "class:bank" for a class of buyers, "*" for any buyer',
    '  excludeBuyers: []      # buyer names or classes never sold to (wins over buyers)',
    '  products: ["*"]        # product names or ids, "*" for any product',
    '',
  );
  return lines.join('\n');
}
