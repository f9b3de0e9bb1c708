import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

export const DEFAULT_ANALYST_KEYS = 'analyst-keys.json';

export function registerKeys(program: Command): void {
  const cmd = program
    .command('keys')
    .description(
      'your analyst key file: the identity that signs your jobs and joins coordinators, and the keys of sealed ' +
        'mode (homomorphic encryption: only you can read the aggregates)',
    );

  cmd
    .command('create')
    .description(
      'create your analyst key file (mode 0600): an Ed25519 identity, which signs every job you submit, and a BFV ' +
        'key pair for sealed jobs (the public key goes with each sealed submission, the secret key never leaves ' +
        'this file)',
    )
    .option('--out <file>', 'where to write the key file', DEFAULT_ANALYST_KEYS)
    .option('--force', 'replace an existing key file (the old keys can then no longer read their jobs)')
    .option('--json', 'print {file, params, publicKeySha256, identity} as JSON (never a secret key)')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera keys create
  $ tessera keys create --out ~/.tessera/analyst-keys.json
  $ tessera analyst join INVITATION --keys ~/.tessera/analyst-keys.json
  $ tessera job submit job.yaml --sealed --keys ~/.tessera/analyst-keys.json

Give the coordinator's operator the analyst identity it prints (or redeem their invitation with
tessera analyst join). Keep the key file private: whoever holds it can act as you and decrypt every
sealed aggregate made for it.`,
    )
    .action(async (o: { out: string; force?: boolean; json?: boolean }) => {
      const { AnalystKeysError, createAnalystKeys, saveAnalystKeys } = await import('@tessera/sdk');
      const keys = await createAnalystKeys();
      try {
        saveAnalystKeys(o.out, keys, { overwrite: Boolean(o.force) });
      } catch (e) {
        if (e instanceof AnalystKeysError) throw new UsageError(e.message);
        throw e;
      }
      const file = resolve(o.out);
      if (o.json)
        return printJson({
          file,
          params: keys.sealedParams,
          publicKeySha256: keys.fingerprint,
          identity: keys.identityHex,
        });
      process.stdout.write(
        `analyst keys written to ${file} (mode 0600)\n` +
          `BFV n=${keys.sealedParams.polyModulusDegree}, plaintext modulus ${keys.sealedParams.plainModulus}, ` +
          `public key sha256 ${keys.fingerprint}\n` +
          `analyst identity ${keys.identityHex} (participants may list it under trustedAnalysts)\n` +
          `keep this file private: it decrypts every sealed aggregate made for it\n`,
      );
    });
}
