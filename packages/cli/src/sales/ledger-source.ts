import { readFileSync } from 'node:fs';
import { withAnalyst, type Conn } from '../commands/job.js';
import { UsageError } from '../ui/errors.js';
import { verifiedLedger, type VerifiedLedger } from './verified-ledger.js';

/** Where statement and reconcile read the ledger: an exported file (offline, with --key) or the coordinator. */
export type LedgerFlags = Conn & { ledger?: string; key?: string };

/**
 * The verified ledger: from `--ledger FILE` under `--key` (offline, nothing is asked of the coordinator), or else the
 * coordinator's export (checked against its published head, and under `--key` when given: a coordinator answering
 * with another key is refused). `names` maps participant ids to names when the coordinator was asked.
 */
export async function ledgerFrom(o: LedgerFlags): Promise<{ ledger: VerifiedLedger; names: Map<string, string> }> {
  if (o.ledger !== undefined) {
    if (o.key === undefined)
      throw new UsageError(
        `--key is required with --ledger: the coordinator's Ed25519 public key (64 hex characters) that signed ` +
          `${o.ledger} (tessera ledger export prints it)`,
      );
    let text: string;
    try {
      text = readFileSync(o.ledger, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file (export one with tessera ledger export --out FILE)'
          : code === 'EISDIR'
            ? 'it is a directory; give the exported .jsonl file'
            : (code ?? (e as Error).message);
      throw new UsageError(`cannot read --ledger ${o.ledger}: ${why}`);
    }
    return { ledger: await verifiedLedger(text, o.key, o.ledger), names: new Map() };
  }
  let out: { ledger: VerifiedLedger; names: Map<string, string> } | undefined;
  await withAnalyst(o, async (analyst) => {
    const exported = await analyst.exportLedger();
    if (o.key !== undefined && o.key.toLowerCase() !== exported.coordinatorKey)
      throw new UsageError(
        `the coordinator signs its ledger with key ${exported.coordinatorKey}, not the --key ${o.key} you trust: ` +
          'a re-signed ledger, or the wrong key',
      );
    const text = exported.lines.map((l) => `${l}\n`).join('');
    const ledger = await verifiedLedger(text, exported.coordinatorKey, "the coordinator's export", exported.head);
    const names = new Map((await analyst.participants()).map((p) => [p.id, p.name]));
    out = { ledger, names };
  });
  return out!;
}
