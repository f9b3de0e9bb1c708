import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADDRESS_FILE, DEFAULT_COORDINATOR_DIR, DEFAULT_LISTEN } from '../context.js';
import { UsageError } from '../ui/errors.js';
import { parseDuration } from '../ui/duration.js';
import { printJson } from '../ui/output.js';
import { checkPortFree, claimPidFile, listenError, stopOnSignals } from '../ui/service.js';
import { LOG_FORMAT_OPTION, serviceLogger } from '../ui/service-logger.js';
import { registerAnalystCommands } from './coordinator-analysts.js';
import { CONSOLE_URL_FILE } from './console.js';
import { registerEnrolmentCommands } from './coordinator-enrolment.js';

/** The flags of `coordinator start`. */
type StartFlags = {
  dataDir: string;
  listen: string;
  uploadSlots: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  insecure?: boolean;
  pidFile?: string;
  json?: boolean;
  store?: string;
  advertise?: string;
  leaseSeconds?: number;
  console?: string;
  logLevel: string;
  logFormat: string;
};

export function registerCoordinator(program: Command): void {
  const cmd = program.command('coordinator').description('run and administer a coordinator');

  cmd
    .command('start')
    .description(
      'start a coordinator: gRPC for participants and analysts, state in an SQLite file or a PostgreSQL ' +
        'database shared by replicas',
    )
    .option('--data-dir <dir>', 'state directory (database, TLS keys, ledger key)', DEFAULT_COORDINATOR_DIR)
    .option('--listen <host:port>', 'address to listen on (port 0 picks a free port)', DEFAULT_LISTEN)
    .option(
      '--upload-slots <n>',
      'contributions received at once (memory ~ (n+1) x model size)',
      (v) => parseInt(v, 10),
      4,
    )
    .option(
      '--tls-cert <file>',
      "your own server certificate (PEM, leaf first, then intermediates) instead of the own CA's",
    )
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM, mode 0600)')
    .option(
      '--tls-ca <file>',
      'the root CA that issued --tls-cert, which clients pin (else they pin --tls-cert itself)',
    )
    .option('--insecure', 'plaintext instead of TLS: only on a loopback --listen address, with a warning')
    .option('--pid-file <file>', 'write the process id here at start, remove it at exit (refused if that process runs)')
    .option(
      '--store <url>',
      'keep the state in PostgreSQL (postgres://user@host:5432/db, the password in PGPASSWORD or ~/.pgpass, ' +
        'not in the URL), shared by any number of replicas; default: <data-dir>/coordinator.sqlite, one process',
    )
    .option('--advertise <host:port>', 'where other replicas reach this one (default: the --listen address)')
    .option(
      '--lease-seconds <s>',
      'a job lease lasts this long unrenewed: how soon another replica takes over the jobs of one that died',
      (v) => {
        const n = Number(v);
        if (!(n >= 1 && n <= 3600)) throw new UsageError(`--lease-seconds: ${v} is not a number of seconds in 1..3600`);
        return n;
      },
      15,
    )
    .option(
      '--console <host:port>',
      'serve the web console (HTTPS with the same TLS as gRPC, /metrics, /healthz, /readyz) here; port 0 picks one',
    )
    .option(
      '--log-level <level>',
      'trace, debug (also each stage of each round, each task opened), info (lifecycle: jobs, participants), ' +
        'warn (refusals, cut-offs, failures) or error',
      'info',
    )
    .option(...LOG_FORMAT_OPTION)
    .option('--json', 'print {address, port, dataDir, tlsFingerprint, console} as JSON once listening')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator start
  $ tessera coordinator start --data-dir /var/lib/tessera --listen 0.0.0.0:7443
  $ tessera coordinator start --listen 0.0.0.0:7443 --tls-cert cert.pem --tls-key key.pem --tls-ca root.pem
  $ tessera coordinator start --store postgres://tessera@db.internal:5432/tessera --listen 0.0.0.0:7443
  $ tessera coordinator start --console 127.0.0.1:7071     # then: tessera console open --operator
  $ tessera coordinator start --log-level debug 2> coordinator.log
  $ tessera coordinator start --log-format text

