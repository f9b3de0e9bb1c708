/** Checks an exported payout ledger against members' receipts: re-signing, truncation, rewrite, fork, cosignatures. */
import { fromHex, toHex, verify } from '@tessera/crypto';
import type { LedgerEntry } from './ledger-entry.js';
import { cosignerKeys, type RosterInput } from './ledger-cosigner-keys.js';
import { entryHash, LEDGER_CONTEXT } from './ledger-format.js';
import { cosignatureProblem, parseCosignatureLine, type LedgerCosignature } from './ledger-head.js';
import { receiptProblem, type PayoutReceiptFile } from './ledger-receipt.js';
import { parseLedgerLine, verifyLedger, type LedgerVerdict } from './ledger-verify.js';

/** What a failed check found, most specific first: the verdict's `failure`. */
export type LedgerFailure = 'receipts' | 'resigned' | 'truncation' | 'rewrite' | 'fork' | 'chain' | 'cosignatures';

/** One receipt and the file it came from (named in every reason). */
export interface ReceiptInput {
  file: string;
  receipt: PayoutReceiptFile;
}

interface Check {
  ok: boolean;
  /** The export's line the problem is on (the line after the last for a truncation). */
  line?: number;
  seq?: number;
  reason?: string;
}

/** The result of verifyAgainstReceipts: every check, and the first failure in LedgerFailure's order. */
export interface ReceiptsVerdict {
  ok: boolean;
  failure?: LedgerFailure;
  reason?: string;
  /** The export's line of the failure (as in LedgerVerdict). */
  line?: number;
  seq?: number;
  /** verifyLedger under the key used (the one given, else the one the receipts pin). */
  chainVerdict: LedgerVerdict;
  checks: {
    chain: Check & { entries: number };
    receipts: Check & { count: number; withHeads: number };
    key: Check & { pinned: string | null; used: string };
    truncation: Check & { exportSeq: number; receiptSeq: number };
    rewrite: Check & { checked: number; uncovered: number };
    /** `equivocation`: two heads of one length, both signed (named before a truncation or a rewrite). */
    fork: Check & { checked: number; equivocation: boolean };
    cosignatures: (Check & CosignatureCounts) | null;
  };
}

/**
 * The cosignature check's counts: `verified` lines are under the key the receipts or roster certificates pin for
 * their participant; `unverified` ones name a participant nothing pins (`unpinned`), so their key is only the
 * coordinator's word. `pinned`: participants with a pinned key; `rosterAuthority`: the certificates' authority.
 */
export interface CosignatureCounts {
  count: number;
  verified: number;
  own: number;
  missing: number;
  unverified: number;
  unpinned: string[];
  pinned: number;
  rosterAuthority: string | null;
}

export interface ReceiptsOptions {
  /** The key to verify the export's signatures with; default: the one the receipts pin. */
  key?: Uint8Array;
  head?: string;
  firstSeq?: number;
  /** The export's cosignature lines (JSON Lines), when it has them. */
  cosignatures?: string;
  /** Roster certificates pinning members' identity keys, besides the receipts' own cosignatures. */
  roster?: readonly RosterInput[];
  /** The roster authority every certificate must be signed by; default: the first certificate's. */
  rosterAuthority?: Uint8Array;
}

const FIELDS = [
  'job',
  'participant',
  'amount',
  'currency',
  'method',
  'share',
  'timestamp',
  'kind',
  'product',
  'sale',
] as const;

function lines(text: string): string[] {
  const out = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (out.at(-1)?.trim() === '') out.pop();
  return out;
}

/** How an exported entry differs from a receipt's (for a rewrite's reason). */
function difference(receipt: LedgerEntry, exported: LedgerEntry): string {
  const changed = FIELDS.filter((f) => receipt[f] !== exported[f]).map(
    (f) => `${f} ${JSON.stringify(receipt[f])} in the receipt, ${JSON.stringify(exported[f])} in the export`,
  );
  if (changed.length) return changed.join('; ');
  if (receipt.prevHash !== exported.prevHash)
    return 'the same payment, but another prevHash: an entry before it was rewritten';
  return 'the same fields, another hash';
}

