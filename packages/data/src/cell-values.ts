const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a cell holds (surrounding spaces allowed), or undefined for text and empty cells. */
export function numberValue(cell: string): number | undefined {
  const text = cell.trim();
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** The category a cell holds: its text without surrounding spaces. */
export function categoryValue(cell: string): string {
  return cell.trim();
}

const POSITIVE = new Set(['yes', 'y', 'true', '1', '1.0', 'positive']);
const NEGATIVE = new Set(['no', 'n', 'false', '0', '0.0', 'negative']);

/** The accepted spellings of a binary label, for messages. */
export const BINARY_LABEL_FORMS = 'yes/no, y/n, true/false, 1/0 or positive/negative';

/** 1 or 0 for the accepted binary label spellings (case-insensitive), undefined otherwise. */
export function binaryLabel(cell: string): 1 | 0 | undefined {
  const text = cell.trim().toLowerCase();
  if (POSITIVE.has(text)) return 1;
  if (NEGATIVE.has(text)) return 0;
  return undefined;
}
