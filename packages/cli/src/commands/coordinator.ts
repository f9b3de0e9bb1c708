import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADDRESS_FILE, DEFAULT_COORDINATOR_DIR, DEFAULT_LISTEN } from '../context.js';
import { parseDuration } from '../ui/duration.js';
import { printJson } from '../ui/output.js';
import { registerEnrolmentCommands } from './coordinator-enrolment.js';

export function registerCoordinator(program: Command): void {
  const cmd = program.command('coordinator').description('run and administer a coordinator');

  cmd
    .command('start')
    .description('start a coordinator: gRPC for participants and analysts, state in an SQLite file')
    .option('--data-dir <dir>', 'state directory (database, analyst token)', DEFAULT_COORDINATOR_DIR)
    .option('--listen <host:port>', 'address to listen on (port 0 picks a free port)', DEFAULT_LISTEN)
    .option(
      '--upload-slots <n>',
      'contributions received at once (memory ~ (n+1) x model size)',
      (v) => parseInt(v, 10),
      4,
    )
    .option('--json', 'print {address, dataDir} as JSON once listening')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator start
  $ tessera coordinator start --data-dir /var/lib/tessera --listen 127.0.0.1:7443

Jobs that were running when the coordinator stopped resume from their last completed round.
The analyst token is in <data-dir>/analyst-token; the CLI finds it there by default.`,
    )
    .action(async (o: { dataDir: string; listen: string; uploadSlots: number; json?: boolean }) => {
      const { Coordinator } = await import('@tessera/sdk');
      const dataDir = resolve(o.dataDir);
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const c = await Coordinator.start({ dataDir, listen: o.listen, uploadSlots: o.uploadSlots, log });
      writeFileSync(join(dataDir, ADDRESS_FILE), `${c.address}\n`);
      if (o.json) printJson({ address: c.address, port: c.port, dataDir });
      else process.stdout.write(`coordinator listening on ${c.address} (data in ${dataDir})\n`);
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        log('shutting down: running jobs will resume at the next start');
        await c.stop();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  cmd
    .command('enroll')
    .argument(
      '<name>',
      "the participant's name (e.g. the merchant): bound to the token, the participant cannot choose another",
    )
    .description('create a one-time enrolment token for a new participant')
    .option('--data-dir <dir>', 'coordinator state directory', DEFAULT_COORDINATOR_DIR)
    .option('--expires <duration>', 'how long the token can be used: 90s, 30m, 24h, 7d (at most 30d)', '24h')
    .option('--json', 'print {name, token, id, expiresAt} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator enroll merchant-a
  $ tessera coordinator enroll merchant-b --json
  $ tessera coordinator enroll merchant-c --expires 7d > merchant-c.token

Give the token to the merchant over a private channel; it enrols one participant, named as here,
until it expires, and is stored only as a hash. The merchant can pass it without showing it in
ps: tessera participant init --token-file FILE (or --token - to read stdin). List the tokens with
tessera coordinator tokens list; revoke one that was not used with tessera coordinator tokens revoke ID.`,
    )
    .action(async (name: string, o: { dataDir: string; expires: string; json?: boolean }) => {
      const { issueEnrollmentToken } = await import('@tessera/coordinator');
      const issued = issueEnrollmentToken(resolve(o.dataDir), name, {
        expiresInMs: parseDuration(o.expires, '--expires'),
      });
      const expiresAt = new Date(issued.expiresAt).toISOString();
      if (o.json) return printJson({ name: issued.name, token: issued.token, id: issued.id, expiresAt });
      process.stdout.write(`${issued.token}\n`);
      // Only the token goes to stdout (for $(...) and redirection); what to note goes to stderr.
      process.stderr.write(
        `token ${issued.id} enrols "${issued.name}" until ${expiresAt}; ` +
          `revoke it with: tessera coordinator tokens revoke ${issued.id}\n`,
      );
    });

  registerEnrolmentCommands(cmd);
}
