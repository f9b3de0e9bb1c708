import type { Command } from 'commander';
import { resolve } from 'node:path';
import { connectionOptions } from '../context.js';
import { withConnection } from '../commands/job.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { ledgerFrom, type LedgerFlags } from './ledger-source.js';
import { memberBooks } from './member-books.js';
import { readReceiptsDir } from './receipts-dir.js';
import { renderStatement } from './render-statement.js';
import type { VerifiedLedger } from './verified-ledger.js';

type StatementFlags = LedgerFlags & { member: string; from?: string; to?: string; receipts?: string; out?: string };

/**
 * The participant id `--member` names: an id in the ledger, else a participant name the coordinator knows, else the
 * participant of the receipts given.
 */
function memberId(
  name: string,
  ledger: VerifiedLedger,
  names: Map<string, string>,
  receiptIds: readonly string[],
): string {
  if (ledger.entries.some((e) => e.participant === name)) return name;
  const byName = [...names].filter(([, n]) => n === name).map(([id]) => id);
  if (byName.length === 1) return byName[0]!;
  const own = [...new Set(receiptIds)];
  if (own.length === 1 && names.size === 0) return own[0]!;
  const paid = [
    ...new Set(ledger.entries.filter((e) => e.kind !== 'sale' && e.kind !== 'buyer-refund').map((e) => e.participant)),
  ];
  // Offline the ledger holds participant ids only: a name resolves through the member's own receipts.
  const offline =
    names.size === 0 && !/^p-/.test(name)
      ? `; an exported ledger names members by participant id: give the id, or --receipts DIR (the member's ` +
        'receipts, tessera participant receipts --out DIR) to find it by them'
      : '';
  throw new UsageError(
    `--member ${name}: no entry of the ledger is for that participant` +
      `${names.size ? ' and no participant has that name' : ''}; ` +
      `members in the ledger: ${paid.join(', ') || 'none'}${offline}`,
  );
}

/** `tessera payouts statement`: one member's entries, the sales they came from and totals, from a verified ledger. */
export function registerStatement(cmd: Command): void {
  withConnection(cmd.command('statement'))
    .description(
      "a member's statement: its payouts and refunds, the sales they came from and totals per currency, from a " +
        'ledger verified first; with --receipts, checked against the receipts its node kept',
    )
    .requiredOption('--member <name>', "the member's participant id (p-...) or, asking the coordinator, its name")
    .option('--from <date>', 'the first day (2026-12-01, UTC) or instant (ISO 8601) of the period')
    .option('--to <date>', 'the last day (inclusive) or instant of the period')
    .option('--ledger <file.jsonl>', 'an exported ledger to read offline (default: ask the coordinator)')
    .option('--key <hex>', "the coordinator's Ed25519 public key (required with --ledger)")
    .option(
      '--receipts <dir>',
      "the member's receipts (tessera participant receipts --out DIR): each must be in the ledger and the " +
        'statement unchanged, else exit 1',
    )
    .option('--out <file.html>', 'also write the statement as a page: amounts over time (daily bars, running total)')
    .option(
      '--json',
      'print {member, name, from, to, entries, sales, totals:[{currency, paid, refunded, net, entries}], series, ' +
        'problems, receipts:{ok, receipts, matched, outside, problems}|null, ledger, page}',
    )
    .addHelpText(
      'after',
      `
The ledger's chain and every signature are checked before anything is read from it; a ledger that does not
verify is refused. Exits 1 when a receipt does not match the ledger or the statement.

Examples:
  $ tessera payouts statement --member merchant-a
  $ tessera payouts statement --member merchant-a --from 2026-12-01 --to 2026-12-31 --out statement.html
  $ tessera participant receipts --out receipts/
  $ tessera payouts statement --member p-5b0c2e71d3a94f68 --ledger ledger.jsonl --key <coordinatorPublicKey> \\
      --receipts receipts/ --json
${connectionOptions}`,
    )
    .action(async (o: StatementFlags) => {
      const receipts = o.receipts === undefined ? undefined : await readReceiptsDir(o.receipts);
      const { ledger, names } = await ledgerFrom(o);
      const member = memberId(
        o.member,
        ledger,
        names,
        (receipts ?? []).map((r) => r.entry.participant),
      );
      const books = await memberBooks({
        ledger,
        member,
        name: names.get(member) ?? (member === o.member ? member : o.member),
        ...(o.from !== undefined ? { from: o.from } : {}),
        ...(o.to !== undefined ? { to: o.to } : {}),
        ...(receipts ? { receipts: { files: receipts, dir: o.receipts! } } : {}),
        ...(o.out !== undefined ? { out: o.out } : {}),
      });
      if (o.out) process.stderr.write(`statement page written to ${resolve(o.out)}\n`);
      if (o.json) printJson(books);
      else process.stdout.write(renderStatement(books));
      if (books.receipts && !books.receipts.ok) process.exitCode = 1;
    });
}
