// Mutual TLS on participant streams: what a Connect stream without a participant certificate is told, and whether a
// certificate fits the participant whose hello the stream carries.
import type { CertifiedIdentity } from '@tessera/transport';
import { certifiesKey } from '../identity/client-certificates.js';
import type { ParticipantRecord } from '../store/store.js';

/** How a node gets a certificate: nodes enrolled before mutual TLS have none. */
const GET_ONE =
  'a node enrolled before participants had certificates gets one with its identity key: tessera participant ' +
  'renew-cert --config participant.yaml (then restart it); or enrol it again with a new token ' +
  '(tessera participant init)';

/** The refusal of a Connect stream whose TLS peer proved no participant identity, or one not enrolled here. */
export function uncertifiedStreamRefusal(problem: string): string {
  return (
    'this coordinator requires a participant client certificate from its CA on every stream, and this stream ' +
    `was refused: ${problem}; ${GET_ONE}`
  );
}

/**
 * Why a verified participant certificate is refused before the stream's challenge (PERMISSION_DENIED), or undefined:
 * it names no enrolled participant, or was issued for another identity key than the participant's.
 */
export function certificateRefusal(identity: CertifiedIdentity, p: ParticipantRecord | undefined): string | undefined {
  if (!p) return `its client certificate names participant ${identity.id}, which is not enrolled here`;
  if (!certifiesKey(identity, p.publicKey))
    return `its client certificate was issued for another identity key than participant ${p.id}'s`;
  return undefined;
}

/** Why a hello does not fit the stream's certificate (a fatal rejection), or undefined. */
export function helloMismatch(identity: CertifiedIdentity, p: ParticipantRecord): string | undefined {
  if (identity.id === p.id) return undefined;
  return (
    `this stream's client certificate is for participant ${identity.id}, but its hello is signed as ${p.id}: ` +
    'each node connects with its own certificate (the tls.key and tls.pem beside its participant.yaml)'
  );
}
