import { isIP } from 'node:net';
import { TransportError } from './transport-error.js';

/**
 * The host and port of a gRPC target "host:port" ("[::1]:7070" for IPv6; a dns: or ipv4: scheme prefix is dropped).
 */
export function splitAddress(address: string): { host: string; port: number } {
  const target = address.replace(/^(dns|ipv4|ipv6):(\/\/\/?)?/, '');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:]+):(\d+)$/.exec(target);
  const port = Number(m?.[2]);
  if (!m?.[1] || !(port >= 0 && port <= 65535))
    throw new TransportError(
      'BAD_ADDRESS',
      `"${address}" is not a host:port address (e.g. coordinator.example.com:7070, 127.0.0.1:7070 or [::1]:7070)`,
    );
  return { host: m[1], port };
}

/**
 * The addresses of a coordinator given as several replicas, "10.0.0.1:7070,10.0.0.2:7070" (one address: a list of
 * one). Each must be host:port.
 */
export function splitAddresses(address: string): { host: string; port: number }[] {
  const parts = address
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new TransportError('BAD_ADDRESS', 'no coordinator address given (host:port)');
  return parts.map(splitAddress);
}

/**
 * The gRPC target for an address or a list of replica addresses. One address is used as given (a DNS name that
 * resolves to several replicas is fine: gRPC tries them). A list must be IP addresses of one family (gRPC has no
 * target for several names): "ipv4:10.0.0.1:7070,10.0.0.2:7070"; for names, give one DNS name that resolves to all.
 */
export function grpcTarget(address: string): string {
  const all = splitAddresses(address);
  if (all.length === 1) return address.trim();
  const family = (h: string) => isIP(h);
  const first = family(all[0]!.host);
  if (first === 0 || all.some((a) => family(a.host) !== first))
    throw new TransportError(
      'BAD_ADDRESS',
      `"${address}" lists several addresses: give IP addresses of one family (10.0.0.1:7070,10.0.0.2:7070), ` +
        'or one DNS name that resolves to every replica',
    );
  return first === 4
    ? `ipv4:${all.map((a) => `${a.host}:${a.port}`).join(',')}`
    : `ipv6:${all.map((a) => `[${a.host}]:${a.port}`).join(',')}`;
}
