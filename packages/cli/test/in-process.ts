import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../src/program.js';
import { reportError } from '../src/ui/errors.js';

/** What `tessera <args>` printed and the exit code bin.ts would have left. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every command of the program, depth first, with the words that name it (`[]` for the program itself). */
export function commandsOf(program: Command): { path: string[]; command: Command }[] {
  const out: { path: string[]; command: Command }[] = [];
  const walk = (command: Command, path: string[]) => {
    out.push({ path, command });
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

let running = false;

/**
 * Runs `tessera <args>` in this process, as bin.ts runs it: `buildProgram().parseAsync`, an error
 * reported on stderr by `reportError`, the exit code from `process.exitCode` (1 on an error). Output
 * written by commander, `process.stdout/stderr.write` and `console` is captured; stdout and stderr
 * are not a terminal (as in a pipe). `env` is set for the run only.
 *
 * It saves a process start and a load of the whole module graph per command (about 0.7 s each).
 * Keep a real process where process behaviour is the point (exit on a signal, piping, a long-lived
 * server): see cli.ts. Runs are serialised; commands that start servers or call process.exit do not
 * belong here.
 */
export async function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  if (running) throw new Error('runCli: another in-process run is in progress; await it first');
  running = true;
  let stdout = '',
    stderr = '';
  const program = buildProgram();
  for (const { command } of commandsOf(program)) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => {
        stdout += s;
      },
      writeErr: (s) => {
        stderr += s;
      },
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  }
  const text = (chunk: unknown) =>
    typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  const line = (xs: unknown[]) => `${xs.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}\n`;
  const saved = {
    out: process.stdout.write,
    err: process.stderr.write,
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    outTty: Object.getOwnPropertyDescriptor(process.stdout, 'isTTY'),
    errTty: Object.getOwnPropertyDescriptor(process.stderr, 'isTTY'),
    exitCode: process.exitCode,
    env: new Map<string, string | undefined>(),
  };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    saved.env.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = ((chunk: unknown) => {
    stdout += text(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => {
    stderr += text(chunk);
    return true;
  }) as typeof process.stderr.write;
  console.log = console.info = (...xs: unknown[]) => {
    stdout += line(xs);
  };
  console.warn = console.error = (...xs: unknown[]) => {
    stderr += line(xs);
  };
  Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true, writable: true });
  Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true, writable: true });
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(['node', 'tessera', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode;
    else {
      reportError(e);
      code = Number(process.exitCode || 1);
    }
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    Object.assign(console, { log: saved.log, info: saved.info, warn: saved.warn, error: saved.error });
    for (const [stream, d] of [
      [process.stdout, saved.outTty],
      [process.stderr, saved.errTty],
    ] as const) {
      if (d) Object.defineProperty(stream, 'isTTY', d);
      else delete (stream as { isTTY?: boolean }).isTTY;
    }
    process.exitCode = saved.exitCode;
    for (const [k, v] of saved.env) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    running = false;
  }
  return { code, stdout, stderr };
}

/** What `run` writes to stdout (synchronously), with stdout restored afterwards. */
export function capturedStdout(run: () => void): string {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  }) as typeof process.stdout.write;
  try {
    run();
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}
