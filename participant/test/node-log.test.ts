// A node says what happens to its connection: not running, connected, lost, reconnected, stopping; and task lines.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { Coordinator } from '@tessera/coordinator';
import { BREAST_CANCER, shards, startNode } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { ParticipantNode } from '../src/index.js';
import { describeConnectionFailure } from '../src/connection-diagnosis.js';

/** Resolves when a logged line matches, or rejects after `ms` with every line logged so far. */
function waitForLine(lines: string[], pattern: RegExp, ms = 8_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const hit = lines.find((l) => pattern.test(l));
      if (hit) {
        clearInterval(poll);
        resolve(hit);
      } else if (Date.now() - started > ms) {
        clearInterval(poll);
        reject(new Error(`no line matched ${pattern} within ${ms} ms; logged:\n${lines.join('\n')}`));
      }
    }, 20);
  });
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('node connection logs', () => {
  it('names a coordinator that is not running as such, with what to do', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const node = new ParticipantNode({
      config: {
        name: 'lonely',
        coordinator: `127.0.0.1:${port}`,
        participantId: 'p-lonely',
        identityKey: '(in memory)',
        datasets: { patients: { type: 'csv', path: BREAST_CANCER, exclude: [] } },
        insecure: true,
      },
      identity: generateSigningKeyPair(),
      security: { mode: 'insecure' },
      log: (l) => lines.push(l),
      minBackoffMs: 100,
      maxBackoffMs: 200,
    });
    node.start();
    try {
      const line = await waitForLine(lines, /cannot reach the coordinator/, 5_000);
      expect(line).toContain(`the coordinator at 127.0.0.1:${port} is not running`);
      expect(line).toContain('tessera coordinator start');
      expect(line).not.toMatch(/No connection established|Resolution note/);
    } finally {
      await node.stop();
    }
  });

  it('turns raw gRPC text into what to check', () => {
    const raw =
      'No connection established. Last error: getaddrinfo ENOTFOUND coord.example (12:00:01.123). ' +
      'Resolution note: ';
    expect(describeConnectionFailure('coord.example:7000', raw)).toBe(
      "the host name in coord.example:7000 does not resolve: check the coordinator address in this node's config",
    );
    expect(describeConnectionFailure('10.0.0.9:7000', 'No connection established. Last error: ECONNRESET')).toMatch(
      /closed during setup \(ECONNRESET\): check that both sides use TLS, .*TLS fingerprint/,
    );
  });

  it('logs connect, loss, reconnect and stop across a coordinator restart on the same port', async () => {
    const tmp = tempDir();
    const dataDir = join(tmp.dir, 'coordinator');
    let coord = await Coordinator.start({ dataDir, listen: '127.0.0.1:0' });
    const lines: string[] = [];
    const [shard] = shards(BREAST_CANCER, 1);
    const node = await startNode(coord, tmp.dir, 'shop', 'patients', shard!, { log: (l) => lines.push(l) });
    try {
      expect(await waitForLine(lines, /connected to/)).toMatch(/^participant \S+ connected to .*, serving patients$/);
      const address = coord.address;
      await coord.stop();
      await waitForLine(lines, /lost the connection to .*; reconnecting/);
      coord = await Coordinator.start({ dataDir, listen: address });
      expect(await waitForLine(lines, /reconnected to/)).toMatch(/^participant \S+ reconnected to /);
    } finally {
      await node.stop();
      await coord.stop();
      tmp.cleanup();
    }
    expect(lines.some((l) => /stopping: disconnecting from/.test(l))).toBe(true);
  }, 20_000);
});
