import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionOptions } from '../context.js';
import { withAnalyst, withConnection, type Conn } from './job.js';
import type { Command } from 'commander';
import { readReceiptFiles } from '../sales/receipts-dir.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

/** The coordinator's Ed25519 public key from 64 hex characters. */
export async function parsePublicKey(text: string): Promise<Uint8Array> {
  if (!/^[0-9a-fA-F]{64}$/.test(text))
    throw new UsageError(
      "--key must be the coordinator's Ed25519 public key as 64 hex characters, " +
        `got "${text.length > 20 ? `${text.slice(0, 20)}...` : text}" (${text.length} characters)`,
    );
  const { fromHex } = await import('@tessera/crypto');
  return fromHex(text);
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function registerVerify(cmd: Command): void {
  cmd
    .command('verify')
    .description(
      "check an exported payout ledger: every entry's hash, the chain of hashes, " +
        "the sequence numbers and the coordinator's signatures; with --receipts, also against members' receipts",
    )
    .argument('<file>', 'the ledger, one JSON entry per line')
    .option(
      '--key <hex>',
      "the coordinator's Ed25519 public key, 64 hex characters (required without --receipts, whose receipts pin it)",
    )
    .option(
      '--head <hash>',
      'the hash of the newest entry as the coordinator published it: detects entries cut off the end',
    )
    .option(
      '--first-seq <n>',
      'the file is a slice (tessera ledger export --job) whose first entry has this seq; ' +
        'the chain before it is not checked',
      (v: string) => Number(v),
    )
    .option(
      '--receipts <dir>',
      'a directory of payout receipts (tessera participant receipts --out DIR): names a re-signed history, ' +
        'a truncation, a rewritten entry or a fork',
    )
    .option(
      '--cosignatures <file>',
      "the members' cosignatures over ledger heads (written by tessera ledger export): each must verify " +
        "and be over a head in the ledger's chain, under the member's identity key as its receipts or --roster pin it",
    )
    .option(
      '--roster <path>',
      'roster certificates (tessera roster sign), a file or a directory of *.json: pin the identity keys of members ' +
        'without receipts here, so their cosignatures verify (else they count as unverified)',
    )
    .option(
      '--roster-authority <hex>',
      "the roster authority's Ed25519 public key your node trusts (rosterAuthority in its config): every --roster " +
        "certificate must be signed by it (default: all by one authority, the first certificate's)",
    )
    .option(
      '--json',
      'print {ok, entries, head, seq, formatVersion} or {ok: false, line, seq, reason}; with --receipts or ' +
        '--cosignatures also failure (resigned | truncation | rewrite | fork | chain | receipts | cosignatures) ' +
        'and checks:{chain, receipts, key, truncation, rewrite, fork, cosignatures}',
    )
    .addHelpText(
      'after',
      `
Exits 0 when the ledger is intact, 1 with the first bad line otherwise. Without --head a file whose newest
entries were deleted still verifies: the file alone cannot show what is missing after its last line.
A member's receipts can: each pins the coordinator's key and carries the ledger head (length and hash) the
coordinator signed when it paid the member, so --receipts detects a history re-signed with a new key, an
export shorter than a receipt's head, an entry the receipts cover that was changed, and a fork (a chain
without a receipt's head, or two signed heads of one length).
A cosignature counts as verified only under the identity key pinned for its participant by a receipt's own
cosignature or a --roster certificate: another key is a forgery (exit 1); a participant nothing pins is
reported as unverified (checks.cosignatures.unverified and unpinned), since its key is the coordinator's word.

Examples:
  $ tessera ledger verify payouts.jsonl --key 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
  $ tessera ledger verify payouts.jsonl --key <coordinator key hex> --head <newest entry hash> --json
  $ tessera participant receipts --out receipts/ && tessera ledger verify payouts.jsonl --receipts receipts/
  $ tessera ledger verify payouts.jsonl --receipts receipts/ --cosignatures payouts.cosignatures.jsonl --json
  $ tessera ledger verify payouts.jsonl --receipts receipts/ --cosignatures payouts.cosignatures.jsonl \\
      --roster roster/ --roster-authority <roster authority key hex>`,
    )
    .action(
      async (
        file: string,
        o: {
          key?: string;
          head?: string;
          firstSeq?: number;
          receipts?: string;
          cosignatures?: string;
          roster?: string;
          rosterAuthority?: string;
          json?: boolean;
        },
      ) => {
        if ((o.roster !== undefined || o.rosterAuthority !== undefined) && o.cosignatures === undefined)
          throw new UsageError(
            '--roster and --roster-authority pin the keys of cosignatures: give --cosignatures FILE as well',
          );
        if (o.rosterAuthority !== undefined && o.roster === undefined)
          throw new UsageError('--roster-authority checks roster certificates: give --roster FILE|DIR as well');
        if (o.rosterAuthority !== undefined && !/^[0-9a-fA-F]{64}$/.test(o.rosterAuthority))
          throw new UsageError(
            `--roster-authority must be the roster authority's Ed25519 public key, 64 hex characters, ` +
              `got "${o.rosterAuthority}"`,
          );
        if (o.key === undefined && o.receipts === undefined)
          throw new UsageError(
            "--key is required: the coordinator's Ed25519 public key (or --receipts DIR, whose receipts pin it)",
          );
        if (o.firstSeq !== undefined && !(Number.isInteger(o.firstSeq) && o.firstSeq >= 1))
          throw new UsageError(`--first-seq must be a positive integer, got ${o.firstSeq}`);
        const key = o.key === undefined ? undefined : await parsePublicKey(o.key);
        if (o.head !== undefined && !/^[0-9a-fA-F]{64}$/.test(o.head))
          throw new UsageError(`--head must be an entry hash, 64 hex characters, got "${o.head}"`);
        const text = readText(file, 'ledger');
        if (o.receipts !== undefined || o.cosignatures !== undefined) return verifyWithReceipts(file, text, key, o);
        const { verifyLedger } = await import('@tessera/payouts');
        const v = verifyLedger(text, key!, {
          ...(o.head === undefined ? {} : { head: o.head }),
          ...(o.firstSeq === undefined ? {} : { firstSeq: o.firstSeq }),
        });
        if (v.ok) {
          if (o.json)
            printJson({
              ok: true,
              entries: v.entries,
              head: v.head.hash,
              seq: v.head.seq,
              ...(v.formatVersion === undefined ? {} : { formatVersion: v.formatVersion }),
            });
          else process.stdout.write(`ledger intact: ${v.entries} entries, head ${v.head.hash}\n`);
          return;
        }
        process.exitCode = 1;
        if (o.json) printJson({ ok: false, line: v.line, seq: v.seq ?? null, reason: v.reason, entries: v.entries });
        else process.stderr.write(`ledger tampered: ${file} ${v.reason}\n`);
      },
    );
}

/** The roster certificates in `path` (a certificate file, or a directory of *.json), parsed; errors name the file. */
async function readRoster(path: string) {
  const { parseRosterCertificate } = await import('@tessera/crypto');
  let files: { file: string; path: string }[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((n) => n.endsWith('.json'))
          .sort()
          .map((n) => ({ file: n, path: join(path, n) }))
      : [{ file: path, path }];
  } catch (e) {
    throw new UsageError(`cannot read --roster ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (files.length === 0)
    throw new UsageError(`--roster ${path} holds no roster certificates (*.json, written by tessera roster sign)`);
  return files.map(({ file, path: p }) => {
    try {
      return { file, certificate: parseRosterCertificate(readFileSync(p, 'utf8'), p) };
    } catch (e) {
      throw new UsageError(`--roster: ${(e as Error).message}`);
    }
  });
}

async function verifyWithReceipts(
  file: string,
  text: string,
  key: Uint8Array | undefined,
  o: {
    head?: string;
    firstSeq?: number;
    receipts?: string;
    cosignatures?: string;
    roster?: string;
    rosterAuthority?: string;
    json?: boolean;
  },
): Promise<void> {
  const { verifyAgainstReceipts } = await import('@tessera/payouts');
  const { fromHex } = await import('@tessera/crypto');
  const receipts = o.receipts === undefined ? [] : await readReceiptFiles(o.receipts);
  const roster = o.roster === undefined ? undefined : await readRoster(o.roster);
  const v = verifyAgainstReceipts(text, receipts, {
    ...(key === undefined ? {} : { key }),
    ...(o.head === undefined ? {} : { head: o.head }),
    ...(o.firstSeq === undefined ? {} : { firstSeq: o.firstSeq }),
    ...(o.cosignatures === undefined ? {} : { cosignatures: readText(o.cosignatures, 'cosignatures') }),
    ...(roster === undefined ? {} : { roster }),
    ...(o.rosterAuthority === undefined ? {} : { rosterAuthority: fromHex(o.rosterAuthority.toLowerCase()) }),
  });
  const c = v.chainVerdict;
  const cos = v.checks.cosignatures;
  if (v.ok && c.ok) {
    if (o.json)
      return printJson({
        ok: true,
        entries: c.entries,
        head: c.head.hash,
        seq: c.head.seq,
        ...(c.formatVersion === undefined ? {} : { formatVersion: c.formatVersion }),
        checks: v.checks,
      });
    const against = [
      ...(o.receipts === undefined ? [] : [`${v.checks.receipts.count} receipt(s) agree (key ${v.checks.key.used})`]),
      ...(cos
        ? [
            `${cos.verified} cosignature(s) verify` +
              (cos.missing ? `, ${cos.missing} of the receipts' own missing` : ''),
            ...(cos.unverified
              ? [
                  `${cos.unverified} unverified: no receipt or --roster certificate pins the key of ` +
                    cos.unpinned.join(', '),
                ]
              : []),
          ]
        : []),
    ];
    process.stdout.write(`ledger intact: ${c.entries} entries, head ${c.head.hash}; ${against.join('; ')}\n`);
    return;
  }
  process.exitCode = 1;
  if (o.json)
    return printJson({
      ok: false,
      line: v.line ?? null,
      seq: v.seq ?? null,
      reason: v.reason,
      entries: c.entries,
      failure: v.failure,
      checks: v.checks,
    });
  process.stderr.write(`ledger tampered: ${file} ${v.reason}\n`);
}