/**
 * Checks an exported ledger against members' receipts (any number, of one or more members): that the receipts hold
 * on their own and all pin one coordinator key, the export is signed by that key (else: a re-signed history), reaches
 * every receipt's head (else: a truncation), holds every receipt's entry unchanged (else: a rewrite, naming the seq
 * whose hash differs) and has, at each head's seq, the head's hash (else: a fork). Two signed heads of one length are
 * a fork too, named before a truncation or a rewrite. With `cosignatures`, each must verify, be over this ledger's
 * key and a head in the export's chain, and be under the identity key the receipts' own cosignatures or the `roster`
 * certificates pin for its participant (else: forged); a line whose participant nothing pins is counted unverified,
 * and one participant under two keys fails. The receipts' own cosignatures missing from the export are counted (a
 * node may fail to deliver one).
 */
export function verifyAgainstReceipts(
  text: string,
  receipts: readonly ReceiptInput[],
  options: ReceiptsOptions = {},
): ReceiptsVerdict {
  // Receipts on their own.
  const receiptsCheck: ReceiptsVerdict['checks']['receipts'] = {
    ok: true,
    count: receipts.length,
    withHeads: receipts.filter((r) => r.receipt.head).length,
  };
  for (const { file, receipt } of receipts) {
    const problem = receiptProblem(receipt);
    if (problem) {
      Object.assign(receiptsCheck, { ok: false, reason: `receipt ${file}: ${problem}` });
      break;
    }
  }
  // The key the receipts pin, and the one the export is verified with.
  const pinnedKeys = [...new Set(receipts.map((r) => r.receipt.coordinatorKey))];
  const pinned = pinnedKeys[0] ?? null;
  const used = options.key ? toHex(options.key) : pinned;
  if (used === null) throw new RangeError('no key to verify with: pass the coordinator key or at least one receipt');
  const key: ReceiptsVerdict['checks']['key'] = { ok: true, pinned, used };
  if (pinnedKeys.length > 1) {
    const where = pinnedKeys.map(
      (k) => `${k.slice(0, 16)}... (${receipts.find((r) => r.receipt.coordinatorKey === k)?.file})`,
    );
    Object.assign(key, {
      ok: false,
      reason: `the receipts pin ${pinnedKeys.length} coordinator keys, ${where.join(', ')}: the ledger was re-signed`,
    });
  } else if (pinned !== null && used !== pinned) {
    Object.assign(key, {
      ok: false,
      reason:
        `re-signed history: the export is checked against coordinator key ${used.slice(0, 16)}... but the ` +
        `receipts pin ${pinned.slice(0, 16)}... (the key every receipt was signed with)`,
    });
  }
  // The chain itself, under the key used.
  const chainVerdict = verifyLedger(text, fromHex(used), {
    ...(options.head === undefined ? {} : { head: options.head }),
    ...(options.firstSeq === undefined ? {} : { firstSeq: options.firstSeq }),
  });
  const chain: ReceiptsVerdict['checks']['chain'] = chainVerdict.ok
    ? { ok: true, entries: chainVerdict.entries }
    : {
        ok: false,
        entries: chainVerdict.entries,
        line: chainVerdict.line,
        ...(chainVerdict.seq === undefined ? {} : { seq: chainVerdict.seq }),
        reason: chainVerdict.reason,
      };
  // The export's entries by seq, read leniently (the chain check names broken lines).
  const all = lines(text);
  const bySeq = new Map<number, { entry: LedgerEntry; line: number }>();
  let exportSeq = 0;
  for (const [i, l] of all.entries()) {
    try {
      const e = parseLedgerLine(l, i + 1);
      if (!bySeq.has(e.seq)) bySeq.set(e.seq, { entry: e, line: i + 1 });
      exportSeq = Math.max(exportSeq, e.seq);
    } catch {
      // named by the chain check
    }
  }
  const firstSeq = options.firstSeq ?? 1;
  // Entries whose hash holds but whose signature fails under the pinned key: re-signed (or forged) entries.
  if (key.ok && pinned !== null && !chain.ok) {
    const pinnedKey = fromHex(pinned);
    for (const { entry, line } of bySeq.values()) {
      if (entryHash(entry) !== entry.hash) continue;
      if (!verify(LEDGER_CONTEXT, fromHex(entry.hash), fromHex(entry.signature), pinnedKey)) {
        Object.assign(key, {
          ok: false,
          line,
          seq: entry.seq,
          reason:
            `re-signed history: entry ${entry.seq} (line ${line}) is not signed by the coordinator key the receipts ` +
            `pin, ${pinned.slice(0, 16)}... (signed by another key, or forged)`,
        });
        break;
      }
    }
  }
  // Truncation, rewrite and fork, receipt by receipt.
  const receiptSeq = Math.max(0, ...receipts.map((r) => Math.max(r.receipt.entry.seq, r.receipt.head?.seq ?? 0)));
  const truncation: ReceiptsVerdict['checks']['truncation'] = { ok: true, exportSeq, receiptSeq };
  const rewrite: ReceiptsVerdict['checks']['rewrite'] = { ok: true, checked: 0, uncovered: 0 };
  const fork: ReceiptsVerdict['checks']['fork'] = { ok: true, checked: 0, equivocation: false };
  const fail = (c: Check, fields: Omit<Check, 'ok'>) => {
    if (c.ok) Object.assign(c, { ok: false, ...fields });
  };
  // Two heads of one length, both signed by the coordinator, show it gave members different ledgers: checked first.
  const headAt = new Map<number, { hash: string; file: string }>();
  for (const { file, receipt } of receipts) {
    const h = receipt.head;
    if (!h) continue;
    const seen = headAt.get(h.seq);
    if (!seen) headAt.set(h.seq, { hash: h.hash, file });
    else if (seen.hash !== h.hash && fork.ok) {
      fork.equivocation = true;
      fail(fork, {
        seq: h.seq,
        reason:
          `fork: two heads of length ${h.seq} signed by the coordinator: ${seen.hash.slice(0, 16)}... in ` +
          `${seen.file} and ${h.hash.slice(0, 16)}... in ${file}`,
      });
    }
  }
  for (const { file, receipt } of receipts) {
    const { entry, head } = receipt;
    const top = Math.max(entry.seq, head?.seq ?? 0);
    if (top > exportSeq)
      fail(truncation, {
        line: all.length + 1,
        seq: exportSeq + 1,
        reason:
          `truncation: the export ends at seq ${exportSeq} but receipt ${file} ` +
          `(job ${entry.job}, entry seq ${entry.seq}) was signed at head seq ${top}: ` +
          `entries after ${exportSeq} were removed`,
      });
    if (entry.seq < firstSeq) rewrite.uncovered++;
    else {
      const got = bySeq.get(entry.seq);
      if (got) {
        rewrite.checked++;
        const same = got.entry.hash === entry.hash && FIELDS.every((f) => got.entry[f] === entry[f]);
        if (!same)
          fail(rewrite, {
            line: got.line,
            seq: entry.seq,
            reason:
              `rewrite: hash mismatch at entry ${entry.seq} (line ${got.line}): receipt ${file} has ` +
              `${entry.hash.slice(0, 16)}..., the export ${got.entry.hash.slice(0, 16)}... ` +
              `(${difference(entry, got.entry)})`,
          });
      }
    }
    if (head && head.seq >= firstSeq) {
      const got = bySeq.get(head.seq);
      if (got) {
        fork.checked++;
        if (got.entry.hash !== head.hash)
          fail(fork, {
            line: got.line,
            seq: head.seq,
            reason:
              `fork: the export's chain does not contain the head receipt ${file} was signed at ` +
              `(seq ${head.seq}, hash ${head.hash.slice(0, 16)}...); ` +
              `the export has ${got.entry.hash.slice(0, 16)}... there`,
          });
      }
    }
  }
  const cosignatures = options.cosignatures === undefined ? null : checkCosignatures(options.cosignatures);
  function checkCosignatures(cosText: string): NonNullable<ReceiptsVerdict['checks']['cosignatures']> {
    const keys = cosignerKeys(receipts, options.roster, options.rosterAuthority);
    const c: NonNullable<ReceiptsVerdict['checks']['cosignatures']> = {
      ok: true,
      count: 0,
      verified: 0,
      own: 0,
      missing: 0,
      unverified: 0,
      unpinned: [],
      pinned: keys.pins.size,
      rosterAuthority: keys.rosterAuthority,
    };
    if (keys.problem) fail(c, { reason: keys.problem });
    const present = new Set<string>();
    /** Participants nothing pins: the first key and line each was seen under in the export. */
    const firstSeen = new Map<string, { publicKey: string; line: number }>();
    const unpinned = new Set<string>();
    for (const [i, l] of lines(cosText).entries()) {
      let cos: LedgerCosignature;
      try {
        cos = parseCosignatureLine(l, i + 1);
      } catch (e) {
        fail(c, { reason: (e as Error).message });
        continue;
      }
      c.count++;
      const problem = cosignatureProblem(cos);
      const at = bySeq.get(cos.seq);
      const keyIssue = problem || cos.coordinatorKey !== used ? undefined : keyProblem(cos, i + 1);
      if (problem) fail(c, { seq: cos.seq, reason: `cosignature line ${i + 1}: ${problem}` });
      else if (cos.coordinatorKey !== used)
        fail(c, { seq: cos.seq, reason: `cosignature line ${i + 1} is over another ledger's key` });
      else if (keyIssue) fail(c, { seq: cos.seq, reason: keyIssue });
      else if (cos.seq >= firstSeq && at && at.entry.hash !== cos.hash)
        fail(c, {
          seq: cos.seq,
          reason:
            `cosignature line ${i + 1}: participant ${cos.participant} cosigned hash ${cos.hash.slice(0, 16)}... ` +
            `at seq ${cos.seq}, which is not in the export's chain (a fork)`,
        });
      else if (cos.seq > exportSeq)
        fail(c, {
          seq: cos.seq,
          reason: `cosignature line ${i + 1} is over head seq ${cos.seq}, after the export's end (${exportSeq})`,
        });
      else if (keys.pins.has(cos.participant)) {
        c.verified++;
        present.add(cos.signature);
      } else {
        c.unverified++;
        unpinned.add(cos.participant);
      }
    }
    c.unpinned = [...unpinned].sort();
    /** Why a well-formed line is not the member's: another key than the pinned one, or two keys in the export. */
    function keyProblem(cos: LedgerCosignature, line: number): string | undefined {
      const pin = keys.pins.get(cos.participant);
      if (pin)
        return pin.publicKey === cos.publicKey
          ? undefined
          : `forged cosignature: line ${line} is by participant ${cos.participant} under key ` +
              `${cos.publicKey.slice(0, 16)}..., but ${pin.source} pins its identity key ` +
              `${pin.publicKey.slice(0, 16)}...: the member did not make it`;
      const seen = firstSeen.get(cos.participant);
      if (!seen) {
        firstSeen.set(cos.participant, { publicKey: cos.publicKey, line });
        return undefined;
      }
      return seen.publicKey === cos.publicKey
        ? undefined
        : `cosignature lines ${seen.line} and ${line} name participant ${cos.participant} under two keys ` +
            `(${seen.publicKey.slice(0, 16)}... and ${cos.publicKey.slice(0, 16)}...): at most one is the member's`;
    }
    for (const { receipt } of receipts) {
      if (!receipt.cosignature) continue;
      c.own++;
      if (!present.has(receipt.cosignature.signature)) c.missing++;
    }
    return c;
  }
  const checks = { chain, receipts: receiptsCheck, key, truncation, rewrite, fork, cosignatures };
  const order: [LedgerFailure, Check | null][] = [
    ['receipts', receiptsCheck],
    ['resigned', key],
    ...(fork.equivocation ? [['fork', fork] as [LedgerFailure, Check]] : []),
    ['truncation', truncation],
    ['rewrite', rewrite],
    ['fork', fork],
    ['chain', chain],
    ['cosignatures', cosignatures],
  ];
  const first = order.find(([, c]) => c && !c.ok);
  if (!first) return { ok: true, chainVerdict, checks };
  const [failure, c] = first as [LedgerFailure, Check];
  return {
    ok: false,
    failure,
    reason: c.reason ?? failure,
    ...(c.line === undefined ? {} : { line: c.line }),
    ...(c.seq === undefined ? {} : { seq: c.seq }),
    chainVerdict,
    checks,
  };
}
