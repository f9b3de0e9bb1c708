import { isIP } from 'node:net';
import { splitAddresses } from './address.js';
import { TransportError } from './transport-error.js';

/** True for the loopback range 127.0.0.0/8, ::1 (also IPv4-mapped) and the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  if (isIP(h) === 6) return new URL(`http://[${h}]/`).hostname === '[::1]'; // the URL parser compresses zeros
  return false;
}

/** True when a host:port address is on this machine's loopback interface. */
export function isLoopbackAddress(address: string): boolean {
  return splitAddresses(address).every((a) => isLoopbackHost(a.host));
}

/**
 * Plaintext is for loopback only: anything on the wire beyond this machine could be read or changed. Throws
 * INSECURE_NOT_LOOPBACK otherwise; `who` names the side that asked ("the coordinator", "this participant").
 */
export function assertInsecureAllowed(address: string, who: string): void {
  if (!isLoopbackAddress(address))
    throw new TransportError(
      'INSECURE_NOT_LOOPBACK',
      `${who} refuses --insecure for ${address}: ` +
        'plaintext is allowed only on loopback (127.0.0.0/8, ::1, localhost); drop --insecure to use TLS',
    );
}

/** The warning printed whenever a channel runs in plaintext. */
export function insecureWarning(address: string): string {
  return (
    `warning: --insecure: traffic with ${address} is plaintext (loopback only); ` +
    'anyone on this machine who can read loopback traffic sees tokens and data'
  );
}
