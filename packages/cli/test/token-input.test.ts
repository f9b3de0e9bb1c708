import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tempDir } from '@tessera/test-support';
import { UsageError } from '../src/ui/errors.js';
import { readToken } from '../src/ui/token-input.js';

describe('reading an enrolment token from the command line, stdin or a file', () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(() => tmp?.cleanup());

  it('takes --token as given, trimmed', async () => {
    expect(await readToken({ token: ' tse_abc ' })).toBe('tse_abc');
  });

  it('reads --token - from stdin: the first non-empty line, without waiting for the end of the input', async () => {
    const neverEnds = (async function* () {
      yield '\n  tse_from';
      yield '_stdin  \nsomething else\n';
      await new Promise(() => undefined);
    })();
    expect(await readToken({ token: '-' }, neverEnds)).toBe('tse_from_stdin');
    expect(await readToken({ token: '-' }, Readable.from([Buffer.from('tse_no_newline')]))).toBe('tse_no_newline');
  });

  it('reads --token-file, and says which file is empty or unreadable', async () => {
    tmp = tempDir('tessera-token-');
    const file = join(tmp.dir, 'token.txt');
    writeFileSync(file, 'tse_in_a_file\n', { mode: 0o600 });
    expect(await readToken({ tokenFile: file })).toBe('tse_in_a_file');
    writeFileSync(file, '\n \n');
    await expect(readToken({ tokenFile: file })).rejects.toThrow(`no enrolment token in ${file}: it is empty`);
    await expect(readToken({ tokenFile: join(tmp.dir, 'missing') })).rejects.toThrow(/--token-file .*: cannot be read/);
  });

  it('refuses no token, both sources, and an empty stdin, each as a usage error', async () => {
    await expect(readToken({})).rejects.toThrow(/--token-file FILE, --token - \(stdin\), or --token TOKEN/);
    await expect(readToken({ token: 't', tokenFile: 'f' })).rejects.toBeInstanceOf(UsageError);
    await expect(readToken({ token: '-' }, Readable.from([]))).rejects.toThrow('no enrolment token in stdin');
  });
});
