import { readFileSync, writeFileSync } from 'node:fs';
import { connectionOptions } from '../context.js';
import { withAnalyst, withConnection, type Conn } from './job.js';
import type { Command } from 'commander';
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

function registerVerify(cmd: Command): void {
  cmd
    .command('verify')
    .description(
      "check an exported payout ledger: every entry's hash, the chain of hashes, " +
        "the sequence numbers and the coordinator's signatures",
    )
    .argument('<file>', 'the ledger, one JSON entry per line')
    .requiredOption('--key <hex>', "the coordinator's Ed25519 public key, 64 hex characters")
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
    .option('--json', 'print {ok, entries, head, seq, formatVersion} or {ok: false, line, seq, reason}')
    .addHelpText(
      'after',
      `
Exits 0 when the ledger is intact, 1 with the first bad line otherwise. Without --head a file whose newest
entries were deleted still verifies: the file alone cannot show what is missing after its last line.

Examples:
  $ tessera ledger verify payouts.jsonl --key 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
  $ tessera ledger verify payouts.jsonl --key <coordinator key hex> --head <newest entry hash> --json`,
    )
    .action(async (file: string, o: { key: string; head?: string; firstSeq?: number; json?: boolean }) => {
      if (o.firstSeq !== undefined && !(Number.isInteger(o.firstSeq) && o.firstSeq >= 1))
        throw new UsageError(`--first-seq must be a positive integer, got ${o.firstSeq}`);
      const key = await parsePublicKey(o.key);
      if (o.head !== undefined && !/^[0-9a-fA-F]{64}$/.test(o.head))
        throw new UsageError(`--head must be an entry hash, 64 hex characters, got "${o.head}"`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(
          `cannot read ledger ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
      const { verifyLedger } = await import('@tessera/payouts');
      const v = verifyLedger(text, key, {
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
    });
}

function registerExport(cmd: Command): void {
  withConnection(cmd.command('export'))
    .description("write the coordinator's payout ledger as JSON Lines, with the key and head to verify it")
    .requiredOption('--out <file.jsonl>', 'where to write the ledger')
    .option(
      '--job <id>',
      "only this job's entries: a slice of the chain (verify it with --first-seq, the seq of its first entry)",
    )
    .option('--json', 'print {file, entries, head, coordinatorPublicKey}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera ledger export --out ledger.jsonl
  $ tessera ledger export --out ledger.jsonl --json
  $ tessera ledger export --out ledger.jsonl && tessera ledger verify ledger.jsonl --key <coordinatorPublicKey>
${connectionOptions}`,
    )
    .action(async (o: Conn & { out: string; job?: string }) => {
      await withAnalyst(o, async (analyst) => {
        const ledger = await analyst.exportLedger(o.job ?? '');
        writeFileSync(o.out, ledger.lines.map((l) => `${l}\n`).join(''));
        const summary = {
          file: o.out,
          entries: ledger.lines.length,
          head: ledger.head,
          coordinatorPublicKey: ledger.coordinatorKey,
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
            `verify with: tessera ledger verify ${o.out} --key ${summary.coordinatorPublicKey}${anchor}\n`,
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
