// Reading the fields of a training job spec: each reader names the field it refuses, and an unknown
// field is refused with the closest known name as a hint. JobSpecError is every spec kind's error.

export class JobSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`job spec: ${field}: ${message}`);
    this.name = 'JobSpecError';
  }
}

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function closest(word: string, options: readonly string[]): string | undefined {
  // Levenshtein distance over one rolling row: prev[j] is the distance between a[0..i-1] and b[0..j].
  // Every j below lies in 0..b.length, the row's length minus one.
  const dist = (a: string, b: string) => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
      }
      prev = cur;
    }
    return prev[b.length]!;
  };
  const best = options
    .map((o) => [o, dist(word.toLowerCase(), o.toLowerCase())] as const)
    .sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? best[0] : undefined;
}

export function noUnknownKeys(o: Obj, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      const hint = closest(k, allowed);
      throw new JobSpecError(
        path ? `${path}.${k}` : k,
        `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}; known fields: ${allowed.join(', ')}`,
      );
    }
  }
}

export const show = (v: unknown) => JSON.stringify(v) ?? String(v);

export function str(o: Obj, key: string, path: string, fallback?: string): string {
  const v = o[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new JobSpecError(path + key, 'is required');
  }
  if (typeof v !== 'string' || v.trim() === '')
    throw new JobSpecError(path + key, `must be a non-empty string, got ${show(v)}`);
  return v;
}

export function num(
  o: Obj,
  key: string,
  path: string,
  fallback: number,
  check: { int?: boolean; min?: number; max?: number; exclusiveMin?: number },
): number {
  const v = o[key] === undefined ? fallback : o[key];
  const what = check.int ? 'an integer' : 'a number';
  if (typeof v !== 'number' || !Number.isFinite(v) || (check.int && !Number.isInteger(v))) {
    throw new JobSpecError(path + key, `must be ${what}, got ${show(v)}`);
  }
  if (check.min !== undefined && v < check.min)
    throw new JobSpecError(path + key, `must be at least ${check.min}, got ${v}`);
  if (check.exclusiveMin !== undefined && v <= check.exclusiveMin)
    throw new JobSpecError(path + key, `must be greater than ${check.exclusiveMin}, got ${v}`);
  if (check.max !== undefined && v > check.max)
    throw new JobSpecError(path + key, `must be at most ${check.max}, got ${v}`);
  return v;
}

export function strings(o: Obj, key: string, path: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) {
    throw new JobSpecError(path + key, `must be a list of column names, got ${show(v)}`);
  }
  return v as string[];
}

export function section(o: Obj, key: string, allowed: readonly string[]): Obj {
  const v = o[key];
  if (v === undefined) return {};
  if (!isObj(v)) throw new JobSpecError(key, `must be an object with fields ${allowed.join(', ')}, got ${show(v)}`);
  noUnknownKeys(v, allowed, key);
  return v;
}
