/** How rows are divided among simulated participants. */
export type SplitSpec = { kind: 'iid' } | { kind: 'dirichlet'; alpha: number } | { kind: 'by'; column: string };

const FORMS = 'use iid, dirichlet:<alpha> (for example dirichlet:0.5) or by:<column> (for example by:region)';

/** Parses 'iid', 'dirichlet:0.5' or 'by:region'. */
export function parseSplit(text: string): SplitSpec {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kind = (colon < 0 ? trimmed : trimmed.slice(0, colon)).trim().toLowerCase();
  const argument = colon < 0 ? undefined : trimmed.slice(colon + 1).trim();

  if (kind === 'iid' && argument === undefined) return { kind: 'iid' };
  if (kind === 'dirichlet' && argument !== undefined) {
    const alpha = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(argument) ? Number(argument) : NaN;
    if (!(alpha > 0 && Number.isFinite(alpha))) {
      throw new Error(`split "${text}": alpha must be a positive number, e.g. dirichlet:0.5 (smaller is more skewed)`);
    }
    return { kind: 'dirichlet', alpha };
  }
  if (kind === 'by' && argument) return { kind: 'by', column: argument };
  throw new Error(`unknown split "${text}"; ${FORMS}`);
}
