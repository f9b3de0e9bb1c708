// Bytes a local TCP server has received on its open connections, from `ss -tin` (Linux, iproute2): what clients
// sent it, counted at the TCP layer (TLS records and HTTP/2 frames included).
import { execFileSync } from 'node:child_process';

/** The sum of bytes_received over the established connections whose local port is `port`. */
export function bytesReceivedOnPort(port: number): number {
  return socketBytesOnPort(port).received;
}

/** Bytes received and sent (bytes_received, bytes_sent) over the established connections on local port `port`. */
export function socketBytesOnPort(port: number): { received: number; sent: number } {
  const out = execFileSync('ss', ['-tinH', 'state', 'established', `( sport = :${port} )`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const sum = (field: string) => {
    let total = 0;
    for (const m of out.matchAll(new RegExp(`\\b${field}:(\\d+)`, 'g'))) total += Number(m[1]);
    return total;
  };
  return { received: sum('bytes_received'), sent: sum('bytes_sent') };
}

/** Checks that `ss` is here and reports bytes_received (iproute2 on Linux). */
export function canCountSocketBytes(): boolean {
  try {
    // One line per connection: a machine with thousands open (a load run beside this one) prints megabytes.
    execFileSync('ss', ['-tinH', 'state', 'established', '( sport = :1 )'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
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
