/**
 * Prints an error for a person: the message (which names the file, field or value), no stack unless TESSERA_DEBUG is
 * set.
 */
export function reportError(e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`error: ${err.message}\n`);
  if (process.env.TESSERA_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
}

/** An error whose message is complete advice for the user. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
