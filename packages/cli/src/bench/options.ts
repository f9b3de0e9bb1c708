import { UsageError } from '../ui/errors.js';
import type { BenchMode } from './results.js';
import type { BenchLayout } from './synthetic.js';

/** "10,100" -> [10, 100]; also accepts 1e5. Every value must be an integer >= min. */
export function parseIntList(flag: string, text: string, min: number): number[] {
  const values = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new UsageError(`${flag} must be a comma-separated list of integers of at least ${min}, got "${text}"`);
  }
  return [...new Set(values)];
}

export function parseInt1(flag: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${flag} must be an integer of at least ${min}, got "${text}"`);
  return v;
}

export function parseModes(text: string): BenchMode[] {
  const modes = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = modes.filter((m) => m !== 'grpc' && m !== 'inprocess');
  if (modes.length === 0 || bad.length) throw new UsageError(`--modes takes grpc, inprocess or both (comma-separated), got "${text}"`);
  return [...new Set(modes)] as BenchMode[];
}

export function parseLayout(text: string): BenchLayout {
  if (text !== 'onehot' && text !== 'numeric') throw new UsageError(`--layout takes onehot or numeric, got "${text}"`);
  return text;
}

/** Progress lines on stderr, prefixed with the seconds since start. */
export function stderrLog(prefix: string): (line: string) => void {
  const t0 = performance.now();
  return (line) => process.stderr.write(`[${prefix} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
}
