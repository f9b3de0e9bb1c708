// `tessera roster`: a roster authority's key, and the certificates it signs for the members of a federation.
import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  fromHex,
  generateSigningKeyPair,
  isAcceptablePublicKey,
  loadSigningKeyPair,
  rosterCertificateText,
  saveSigningKeyPair,
  signRosterEntry,
  toHex,
} from '@tessera/crypto';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

export const DEFAULT_ROSTER_KEY = 'roster-authority.key';

export function registerRoster(program: Command): void {
  const cmd = program
    .command('roster')
    .description(
      "a roster authority (a key other than the coordinator's, e.g. the federation's consortium): it certifies each " +
        "member's participant id and identity key, and nodes whose config names it (rosterAuthority) join only " +
        'secure rounds where every participant holds such a certificate',
    );

  cmd
    .command('keygen')
    .description("create the roster authority's Ed25519 key file (mode 0600) and print its public key")
    .option('--out <file>', 'where to write the key file', DEFAULT_ROSTER_KEY)
    .option('--force', 'replace an existing key file (certificates signed by the old key no longer verify)')
    .option('--json', 'print {file, publicKey} as JSON (never the secret key)')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera roster keygen
  $ tessera roster keygen --out ~/.tessera/roster-authority.key --json

Give every member the public key it prints: each node sets rosterAuthority: <public key> in its
participant.yaml. Keep the key file away from the coordinator: whoever holds it can certify nodes.`,
    )
    .action((o: { out: string; force?: boolean; json?: boolean }) => {
      const file = resolve(o.out);
      if (existsSync(file) && !o.force)
        throw new UsageError(`${file} already exists; pass --force to replace it, or --out for another file`);
      const pair = generateSigningKeyPair();
      saveSigningKeyPair(file, pair);
      const publicKey = toHex(pair.publicKey);
      if (o.json) return printJson({ file, publicKey });
      process.stdout.write(
        `roster authority key written to ${file} (mode 0600)\n` +
          `public key ${publicKey} (each node sets rosterAuthority: ${publicKey} in its config)\n`,
      );
    });

  cmd
    .command('sign')
    .description(
      "certify a member: the authority's signature over its participant id and identity key, written as the " +
        'certificate file the node names in its config (rosterCertificate: FILE)',
    )
    .requiredOption('--key <file>', "the roster authority's key file (tessera roster keygen)")
    .requiredOption('--participant <id>', "the member's participant id (e.g. p-3f2a...)")
    .requiredOption('--identity <hex>', "the member's Ed25519 identity key, 64 hex characters")
    .requiredOption('--out <file>', 'where to write the certificate (JSON)')
    .option('--json', 'print {file, participantId, identityKey, authority} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera roster sign --key roster-authority.key --participant p-3f2a91c0 \\
      --identity 5d1c...e07a --out merchant-a-roster.json
  $ tessera roster sign --key roster-authority.key --participant p-3f2a91c0 --identity 5d1c...e07a \\
      --out merchant-a-roster.json --json

The coordinator's operator lists each participant's id and identity key (publicKey) with
tessera coordinator participants list --json; check them with the member before you sign.
The member copies the file beside its participant.yaml and sets rosterCertificate: FILE there.`,
    )
    .action((o: { key: string; participant: string; identity: string; out: string; json?: boolean }) => {
      if (!/^[0-9a-fA-F]{64}$/.test(o.identity))
        throw new UsageError(`--identity must be 64 hex characters (an Ed25519 public key), got "${o.identity}"`);
      const identityKey = fromHex(o.identity);
      if (!isAcceptablePublicKey(identityKey))
        throw new UsageError(`--identity ${o.identity} is not a valid Ed25519 public key`);
      if (o.participant.trim() === '') throw new UsageError('--participant must be a participant id');
      let authority: ReturnType<typeof loadSigningKeyPair>;
      try {
        authority = loadSigningKeyPair(resolve(o.key));
      } catch (e) {
        throw new UsageError(`--key: ${(e as Error).message}`);
      }
      const signature = signRosterEntry(authority.secretKey, o.participant, identityKey);
      const file = resolve(o.out);
      writeFileSync(
        file,
        rosterCertificateText({
          participantId: o.participant,
          identityKey,
          authority: authority.publicKey,
          signature,
        }),
      );
      const summary = {
        file,
        participantId: o.participant,
        identityKey: toHex(identityKey),
        authority: toHex(authority.publicKey),
      };
      if (o.json) return printJson(summary);
      process.stdout.write(
        `roster certificate for ${o.participant} (identity ${summary.identityKey}) written to ${file}\n` +
          `signed by roster authority ${summary.authority}\n`,
      );
    });
}
