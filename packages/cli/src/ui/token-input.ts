import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** Where a command takes a one-time token from: `--token VALUE`, `--token -` (stdin) or `--token-file PATH`. */
export interface TokenSource {
  token?: string;
  tokenFile?: string;
}

/**
 * Reads a token from the command line, stdin or a file. The last two keep it out of `ps` and the shell history: any
 * user of the machine can read another's command line. Stdin gives its first non-empty line (a pipe or a paste).
 */
export async function readToken(
  o: TokenSource,
  stdin: AsyncIterable<Buffer | string> = process.stdin,
): Promise<string> {
  if (o.token !== undefined && o.tokenFile !== undefined)
    throw new UsageError('give the enrolment token once: --token TOKEN, --token - (stdin) or --token-file FILE');
  let text: string;
  let from: string;
  if (o.tokenFile !== undefined) {
    from = o.tokenFile;
    try {
      text = readFileSync(o.tokenFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--token-file ${o.tokenFile}: cannot be read (${(e as Error).message})`);
    }
  } else if (o.token === '-') {
    from = 'stdin';
    text = await firstLine(stdin);
  } else if (o.token !== undefined) {
    from = '--token';
    text = o.token;
  } else {
    throw new UsageError(
      'give the enrolment token from the coordinator operator: --token-file FILE, --token - (stdin), or --token TOKEN',
    );
  }
  const token =
    text
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  if (!token) throw new UsageError(`no enrolment token in ${from}: it is empty`);
  return token;
}

/** Reads up to the end of the first non-empty line (or the end of the input), then stops reading. */
async function firstLine(input: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (/\S[^\n]*\n/.test(text)) break;
  }
  return text;
}