function registerExport(cmd: Command): void {
  withConnection(cmd.command('export'))
    .description("write the coordinator's payout ledger as JSON Lines, with the key and head to verify it")
    .requiredOption('--out <file.jsonl>', 'where to write the ledger')
    .option(
      '--job <id>',
      "only this job's entries: a slice of the chain (verify it with --first-seq, the seq of its first entry)",
    )
    .option(
      '--cosignatures-out <file.jsonl>',
      "where to write the members' cosignatures over ledger heads " +
        '(default: the --out file with .cosignatures.jsonl for .jsonl)',
    )
    .option(
      '--json',
      'print {file, entries, head, coordinatorPublicKey, headSeq, headSignature, cosignatures, cosignaturesFile}',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera ledger export --out ledger.jsonl
  $ tessera ledger export --out ledger.jsonl --json
  $ tessera ledger export --out ledger.jsonl && tessera ledger verify ledger.jsonl --key <coordinatorPublicKey>
  $ tessera ledger verify ledger.jsonl --receipts receipts/ --cosignatures ledger.cosignatures.jsonl
${connectionOptions}`,
    )
    .action(async (o: Conn & { out: string; job?: string; cosignaturesOut?: string }) => {
      await withAnalyst(o, async (analyst) => {
        const ledger = await analyst.exportLedger(o.job ?? '');
        writeFileSync(o.out, ledger.lines.map((l) => `${l}\n`).join(''));
        const cosignaturesFile = o.cosignaturesOut ?? `${o.out.replace(/\.jsonl$/, '')}.cosignatures.jsonl`;
        writeFileSync(cosignaturesFile, ledger.cosignatures.map((l) => `${l}\n`).join(''));
        const summary = {
          file: o.out,
          entries: ledger.lines.length,
          head: ledger.head,
          coordinatorPublicKey: ledger.coordinatorKey,
          headSeq: ledger.headSeq,
          headSignature: ledger.headSignature,
          cosignatures: ledger.cosignatures.length,
          cosignaturesFile,
        };
        if (o.json) return printJson(summary);
        const first = ledger.lines[0];
        const anchor = o.job
          ? first === undefined
            ? ''
            : ` --first-seq ${(JSON.parse(first) as { seq: number }).seq}`
          : ` --head ${summary.head}`;
        process.stdout.write(
          `${summary.entries} ledger entries written to ${o.out}; head ${summary.head}\n` +
            `${summary.cosignatures} member cosignature(s) written to ${cosignaturesFile}\n` +
            `verify with: tessera ledger verify ${o.out} --key ${summary.coordinatorPublicKey}${anchor}\n` +
            `a member checks it against its receipts with: tessera ledger verify ${o.out} --receipts DIR ` +
            `--cosignatures ${cosignaturesFile}\n`,
        );
      });
    });
}

export function registerLedger(program: Command): void {
  const cmd = program
    .command('ledger')
    .description('the signed, hash-chained payout ledger')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera ledger export --out payouts.jsonl
  $ tessera ledger verify payouts.jsonl --key <coordinator key hex>`,
    );
  registerVerify(cmd);
  registerExport(cmd);
}
