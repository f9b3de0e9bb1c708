/**
 * Reading JSON that crossed a process boundary (a coordinator's reply, a participant's answer):
 * parse to `unknown`, then check the shape field by field, so that a malformed or hostile value
 * fails with an error naming the field instead of flowing on as a mistyped object.
 */
export class WireJsonError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'WireJsonError';
  }
}

/** Parses JSON text; an error names where it came from. */
export function parseWireJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new WireJsonError(where, `not valid JSON (${(e as Error).message})`);
  }
}

export type JsonObject = Record<string, unknown>;

export function objectAt(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new WireJsonError(where, `expected an object, got ${describe(value)}`);
  return value as JsonObject;
}

/** A number; null reads as NaN, since JSON.stringify writes a non-finite number as null. */
export function numberAt(o: JsonObject, key: string, where: string): number {
  const v = o[key];
  if (v === null) return Number.NaN;
  if (typeof v !== 'number') throw new WireJsonError(`${where}.${key}`, `expected a number, got ${describe(v)}`);
  return v;
}

export function stringAt(o: JsonObject, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new WireJsonError(`${where}.${key}`, `expected a string, got ${describe(v)}`);
  return v;
}

export function optionalNumberAt(o: JsonObject, key: string, where: string): number | undefined {
  return o[key] === undefined ? undefined : numberAt(o, key, where);
}

export function optionalStringAt(o: JsonObject, key: string, where: string): string | undefined {
  return o[key] === undefined ? undefined : stringAt(o, key, where);
}

export function oneOfAt<T extends string>(o: JsonObject, key: string, allowed: readonly T[], where: string): T {
  const v = stringAt(o, key, where);
  if (!(allowed as readonly string[]).includes(v))
    throw new WireJsonError(`${where}.${key}`, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

export function arrayAt(o: JsonObject, key: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new WireJsonError(`${where}.${key}`, `expected an array, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v;
}
