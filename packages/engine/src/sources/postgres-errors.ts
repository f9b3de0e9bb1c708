import { DataError } from '@tessera/data';

/** Secrets shorter than this are not scrubbed from messages (they would garble them); pg never echoes one anyway. */
const SCRUBBED_LENGTH = 4;

/**
 * A failure while reading a PostgreSQL source as a DataError naming `source` (the url without its password) and
 * saying what to change. Any of `secrets` (the url's password) that appears in the driver's message is replaced by
 * ***, so no message ever carries the password. `grant` is the statement that would give the user SELECT.
 */
export function postgresProblem(
  err: unknown,
  source: string,
  secrets: readonly string[],
  grant = 'GRANT SELECT ON the table TO the user',
): DataError {
  if (err instanceof DataError) return scrubbed(err, secrets);
  const e = err as { code?: string; message?: string };
  const message = scrub(e.message ?? String(err), secrets);
  return scrubbed(new DataError({ source }, problem(e.code, message, grant)), secrets);
}

const UNREACHABLE = "check the host and port in the data set's url and that PostgreSQL is running there";
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

function problem(code: string | undefined, message: string, grant: string): string {
  switch (code) {
    case '28P01':
      return `${message}: check the user and password in the data set's url`;
    case '28000':
      return (
        `the server refused the connection (${message}): check the user in the data set's url and that the ` +
        "server's pg_hba.conf admits it"
      );
    case '3D000':
      return `${message}: check the database name in the data set's url`;
    case '42501':
      return `${message}: grant the url's user SELECT on it (${grant}) or use a user that has it`;
  }
  if ((code && NETWORK_CODES.has(code)) || /timeout expired|Connection terminated/i.test(message)) {
    return `cannot reach the database server (${message}): ${UNREACHABLE}`;
  }
  return `cannot read the table (${message.split('\n')[0]})`;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= SCRUBBED_LENGTH) out = out.replaceAll(secret, '***');
  return out;
}

function scrubbed(err: DataError, secrets: readonly string[]): DataError {
  if (!secrets.some((s) => s.length >= SCRUBBED_LENGTH && err.message.includes(s))) return err;
  const clean = new DataError({ source: scrub(err.source, secrets) }, '');
  clean.message = scrub(err.message, secrets);
  return clean;
}
