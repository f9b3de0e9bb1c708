import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_COORDINATOR_DIR, KEYS_OPTION, keysFileOf } from '../context.js';
import { allowInsecure, INSECURE_OPTION, TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { readToken } from '../ui/token-input.js';
import { printJson } from '../ui/output.js';

type JoinFlags = {
  keys?: string;
  coordinator?: string;
  tlsFingerprint?: string;
  dataDir?: string;
  insecure?: boolean;
  json?: boolean;
};

/** `tessera analyst join`: redeem an invitation with your key file, and keep the certificate beside it. */
export function registerAnalyst(program: Command): void {
  const cmd = program.command('analyst').description('your identity as an analyst at a coordinator');

  cmd
    .command('join')
    .description(
      'redeem the invitation a coordinator operator gave you, with your analyst key file: the coordinator records ' +
        'your identity and its CA certifies a TLS key, saved beside the key file; without an invitation, get a new ' +
        'certificate for an identity the operator registered (or renew yours)',
    )
    .argument('[invitation]', 'the invitation (tsi1_...), or - to read it from stdin')
    .option(...KEYS_OPTION)
    .option('--coordinator <host:port>', "the coordinator's address (default: the one in the invitation)")
    .option(
      TLS_FINGERPRINT_OPTION[0],
      "the coordinator's TLS fingerprint to pin (default: the one in the invitation); needed without one",
    )
    .option(
      '--data-dir <dir>',
      'trust the certificate in this coordinator data directory on this machine instead of pinning ' +
        `(e.g. ${DEFAULT_COORDINATOR_DIR})`,
    )
    .option(...INSECURE_OPTION)
    .option('--json', 'print {name, coordinator, credentials, tls} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera keys create --out ~/.tessera/analyst-keys.json
  $ tessera analyst join tsi1_... --keys ~/.tessera/analyst-keys.json
  $ pass show tessera/invitation | tessera analyst join - --keys ~/.tessera/analyst-keys.json
  $ tessera analyst join --keys ~/.tessera/analyst-keys.json --coordinator coord.example.com:7443 \\
      --tls-fingerprint 3f9a...c2            registered by public key: no invitation
  $ tessera analyst join --keys ~/.tessera/analyst-keys.json     renew the certificate of a joined key file

The invitation carries the coordinator's address and TLS fingerprint: it is pinned, and the coordinator
certifies a new TLS key for you (urn:tessera:analyst:NAME). The credentials (address, pinned certificate,
your certificate and TLS key) go to FILE.coordinator.json beside the key file, mode 0600, and every
analyst command finds them with --keys FILE. A certificate lasts a year: run join again without an
invitation to renew it. Keep the key file private: its identity signs your jobs.`,
    )
    .action(async (invitationArg: string | undefined, o: JoinFlags) => {
      const sdk = await import('@tessera/sdk');
      const keysFile = keysFileOf(o);
      const identity = sdk.loadAnalystIdentity(keysFile);
      // From the argument or, with -, the first line of stdin (out of ps and the shell history).
      const invitation = invitationArg === undefined ? undefined : await readToken({ token: invitationArg });
      if (o.insecure) {
        const address = o.coordinator ?? (invitation ? sdk.parseAnalystInvitation(invitation).address : undefined);
        await allowInsecure(address ?? '', 'this analyst');
      }
      // Renewing: the coordinator and the anchor pinned at the first join, unless flags say otherwise.
      const previous = invitation ? undefined : sdk.loadAnalystCredentials(sdk.credentialsPathFor(keysFile));
      const tlsFingerprint = o.tlsFingerprint ?? process.env.TESSERA_TLS_FINGERPRINT;
      const anchorPem = o.dataDir
        ? sdk.readTrustAnchor(resolve(o.dataDir))
        : tlsFingerprint
          ? undefined
          : previous?.tls?.anchorPem;
      const coordinator = o.coordinator ?? previous?.coordinator;
      const credentials = await sdk.joinCoordinator({
        identity,
        ...(invitation ? { invitation } : {}),
        ...(coordinator ? { coordinator } : {}),
        ...(tlsFingerprint ? { tlsFingerprint } : {}),
        ...(anchorPem ? { anchorPem } : {}),
        ...(o.insecure ? { insecure: true } : {}),
      });
      const path = sdk.credentialsPathFor(keysFile);
      sdk.saveAnalystCredentials(path, credentials);
      if (o.json)
        return printJson({
          name: credentials.name,
          coordinator: credentials.coordinator,
          credentials: path,
          tls: !!credentials.tls,
        });
      process.stdout.write(
        `joined ${credentials.coordinator} as analyst ${credentials.name}; credentials in ${path} (mode 0600)\n` +
          `submit a job with: tessera job submit JOB.yaml --keys ${keysFile}\n`,
      );
    });
}
