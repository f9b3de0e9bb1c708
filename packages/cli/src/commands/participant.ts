import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { DEFAULT_MIN_GROUP_SIZE, STARTER_BUDGET } from '@tessera/participant/defaults';
import { DEFAULT_LISTEN, DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { claimPidFile, stopOnSignals } from '../ui/service.js';
import { LOG_FORMAT_OPTION, serviceLogger } from '../ui/service-logger.js';
import { DATASET_FLAG_FORMS, parseDatasetFlag } from '../dataset-flag.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { allowInsecure, INSECURE_OPTION } from '../transport-flags.js';
import { registerParticipantAudit } from './participant-audit.js';
import { registerParticipantReceipts } from './participant-receipts.js';
import { registerParticipantCheck } from './participant-check.js';
import { registerParticipantData } from './participant-data.js';
import { registerParticipantConsoleLink } from './participant-console-link.js';
import { registerParticipantPin } from './participant-pin.js';
import { registerParticipantRenewCert } from './participant-renew-cert.js';
import { readToken } from '../ui/token-input.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** The flags of `participant start`. */
type StartFlags = { config: string; coordinator?: string; pidFile?: string; logLevel: string; logFormat: string };

export function registerParticipant(program: Command): void {
  const cmd = program.command('participant').description('run a participant node next to your data');

  cmd
    .command('init')
    .description(
      'create an identity key, enrol with the coordinator, ' +
        "write the node's config and a starter consent policy, and say what it allows",
    )
    .option(
      '--token <token>',
      'one-time enrolment token from the coordinator operator; - reads it from stdin (then it is not shown in ps)',
    )
    .option('--token-file <file>', 'read the enrolment token from this file instead of the command line')
    .option(
      '--name <name>',
      "this participant's name: the operator chose it with the token (tessera coordinator enroll NAME); " +
        'a different one is refused',
    )
    .option('--coordinator <host:port>', 'coordinator address', DEFAULT_LISTEN)
    .option('--tls-fingerprint <sha256>', "the coordinator's TLS fingerprint, for a token that carries none")
    .option(...INSECURE_OPTION)
    .option('--dataset <name=source>', `a data set to serve: ${DATASET_FLAG_FORMS} (repeatable)`, collect, [])
    .option(
      '--dir <dir>',
      'where to write participant.yaml, policy.yaml and identity.key',
      dirname(DEFAULT_PARTICIPANT_CONFIG),
    )
    .option(
      '--policy <file.yaml>',
      'your own consent policy (grants per analyst, purpose, data set, budget and expiry; docs/privacy.md), ' +
        'checked before enrolling, instead of the starter policy',
    )
    .option(
      '--allow-without-privacy <name>',
      'opt this data set out of differential privacy in the starter policy: ' +
        'jobs and queries without DP read exact results from it, and no budget is written (repeatable)',
      collect,
      [],
    )
    .option(
      '--epsilon <e>',
      'privacy budget written for every data set served with DP: epsilon',
      Number,
      STARTER_BUDGET.epsilon,
    )
    .option(
      '--delta <d>',
      'privacy budget written for every data set served with DP: delta',
      Number,
      STARTER_BUDGET.delta,
    )
    .option('--json', 'print {configPath, participantId, policyPath, starterPolicy, identifierColumns, allows} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant init --token tse_... --name merchant-a --dataset customers=./customers.csv
  $ tessera participant init --token tse_... --name merchant-a --dataset customers=./customers.csv ` +
        `--policy ./policy.yaml
  $ tessera participant init --token tse_... --name shop-b --dataset orders=sqlite:./shop.db:orders --dir ./node-b
  $ tessera participant init --token-file ./token.txt --dataset customers=./customers.csv
  $ pass show tessera/token | tessera participant init --token - --dataset customers=./customers.csv
  $ tessera participant init --token tse_... --name lab --dataset patients=./patients.csv ` +
        `--allow-without-privacy patients

Safe by default: without --policy, init writes a starter policy (policy.yaml beside the config)
and a budget per data set (epsilon ${STARTER_BUDGET.epsilon} at delta ${STARTER_BUDGET.delta}, ` +
        `unit record, in participant.yaml):
differential privacy is required for training and queries, every released aggregate must cover
at least ${DEFAULT_MIN_GROUP_SIZE} rows, and the identifier-like columns found in the data (unique per row, or named
like an id, key, email or phone) are refused as filters and group keys. Any analyst may train and
query within the budget for a year; scoring, audience overlap and payout valuation are not granted.
Edit policy.yaml to change any of it (docs/privacy.md).`,
    )
    .action(
      async (o: {
        token?: string;
        tokenFile?: string;
        name?: string;
        coordinator: string;
        dataset: string[];
        dir: string;
        policy?: string;
        allowWithoutPrivacy: string[];
        epsilon: number;
        delta: number;
        tlsFingerprint?: string;
        insecure?: boolean;
        json?: boolean;
      }) => {
        if (o.dataset.length === 0) throw new UsageError(`give at least one --dataset (${DATASET_FLAG_FORMS})`);
        if (!(o.epsilon > 0) || !Number.isFinite(o.epsilon))
          throw new UsageError(`--epsilon must be a positive number, got ${o.epsilon}`);
        if (!(o.delta > 0 && o.delta < 1))
          throw new UsageError(`--delta must be between 0 and 1 (e.g. 1e-6), got ${o.delta}`);
        if (o.policy && o.allowWithoutPrivacy.length) {
          throw new UsageError(
            '--allow-without-privacy changes the starter policy; ' +
              'with --policy FILE set datasets.NAME.allowWithoutPrivacy: true in that file instead',
          );
        }
        const datasets = Object.fromEntries(o.dataset.map((spec) => parseDatasetFlag(spec)));
        for (const d of o.allowWithoutPrivacy) {
          if (!(d in datasets))
            throw new UsageError(
              `--allow-without-privacy ${d}: no --dataset is named "${d}" (given: ${Object.keys(datasets).join(', ')})`,
            );
        }
        if (o.insecure) await allowInsecure(o.coordinator, 'this participant');
        const { initParticipant } = await import('@tessera/sdk');
        const r = await initParticipant({
          dir: resolve(o.dir),
          coordinator: o.coordinator,
          token: await readToken(o),
          ...(o.tlsFingerprint ? { tlsFingerprint: o.tlsFingerprint } : {}),
          ...(o.insecure ? { insecure: true } : {}),
          ...(o.name !== undefined ? { name: o.name } : {}),
          datasets,
          budget: { epsilon: o.epsilon, delta: o.delta, unit: 'record' },
          ...(o.policy ? { policy: resolve(o.policy) } : {}),
          ...(o.allowWithoutPrivacy.length ? { allowWithoutPrivacy: o.allowWithoutPrivacy } : {}),
        });
        if (o.json) return printJson(r);
        const lines = [`enrolled as ${r.participantId}; config written to ${r.configPath}`];
        if (r.starterPolicy) lines.push(`starter consent policy written to ${r.policyPath}`);
        lines.push(`what this node allows${r.policyPath ? ` (edit ${r.policyPath}, then restart the node)` : ''}:`);
        for (const a of r.allows) lines.push(`  ${a.startsWith('  ') ? a : `- ${a}`}`);
        lines.push(`start the node with: tessera participant start --config ${r.configPath}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      },
    );

  registerParticipantPin(cmd);
  registerParticipantRenewCert(cmd);

  cmd
    .command('start')
    .description('connect to the coordinator and serve tasks until stopped (reconnects automatically)')
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--coordinator <host:port>', 'override the coordinator address of the config file')
    .option('--pid-file <file>', 'write the process id here at start, remove it at exit (refused if that process runs)')
    .option(
      '--console [host:port]',
      "serve this node's local page for its owner (grants with Revoke, privacy budgets, audit log, payout " +
        'receipts; /metrics, /healthz) over plain HTTP on loopback only; ' +
        'without a value 127.0.0.1:7072; port 0 picks one',
    )
    .option(
      '--log-level <level>',
      'warn: problems only; info: also connect, reconnect, disconnect, task start and finish; debug: every message ' +
        '(also error: failures only; trace)',
      'info',
    )
    .option(...LOG_FORMAT_OPTION)
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant start
  $ tessera participant start --config /etc/tessera/participant.yaml --pid-file /run/tessera/node.pid
  $ tessera participant start --config ./node-b/participant.yaml
  $ tessera participant start --console                  # then: tessera participant console-link
  $ tessera participant start --console 127.0.0.1:0
  $ tessera participant start --log-level debug 2> node.log
  $ tessera participant start --log-format text --log-level warn

The node checks that every configured data source can be read before it connects.
Raw records never leave it: it sends only model updates and aggregate statistics.
With policy: ./policy.yaml in the config, it serves only the analysts, purposes and data sets
its grants allow (see tessera participant grants), and refuses everything else. It warns at start
when it has no policy (it then serves every request) and for every data set it serves without
differential privacy (allowWithoutPrivacy: true in the policy). It runs in the foreground until
SIGINT or SIGTERM, then shuts down cleanly and logs it (systemd units: docs/deployment.md).

Local page: --console serves it on this machine only (127.0.0.1, ::1 or localhost). It writes
console-secret (owner-only: it signs login links) and console-url beside the config; get a login
link, any time while the node runs, with tessera participant console-link --config FILE. A link
works once, within ten minutes. When stderr is a terminal, the node also prints one at start.`,
    )
    .action(async (o: StartFlags) => {
      const { loadParticipantConfig, NODE_LOG_LEVELS, startParticipant } = await import('@tessera/sdk');
      // Logs go to stderr: JSON lines (fields participantId, jobId, round, stage), or text with --log-format text.
      const nodeLog = serviceLogger('participant', o, NODE_LOG_LEVELS);
      const config = loadParticipantConfig(o.config);
      if (o.coordinator) config.coordinator = o.coordinator;
      // The node adds participantId to its own lines; this command's lines (start, stop) get it here.
      const logger = nodeLog.logger.child({ participantId: config.participantId });
      const log = (text: string) => logger.info({}, text);
      const releasePidFile = o.pidFile ? claimPidFile(o.pidFile) : () => {};
      let node: Awaited<ReturnType<typeof startParticipant>>;
      try {
        node = await startParticipant(config, undefined, { logger: nodeLog.logger });
      } catch (e) {
        releasePidFile();
        throw e;
      }
      process.stdout.write(
        `participant ${config.participantId} (${config.name}) serving ${Object.keys(config.datasets).join(', ')}\n`,
      );
      const policy = node.consent.policy;
      if (policy)
        process.stdout.write(
          `consent policy ${policy.file}: ${policy.grants.length} grant(s); revoke one with: ` +
            `tessera participant revoke GRANT --config ${o.config}\n`,
        );
      const consoleAt = (o as { console?: string | true }).console;
      let web: { url: string; close(): Promise<void> } | undefined;
      if (consoleAt) {
        const { startParticipantConsole, DEFAULT_PARTICIPANT_CONSOLE } = await import('@tessera/console');
        const listen = consoleAt === true ? DEFAULT_PARTICIPANT_CONSOLE : consoleAt;
        try {
          const started = await startParticipantConsole(node, config, { listen, configFile: o.config });
          web = started;
          const how = `get a login link with: tessera participant console-link --config ${o.config}`;
          // Never a token in the log (under systemd, stderr goes to the journal); a terminal gets a link.
          logger.info({}, `web page at ${started.url}; ${how}`);
          if (process.stderr.isTTY)
            process.stderr.write(`console at ${started.url} (log in: ${started.loginUrl}); later, ${how}\n`);
          else process.stdout.write(`web page at ${started.url}; ${how}\n`);
        } catch (e) {
          await node.stop();
          releasePidFile();
          const message = e instanceof Error ? e.message : String(e);
          if (/EADDRINUSE/.test(message))
            throw new UsageError(
              `--console ${listen}: the port is already in use: choose another (0 picks a free one)`,
            );
          if ((e as { code?: string }).code === 'BAD_REQUEST') throw new UsageError(message);
          throw e;
        }
      }
      // Files are read once: say so, so that an owner who replaces an export knows to restart the node.
      logger.info(
        {},
        `participant ${config.participantId}: serves ${Object.keys(config.datasets).join(', ')} as loaded at start; ` +
          'after changing a data file, the config or the policy, restart the node',
      );
      stopOnSignals(
        `participant ${config.participantId}`,
        log,
        async () => {
          await web?.close();
          await node.stop();
        },
        releasePidFile,
      );
    });

  registerParticipantConsoleLink(cmd);
  registerParticipantCheck(cmd);
  registerParticipantAudit(cmd);
  registerParticipantReceipts(cmd);
  registerParticipantData(cmd);

  cmd
    .command('grants')
    .description("list the grants of this node's consent policy and whether each is active, revoked or expired")
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option(
      '--json',
      'print [{id, analysts, purposes, jobKinds, datasets, budget, expires, status, revokedAt, reason, spentEpsilon}]',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant grants
  $ tessera participant grants --config ./node-b/participant.yaml --json

The consent policy is the file named by policy: in the participant config, e.g.
  analysts:
    acme-research: 3b6a27bc...        # the analyst's identity, from tessera keys create
  grants:
    - id: acme-train
      analysts: [acme-research]
      purposes: [train, valuation]
      budget: { perJob: 2, total: 8 }
      expires: 2027-06-30`,
    )
    .action(async (o: { config: string; json?: boolean }) => {
      const { loadParticipantConfig, grantStatuses } = await import('@tessera/participant');
      const grants = grantStatuses(loadParticipantConfig(o.config));
      if (o.json) return printJson(grants);
      process.stdout.write(
        `${
          grants.length
            ? renderTable(
                [
                  'grant',
                  'status',
                  'analysts',
                  'purposes',
                  'job kinds',
                  'data sets',
                  'epsilon caps',
                  'spent epsilon',
                  'expires',
                ],
                grants.map((g) => [
                  g.id,
                  g.status === 'revoked' ? `revoked at ${g.revokedAt}${g.reason ? ` (${g.reason})` : ''}` : g.status,
                  g.analysts.join(', '),
                  g.purposes.join(', '),
                  g.jobKinds.join(', '),
                  g.datasets?.join(', ') ?? 'all',
                  g.budget
                    ? [
                        g.budget.perJob !== undefined ? `per job ${g.budget.perJob}` : '',
                        g.budget.total !== undefined ? `total ${g.budget.total}` : '',
                      ]
                        .filter(Boolean)
                        .join(', ')
                    : 'none',
                  g.spentEpsilon,
                  g.expires,
                ]),
              )
            : 'the policy has no grants: every request is refused'
        }\n`,
      );
    });

  cmd
    .command('revoke')
    .description(
      "revoke a grant of this node's consent policy, durably: " +
        'the running node refuses its next task, no restart needed',
    )
    .argument('<grant>', 'the grant id, as in the policy file (tessera participant grants lists them)')
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--reason <text>', 'why (kept in the ledger and the audit log, and shown to the analyst in the refusal)')
    .option('--json', 'print {grantId, at, atMs, reason, ledger, alreadyRevoked}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant revoke acme-train --reason "contract ended"
  $ tessera participant revoke acme-train --config ./node-b/participant.yaml

The revocation is written to the node's ledger (SQLite), which the running node reads before
every task: the grant's next task is refused with "consent: grant ... was revoked at ...".
A revoked grant stays revoked; to allow the analyst again, add a grant with a new id.`,
    )
    .action(async (grant: string, o: { config: string; reason?: string; json?: boolean }) => {
      const { loadParticipantConfig, revokeGrant } = await import('@tessera/participant');
      const config = loadParticipantConfig(o.config);
      if (!config.policy)
        throw new UsageError(
          `${o.config}: this node has no consent policy (add policy: ./policy.yaml to its config); ` +
            'without one every request is allowed and there is nothing to revoke',
        );
      const r = revokeGrant(config, grant, o.reason !== undefined ? { reason: o.reason } : {});
      if (o.json) return printJson(r);
      process.stdout.write(
        r.alreadyRevoked
          ? `grant ${r.grantId} was already revoked at ${r.at}${r.reason ? ` (${r.reason})` : ''}; nothing changed\n`
          : `revoked grant ${r.grantId} at ${r.at}${r.reason ? ` (${r.reason})` : ''}; ` +
              `recorded in ${r.ledger}\nthe node refuses the grant's next task (a task already running finishes)\n`,
      );
    });
}
