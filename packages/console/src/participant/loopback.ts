/**
 * The participant console's reach: it listens on loopback only, and answers only requests addressed to a loopback
 * name (a page of another site that rebinds its DNS name to 127.0.0.1 is refused by its Host header).
 */
import { ConsoleError } from '../http/console-error.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** The host of a host:port listen address ([::1]:7072 gives ::1). */
function hostOf(address: string): string {
  const i = address.lastIndexOf(':');
  return (i < 0 ? address : address.slice(0, i)).replace(/^\[|\]$/g, '');
}

/** Throws unless `listen` (host:port) names a loopback host: 127.0.0.1, ::1 or localhost. */
export function checkLoopbackListen(listen: string, flag = '--console'): void {
  const host = hostOf(listen);
  if (!LOOPBACK_HOSTS.has(host.toLowerCase()))
    throw new ConsoleError(
      'BAD_REQUEST',
      `${flag} ${listen}: the participant's console serves plain HTTP on this machine only, so it listens on ` +
        `127.0.0.1, ::1 or localhost, not on ${host || '(no host)'}: give e.g. ${flag} 127.0.0.1:7072`,
    );
}

/** Throws unless the request's Host header names a loopback host (with any port). */
export function checkLoopbackHost(hostHeader: string | undefined): void {
  const host = hostHeader ?? '';
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : (host.split(':')[0] ?? '');
  if (!LOOPBACK_HOSTS.has(name.toLowerCase()))
    throw new ConsoleError(
      'FORBIDDEN',
      `refused a request for host "${host}": this participant console answers only at 127.0.0.1, localhost or ` +
        '[::1]; open a link from tessera participant console-link',
    );
}
