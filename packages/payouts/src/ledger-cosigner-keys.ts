/** Which identity key each member cosigns ledger heads with, as pinned by the receipts and roster certificates. */
import { toHex, verifyRosterEntry, type RosterCertificate } from '@tessera/crypto';
import { cosignatureProblem } from './ledger-head.js';
import type { PayoutReceiptFile } from './ledger-receipt.js';

/** A roster certificate (a roster authority's signature over a participant id and identity key) and its file. */
export interface RosterInput {
  file: string;
  certificate: RosterCertificate;
}

/** A member's identity key (hex) and where it was pinned: "receipt FILE" or "roster certificate FILE". */
export interface PinnedKey {
  publicKey: string;
  source: string;
}

/** The keys pinned per participant id, the roster authority the certificates were checked under, the first problem. */
export interface CosignerKeys {
  pins: Map<string, PinnedKey>;
  rosterAuthority: string | null;
  problem?: string;
}

const short = (hex: string) => `${hex.slice(0, 16)}...`;

/**
 * The identity key of each member whose cosignatures a verifier can check: from the receipts' own cosignatures (each
 * made by the member's node, by the entry's participant) and from roster certificates, all of one authority
 * (`rosterAuthority` when given, else the first certificate's). A member pinned to two keys, a certificate of another
 * authority or one whose signature fails is the `problem` (the first found); the coordinator supplies none of this.
 */
export function cosignerKeys(
  receipts: readonly { file: string; receipt: PayoutReceiptFile }[],
  roster: readonly RosterInput[] = [],
  rosterAuthority?: Uint8Array,
): CosignerKeys {
  const pins = new Map<string, PinnedKey>();
  let problem: string | undefined;
  const pin = (participant: string, publicKey: string, source: string) => {
    const had = pins.get(participant);
    if (!had) pins.set(participant, { publicKey, source });
    else if (had.publicKey !== publicKey)
      problem ??=
        `participant ${participant} has two identity keys: ${short(had.publicKey)} in ${had.source} and ` +
        `${short(publicKey)} in ${source}; at most one is the member's (check them with the member)`;
  };
  for (const { file, receipt } of receipts) {
    const c = receipt.cosignature;
    if (!c || c.participant !== receipt.entry.participant || cosignatureProblem(c) !== undefined) continue;
    pin(c.participant, c.publicKey, `receipt ${file}`);
  }
  const first = roster[0];
  const authority = rosterAuthority ?? first?.certificate.authority;
  const authorityHex = authority ? toHex(authority) : null;
  for (const { file, certificate: cert } of roster) {
    const named = toHex(cert.authority);
    if (authority === undefined || named !== authorityHex)
      problem ??=
        `roster certificate ${file} is signed by authority ${short(named)}, not ${short(authorityHex ?? '')}` +
        `${rosterAuthority ? ' (--roster-authority)' : ` (the authority of ${first?.file})`}: ` +
        'every certificate must come from the roster authority your node trusts';
    else if (!verifyRosterEntry(authority, cert.participantId, cert.identityKey, cert.signature))
      problem ??= `roster certificate ${file}: its signature does not verify under authority ${short(named)}`;
    else pin(cert.participantId, toHex(cert.identityKey), `roster certificate ${file}`);
  }
  return { pins, rosterAuthority: authorityHex, ...(problem === undefined ? {} : { problem }) };
}