Web console: --console serves it (off unless asked); log in with a one-time link from
tessera console open (docs/operations.md: pages, metrics, health endpoints, logs).

Replicas: start any number with the same --store and the same data directory's keys (its tls/ folder
and ledger-key: copy them from the first); give participants and analysts every replica's address
(10.0.0.1:7443,10.0.0.2:7443) or one DNS name for all. Each job runs on the replica holding its lease
in the database; when that replica dies, another takes the job over after --lease-seconds and resumes
it from its last completed round (docs/deployment.md).

TLS on every connection: the first start creates a private CA and a server certificate in <data-dir>/tls.
Participants pin the CA's SHA-256 fingerprint (tlsFingerprint) from their enrolment tokens, analysts
from their invitations (tessera coordinator analysts add NAME); both then connect with a client
certificate the CA issues them. Jobs that were running when the coordinator stopped resume from
their last completed round. It runs in the foreground until SIGINT or SIGTERM, then shuts down
cleanly and logs it (systemd units: docs/deployment.md).`,
    )
    .action(async (o: StartFlags) => {
      const { Coordinator } = await import('@tessera/sdk');
      const dataDir = resolve(o.dataDir);
      // Logs go to stderr: JSON lines (fields jobId, round, stage, participantId, ...), or text with --log-format text.
      const { logger, line: log } = serviceLogger('coordinator', o);
      if ((o.tlsCert || o.tlsKey || o.tlsCa) && !(o.tlsCert && o.tlsKey))
        throw new UsageError(
          '--tls-cert and --tls-key go together (--tls-ca needs both): give the certificate and its key',
        );
      const tls =
        o.tlsCert && o.tlsKey
          ? {
              certFile: resolve(o.tlsCert),
              keyFile: resolve(o.tlsKey),
              ...(o.tlsCa ? { caFile: resolve(o.tlsCa) } : {}),
            }
          : undefined;
      const releasePidFile = o.pidFile ? claimPidFile(o.pidFile) : () => {};
      let c: Awaited<ReturnType<typeof Coordinator.start>>;
      try {
        await checkPortFree(o.listen);
        c = await Coordinator.start({
          dataDir,
          listen: o.listen,
          uploadSlots: o.uploadSlots,
          logger,
          ...(o.store ? { store: o.store } : {}),
          ...(o.advertise ? { advertise: o.advertise } : {}),
          ...(o.leaseSeconds !== undefined ? { leaseSeconds: o.leaseSeconds } : {}),
          insecure: o.insecure === true,
          ...(tls ? { tls } : {}),
        });
      } catch (e) {
        releasePidFile();
        throw listenError(e, o.listen);
      }
      writeFileSync(join(dataDir, ADDRESS_FILE), `${c.address}\n`);
      let web: { url: string; close(): Promise<void> } | undefined;
      if (o.console) {
        const { startCoordinatorConsole } = await import('@tessera/console');
        try {
          web = await startCoordinatorConsole(c, { listen: o.console, logger });
        } catch (e) {
          await c.stop();
          releasePidFile();
          throw listenError(e, o.console, '--console');
        }
        writeFileSync(join(dataDir, CONSOLE_URL_FILE), `${web.url}\n`);
      }
      if (o.json)
        printJson({
          address: c.address,
          port: c.port,
          dataDir,
          tlsFingerprint: c.tlsFingerprint,
          replicaId: c.replicaId,
          store: c.storeDescription,
          ...(web ? { console: web.url } : {}),
        });
      else {
        process.stdout.write(`coordinator listening on ${c.address} (data in ${dataDir})\n`);
        if (c.tlsFingerprint) process.stdout.write(`TLS fingerprint (SHA-256): ${c.tlsFingerprint}\n`);
        if (web) process.stdout.write(`web console at ${web.url} (log in: tessera console open)\n`);
      }
      stopOnSignals(
        'coordinator',
        log,
        async () => {
          log('coordinator: running jobs will resume at the next start');
          await web?.close();
          await c.stop();
        },
        releasePidFile,
      );
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
      const issued = await issueEnrollmentToken(resolve(o.dataDir), name, {
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
  registerAnalystCommands(cmd);
}
