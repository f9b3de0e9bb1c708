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
