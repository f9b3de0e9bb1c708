// Bytes a local TCP server has received on its open connections, from `ss -tin` (Linux, iproute2): what clients
// sent it, counted at the TCP layer (TLS records and HTTP/2 frames included).
import { execFileSync } from 'node:child_process';

/** The sum of bytes_received over the established connections whose local port is `port`. */
export function bytesReceivedOnPort(port: number): number {
  const out = execFileSync('ss', ['-tinH', 'state', 'established', `( sport = :${port} )`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let sum = 0;
  for (const m of out.matchAll(/\bbytes_received:(\d+)/g)) sum += Number(m[1]);
  return sum;
}

/** Checks that `ss` is here and reports bytes_received (iproute2 on Linux). */
export function canCountSocketBytes(): boolean {
  try {
    execFileSync('ss', ['-tinH', 'state', 'established'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}

/** The port of a host:port address (IPv6 addresses in brackets included). */
export function portOf(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in the address ${JSON.stringify(address)}`);
  return port;
}
