import { createServer, connect, type Server, type Socket } from 'node:net';

/** One proxied TCP connection: every byte each side sent, in order. */
export interface TappedConnection {
  fromClient: Buffer[];
  fromServer: Buffer[];
}

/**
 * A passive wiretap: a TCP proxy on 127.0.0.1 (port 0) that forwards every connection to `target` and records every
 * byte in both directions, as an attacker on the path would see them.
 */
export class TcpTap {
  readonly connections: TappedConnection[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(target: string): Promise<TcpTap> {
    const at = target.lastIndexOf(':');
    const host = target.slice(0, at);
    const port = Number(target.slice(at + 1));
    let tap: TcpTap | undefined;
    const server = createServer((client) => {
      const record: TappedConnection = { fromClient: [], fromServer: [] };
      tap!.connections.push(record);
      const upstream = connect({ host, port });
      for (const s of [client, upstream]) {
        tap!.sockets.add(s);
        s.on('close', () => tap!.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (b: Buffer) => {
        record.fromClient.push(Buffer.from(b));
        upstream.write(b);
      });
      upstream.on('data', (b: Buffer) => {
        record.fromServer.push(Buffer.from(b));
        client.write(b);
      });
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port: own } = server.address() as { port: number };
    tap = new TcpTap(server, `127.0.0.1:${own}`);
    return tap;
  }

  /** Every byte recorded, both directions of every connection. */
  capture(): Buffer {
    return Buffer.concat(this.connections.flatMap((c) => [...c.fromClient, ...c.fromServer]));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
