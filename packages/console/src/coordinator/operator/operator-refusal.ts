/** The store's refusals of an operator's action (unknown token, used token, revoked participant) as console errors. */
import { AnalystError, EnrolmentError } from '@tessera/coordinator';
import { ConsoleError } from '../../http/console-error.js';

const NOT_FOUND = new Set(['unknown-token-id', 'unknown-participant', 'unknown-analyst']);

/** Runs an operator's store action; an EnrolmentError or AnalystError becomes a 404 or 400 with its message. */
export async function operatorAction<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (e) {
    if (e instanceof EnrolmentError || e instanceof AnalystError)
      throw new ConsoleError(NOT_FOUND.has(e.code) ? 'NOT_FOUND' : 'BAD_REQUEST', e.message);
    throw e;
  }
}

/** A form field of a POST (form or JSON body) that must be a non-empty string. */
export function formField(body: unknown, name: string, what: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof v !== 'string' || !v)
    throw new ConsoleError('BAD_REQUEST', `send the ${what} in the form field ${name} (it was missing or empty)`);
  return v;
}
