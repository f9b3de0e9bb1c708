import type { Command } from 'commander';
import { DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

/** `tessera participant receipts --out DIR`: the node's payout receipts as files, for `ledger verify --receipts`. */
export function registerParticipantReceipts(cmd: Command): void {
  cmd
    .command('receipts')
    .description(
      'write the payout receipts this node kept (its ledger entries, the signed ledger heads and its ' +
        'cosignatures) to a directory, one file each, to check a published ledger against',
    )
    .requiredOption('--out <dir>', 'the directory to write receipt-<seq>.json files to (created if missing)')
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--json', 'print {ledger, dir, receipts:[{file, job, seq, amount, currency, headSeq, cosigned}]}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant receipts --out receipts/
  $ tessera participant receipts --config ./node-b/participant.yaml --out receipts/ --json
  $ tessera ledger verify ledger.jsonl --receipts receipts/ --cosignatures ledger.cosignatures.jsonl

Each receipt pins the coordinator's ledger key and carries the ledger head (length and newest hash)
the coordinator signed when it paid this node, and the node's countersignature over it: checked
against an export, they show a re-signed, truncated, rewritten or forked ledger.`,
    )
    .action(async (o: { out: string; config: string; json?: boolean }) => {
      const { loadParticipantConfig, exportReceipts } = await import('@tessera/participant');
      let result;
      try {
        result = exportReceipts(loadParticipantConfig(o.config), o.out);
      } catch (e) {
        if ((e as Error).message.startsWith('no receipts to export')) throw new UsageError((e as Error).message);
        throw e;
      }
      if (o.json) return printJson({ ledger: result.ledger, dir: o.out, receipts: result.receipts });
      const heads = result.receipts.filter((r) => r.headSeq > 0).length;
      process.stdout.write(
        `${result.receipts.length} receipt(s) written to ${o.out} (${heads} with a signed ledger head)\n` +
          `check a ledger export against them: tessera ledger verify LEDGER.jsonl --receipts ${o.out}\n`,
      );
    });
}
