import { fromHex, verify } from '@tessera/crypto';
import {
  chainProblem,
  entryProblem,
  fieldProblem,
  GENESIS_HASH,
  LEDGER_V3_FIELDS,
  LEDGER_VERSION_FIELD,
  ledgerFields,
  type LedgerEntry,
  type LedgerHead,
} from './ledger-entry.js';
import { entryHash, entryVersion, LEDGER_CONTEXT, type LedgerVersion } from './ledger-format.js';

/** A malformed ledger line; the message starts with "line N". */
export class LedgerFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message.startsWith(`line ${line}`) ? message : `line ${line}: ${message}`);
    this.name = 'LedgerFormatError';
  }
}

/**
 * Parses one exported line, checking the type of every field and, in version 3, the rules of its kind (errors name
 * the line, the field and its value).
 */
export function parseLedgerLine(text: string, line: number): LedgerEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new LedgerFormatError(line, `line ${line} is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new LedgerFormatError(line, `line ${line} is not a JSON object`);
  const fields = parsed as Record<string, unknown>;
  if (LEDGER_VERSION_FIELD in fields) {
    const problem = fieldProblem(LEDGER_VERSION_FIELD, fields[LEDGER_VERSION_FIELD]);
    if (problem) throw new LedgerFormatError(line, `line ${line}: ${problem}`);
  }
  const version = entryVersion(fields as { version?: LedgerVersion });
  const expected = ledgerFields(version);
  for (const key of Object.keys(fields)) {
    if (key === LEDGER_VERSION_FIELD || (expected as readonly string[]).includes(key)) continue;
    if ((LEDGER_V3_FIELDS as readonly string[]).includes(key))
      throw new LedgerFormatError(
        line,
        `line ${line}: field "${key}" belongs to version 3 entries, but this entry is version ${version}`,
      );
    throw new LedgerFormatError(
      line,
      `line ${line}: unknown field "${key}" (a version ${version} entry has exactly ${expected.join(', ')}` +
        `${version === 1 ? `, and optionally ${LEDGER_VERSION_FIELD}` : ` and ${LEDGER_VERSION_FIELD}`})`,
    );
  }
  for (const field of expected)
    if (!(field in fields)) throw new LedgerFormatError(line, `line ${line}: field ${field} is missing`);
  const entry = fields as unknown as LedgerEntry;
  const problem = chainProblem(entry) ?? entryProblem(entry, version);
  if (problem) throw new LedgerFormatError(line, `line ${line}: ${problem}`);
  return entry;
}

/** The outcome of verifyLedger; formatVersion is the format of the newest entry (absent for an empty ledger). */
export type LedgerVerdict =
  | { ok: true; entries: number; head: LedgerHead; formatVersion?: LedgerVersion }
  | { ok: false; line: number; seq?: number; reason: string; entries: number };

/**
 * Checks every line of an exported ledger (JSON Lines): format, seq continuity, prevHash chain, hash, signature;
 * stops at the first bad entry. By default the first line must be seq 1 chained to GENESIS_HASH; `firstSeq` accepts an
 * export that starts later (its first prevHash is then taken on trust, continuity is still checked). A file cannot
 * show that its newest entries were cut off: pass `head` (the hash of the newest entry, as published by the
 * coordinator)
 * to detect the removal of the last entries. `entries` counts the lines that passed.
 */
export function verifyLedger(
  text: string,
  publicKey: Uint8Array,
  options: { head?: string; firstSeq?: number } = {},
): LedgerVerdict {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.at(-1)?.trim() === '') lines.pop();
  const startSeq = options.firstSeq ?? 1;
  if (!Number.isSafeInteger(startSeq) || startSeq < 1)
    throw new RangeError(`firstSeq must be a positive integer, got ${options.firstSeq}`);
  let head: LedgerHead = { seq: startSeq - 1, hash: GENESIS_HASH };
  let formatVersion: LedgerVersion | undefined;
  for (const [i, text] of lines.entries()) {
    const line = i + 1;
    const fail = (reason: string, seq?: number): LedgerVerdict => ({
      ok: false,
      line,
      ...(seq === undefined ? {} : { seq }),
      reason,
      entries: i,
    });
    if (text.trim() === '') return fail(`line ${line} is blank (a ledger has one entry per line)`);
    let e: LedgerEntry;
    try {
      e = parseLedgerLine(text, line);
    } catch (err) {
      if (err instanceof LedgerFormatError) return fail(err.message);
      throw err;
    }
    const at = `line ${line} (seq ${e.seq})`;
    if (e.seq !== head.seq + 1)
      return fail(
        `line ${line}: seq ${e.seq} where ${head.seq + 1} was expected (an entry was removed, inserted or reordered)`,
        e.seq,
      );
    if (i === 0 && options.firstSeq === undefined && e.prevHash !== GENESIS_HASH) {
      return fail(
        `${at}: prevHash is not the genesis hash (the first entry of a ledger chains ` +
          `to ${GENESIS_HASH.slice(0, 8)}...; pass firstSeq for an export that starts later)`,
        e.seq,
      );
    }
    if (i > 0 && e.prevHash !== head.hash)
      return fail(`line ${line}: prevHash does not match the hash of line ${line - 1}`, e.seq);
    const version = entryVersion(e);
    // A ledger moves to newer formats only: an older one after a newer one is an entry rewritten (or re-signed).
    if (formatVersion !== undefined && version < formatVersion)
      return fail(
        `${at}: format version ${version} after version ${formatVersion} (a ledger never goes back to an older format)`,
        e.seq,
      );
    if (entryHash(e) !== e.hash)
      return fail(
        `${at}: hash does not match the entry's fields (a field such as amount, share, ` +
          'participant or timestamp was changed)',
        e.seq,
      );
    if (!verify(LEDGER_CONTEXT, fromHex(e.hash), fromHex(e.signature), publicKey)) {
      return fail(
        `${at}: signature does not verify with the given key (the entry was forged or re-hashed, ` +
          "or the key is not the coordinator's)",
        e.seq,
      );
    }
    head = { seq: e.seq, hash: e.hash };
    formatVersion = version;
  }
  if (options.head !== undefined && options.head.toLowerCase() !== head.hash) {
    const last =
      lines.length === 0
        ? 'the ledger is empty'
        : `the newest entry (line ${lines.length}, seq ${head.seq}) has hash ${head.hash}`;
    return {
      ok: false,
      line: lines.length + 1,
      seq: head.seq + 1,
      reason:
        `line ${lines.length + 1}: expected head ${options.head} but ${last}: entries after it were removed ` +
        '(or the head belongs to another ledger)',
      entries: lines.length,
    };
  }
  return { ok: true, entries: lines.length, head, ...(formatVersion === undefined ? {} : { formatVersion }) };
}
