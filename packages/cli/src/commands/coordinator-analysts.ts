import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADDRESS_FILE, DEFAULT_COORDINATOR_DIR, DEFAULT_LISTEN } from '../context.js';
import { parseDuration } from '../ui/duration.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

// The operator's analyst commands: `coordinator analysts add|list|revoke`. Like the enrolment commands they work on
// the data directory (local access to it is the operator's credential); a running coordinator reads the store at
// every analyst call, so a revocation holds from the analyst's next call.

const dataDirOption = ['--data-dir <dir>', 'coordinator state directory', DEFAULT_COORDINATOR_DIR] as const;

/** A time for a table: ISO without milliseconds, '-' for never. */
const when = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

type AddFlags = {
  dataDir: string;
  publicKey?: string;
  keys?: string;
  expires: string;
  address?: string;
  json?: boolean;
};

export function registerAnalystCommands(coordinator: Command): void {
  const cmd = coordinator.command('analysts').description('invite, register, list and revoke analysts');

  cmd
    .command('add')
    .description(
      'invite an analyst (prints a one-time invitation), or register their public key directly (--public-key), ' +
        'or, on this machine, register a key file and write its certificate beside it (--keys)',
    )
    .argument('<name>', "the analyst's name: letters, digits and . _ ~ - (it goes into their certificate)")
    .option(...dataDirOption)
    .option('--public-key <hex>', 'register this Ed25519 identity (tessera keys create prints it) instead of inviting')
    .option(
      '--keys <file>',
      "register the identity of this analyst key file and certify it here (the analyst's own machine)",
    )
    .option('--expires <duration>', 'how long the invitation can be used: 90s, 30m, 24h, 7d (at most 30d)', '24h')
    .option(
      '--address <host:port>',
      'the address analysts reach the coordinator at, put in the invitation (default: the address it listens on, ' +
        'unless that is a wildcard such as 0.0.0.0)',
    )
    .option('--json', 'print {name, invitation, expiresAt, tlsFingerprint, address}, or the analyst, as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator analysts add alice --address coordinator.example.com:7443
  $ tessera coordinator analysts add bob --public-key 5d1f...9a0c
  $ tessera keys create && tessera coordinator analysts add me --keys analyst-keys.json

Each analyst has an identity of their own (the Ed25519 key in their key file from tessera keys create):
it signs every job they submit, and a client certificate from the coordinator's CA authenticates their
calls. They see and act on their own jobs only.
The invitation carries a one-time secret, the coordinator's TLS fingerprint and its address; give it to
the analyst over a private channel. They redeem it once with: tessera analyst join INVITATION --keys FILE.
With --public-key the analyst needs no invitation: tessera analyst join --keys FILE --coordinator ADDRESS
--tls-fingerprint SHA256 gets their certificate. --keys does both at once for an analyst on this machine.`,
    )
    .action(async (name: string, o: AddFlags) => {
      const dataDir = resolve(o.dataDir);
      if (o.publicKey && o.keys) throw new UsageError('give --public-key or --keys, not both');
      if (o.keys) return addLocal(name, dataDir, resolve(o.keys), o.json);
      if (o.publicKey) {
        const { registerAnalystKey } = await import('@tessera/coordinator');
        const a = await registerAnalystKey(dataDir, name, o.publicKey);
        if (o.json) return printJson(a);
        process.stdout.write(`analyst ${a.name} registered with identity ${a.publicKey}\n`);
        return;
      }
      const { inviteAnalyst } = await import('@tessera/coordinator');
      const address = o.address ?? listenAddressOf(dataDir);
      const issued = await inviteAnalyst(dataDir, name, {
        expiresInMs: parseDuration(o.expires, '--expires'),
        ...(address ? { address } : {}),
      });
      const expiresAt = new Date(issued.expiresAt).toISOString();
      if (o.json) return printJson({ ...issued, expiresAt });
      process.stdout.write(`${issued.invitation}\n`);
      // Only the invitation goes to stdout (for $(...) and redirection); what to note goes to stderr.
      process.stderr.write(
        `invitation for analyst ${issued.name}, valid until ${expiresAt}; ` +
          `they join with: tessera analyst join INVITATION --keys FILE\n` +
          (issued.address
            ? ''
            : 'it names no address: the analyst adds --coordinator HOST:PORT (or pass --address)\n') +
          (issued.tlsFingerprint
            ? ''
            : 'it carries no TLS fingerprint (the coordinator has not started with TLS yet): start it first\n'),
      );
    });

  cmd
    .command('list')
    .description('list the analysts: name, status, when invited or registered, joined and revoked')
    .option(...dataDirOption)
    .option('--json', 'print [{name, status, createdAt, joinedAt, invitationExpiresAt, revokedAt, publicKey}]')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator analysts list
  $ tessera coordinator analysts list --json

An analyst is invited (the invitation was not redeemed yet), expired (it was not redeemed in time:
invite them again), active or revoked.`,
    )
    .action(async (o: { dataDir: string; json?: boolean }) => {
      const { listAnalysts } = await import('@tessera/coordinator');
      const analysts = await listAnalysts(resolve(o.dataDir));
      if (o.json) return printJson(analysts);
      process.stdout.write(
        analysts.length
          ? `${renderTable(
              ['name', 'status', 'since', 'joined', 'identity'],
              analysts.map((a) => [
                a.name,
                a.status,
                when(a.createdAt),
                when(a.joinedAt),
                a.publicKey ? `${a.publicKey.slice(0, 16)}...` : '',
              ]),
            )}\n`
          : 'no analysts yet (tessera coordinator analysts add NAME invites one)\n',
      );
    });

  cmd
    .command('revoke')
    .description('revoke an analyst for good: their calls are refused from the next one on; their jobs are kept')
    .argument('<name>', 'the analyst (tessera coordinator analysts list shows the names)')
    .option(...dataDirOption)
    .option('--json', 'print the analyst as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator analysts revoke alice

Revocation is final, and the name stays with the analyst's jobs: a replacement gets a new name. To stop
a running job of theirs, cancel it before revoking (tessera job cancel ID, as that analyst).`,
    )
    .action(async (name: string, o: { dataDir: string; json?: boolean }) => {
      const { revokeAnalyst } = await import('@tessera/coordinator');
      const a = await revokeAnalyst(resolve(o.dataDir), name);
      if (o.json) return printJson(a);
      process.stdout.write(`analyst ${a.name} revoked at ${when(a.revokedAt)}\n`);
    });
}

/** The address a local coordinator listens on (written at start), unless it is a wildcard no analyst can dial. */
function listenAddressOf(dataDir: string): string | undefined {
  const file = join(dataDir, ADDRESS_FILE);
  if (!existsSync(file)) return undefined;
  const address = readFileSync(file, 'utf8').trim();
  return /^(0\.0\.0\.0|\[::\]|::):/.test(address) ? undefined : address;
}

/** --keys: registers the key file's identity and writes its credentials beside it (operator and analyst are one). */
async function addLocal(name: string, dataDir: string, keysFile: string, json?: boolean): Promise<void> {
  const { certifyAnalyst } = await import('@tessera/coordinator');
  const { credentialsPathFor, loadAnalystIdentity, newTlsKey, saveAnalystCredentials } = await import('@tessera/sdk');
  const identity = loadAnalystIdentity(keysFile);
  const tlsKey = await newTlsKey();
  const { analyst, tls } = await certifyAnalyst(dataDir, name, identity.identity, tlsKey.publicKey);
  const coordinator = listenAddressOf(dataDir) ?? DEFAULT_LISTEN;
  const path = credentialsPathFor(keysFile);
  saveAnalystCredentials(path, {
    name: analyst.name,
    coordinator,
    ...(tls ? { tls: { anchorPem: tls.anchorPem, certPem: tls.certPem, keyPem: tlsKey.keyPem } } : {}),
  });
  if (json) return printJson({ ...analyst, credentials: path });
  process.stdout.write(
    `analyst ${analyst.name} registered with identity ${analyst.publicKey}; ` +
      `${tls ? 'certificate' : 'coordinator address'} written to ${path} (mode 0600)\n`,
  );
}
