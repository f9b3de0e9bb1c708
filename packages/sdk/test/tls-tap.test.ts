import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCommerce, toCsv, type RawTable } from '@tessera/data';
import {
  AnalystClient,
  AnalystIdentity,
  attachSealed,
  createAnalystKeys,
  createEnrollmentToken,
  initParticipant,
  inviteAnalyst,
  joinCoordinator,
  runQuery,
  securityOf,
  startCoordinator,
  startParticipant,
  type Coordinator,
  type ParticipantNode,
} from '../src/index.js';
import { tempDir } from './helpers.js';
import { TcpTap, type TappedConnection } from './tcp-tap.js';

// Issue 14's tap test: a passive wiretap between each kind of client and the coordinator records a whole workflow
// (enrolment, an analyst joining, a training job, a query, a sealed job). Every connection is TLS from its first byte,
// and neither a token, an invitation nor a column name of the data crosses the wire in the clear.

/** Each merchant's customers: a non-IID split by merchant. */
function byMerchant(table: RawTable): RawTable[] {
  const m = table.columns.indexOf('merchant');
  const names = [...new Set(table.rows.map((r) => r[m]))];
  return names.map((name) => ({ ...table, rows: table.rows.filter((r) => r[m] === name) }));
}

/** A TLS record header: content type 22 (handshake), protocol version 3.1 to 3.3 (TLS 1.0 to 1.2 record layer). */
function startsWithTlsHandshake(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03 && bytes[2]! >= 0x01 && bytes[2]! <= 0x03;
}

describe('a wiretap between every client and the coordinator sees only TLS', () => {
  const tmp = tempDir('tessera-tls-tap-');
  const table = generateCommerce({ merchants: 3, customersPerMerchant: [300, 400, 250], seed: 'tap' });
  const secrets: string[] = [];
  let coord: Coordinator;
  let participantsTap: TcpTap;
  let analystTap: TcpTap;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];

  beforeAll(async () => {
    coord = await startCoordinator({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    participantsTap = await TcpTap.start(coord.address);
    analystTap = await TcpTap.start(coord.address);
  });
  afterAll(async () => {
    analyst?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await coord?.stop();
    await participantsTap?.stop();
    await analystTap?.stop();
    tmp.cleanup();
  });

  it('carries enrolment, a training job, a query and a sealed job', async () => {
    // Enrolment through the tap: first contact (the pin), the Enroll call, then each node's stream.
    for (const [i, shard] of byMerchant(table).entries()) {
      const name = `merchant-${i + 1}`;
      const csv = join(tmp.dir, `${name}.csv`);
      writeFileSync(csv, toCsv(shard));
      const token = await createEnrollmentToken(coord.options.dataDir, name);
      secrets.push(token);
      const { configPath } = await initParticipant({
        dir: join(tmp.dir, name),
        coordinator: participantsTap.address,
        token,
        name,
        datasets: { customers: { type: 'csv', path: csv } },
        policy: false,
      });
      nodes.push(await startParticipant(configPath));
    }
    // The analyst joins through the tap too: the invitation's fingerprint is pinned, and the coordinator certifies the
    // analyst's TLS key; every call after that is authenticated by that certificate.
    const { invitation } = await inviteAnalyst(coord.options.dataDir, 'tapped', { address: analystTap.address });
    secrets.push(invitation);
    const keys = await createAnalystKeys();
    const identity = AnalystIdentity.of(keys);
    const credentials = await joinCoordinator({ identity, invitation });
    analyst = new AnalystClient(analystTap.address, identity, securityOf(credentials));
    const spec = {
      dataset: 'customers',
      label: 'repurchase',
      exclude: ['customer_id', 'merchant'],
      rounds: 2,
      minParticipants: 3,
      roundTimeoutSeconds: 30,
    };
    const trained = await analyst.watch((await analyst.submit(spec)).id);
    expect(trained.status, trained.error).toBe('completed');
    const { job: query } = await runQuery(analyst, {
      sql: 'SELECT region, COUNT(*), AVG(monetary_total) FROM customers GROUP BY region',
      bounds: { monetary_total: [0, 20000] },
      domains: { region: ['north', 'south', 'east', 'west', 'central'] },
      minParticipants: 3,
      privacy: { mode: 'none' },
    });
    expect(query.status).toBe('completed');
    const sealed = await analyst.submit({ ...spec, rounds: 1 }, { sealed: keys });
    const [final] = await Promise.all([analyst.watch(sealed.id), attachSealed(analyst, sealed.id, keys)]);
    expect(final.status, final.error).toBe('completed');
  });

  it('every connection of every client starts with a TLS handshake, both ways', () => {
    const all: [string, TappedConnection][] = [
      ...participantsTap.connections.map((c): [string, TappedConnection] => ['participant', c]),
      ...analystTap.connections.map((c): [string, TappedConnection] => ['analyst', c]),
    ];
    // Per participant: the pin, the Enroll call and the node's stream; the analyst: the pin, Join and its channel.
    expect(participantsTap.connections.length).toBeGreaterThanOrEqual(3 * 3);
    expect(analystTap.connections.length).toBeGreaterThanOrEqual(3);
    for (const [who, c] of all) {
      expect(startsWithTlsHandshake(Buffer.concat(c.fromClient)), `${who} client hello`).toBe(true);
      expect(startsWithTlsHandshake(Buffer.concat(c.fromServer)), `${who} server hello`).toBe(true);
    }
  });

  it('shows no token and no column name of the data in the clear', () => {
    const capture = Buffer.concat([participantsTap.capture(), analystTap.capture()]);
    expect(capture.length).toBeGreaterThan(100_000); // the workflow really went through the taps
    const secretParts = secrets.flatMap((t) => [t, ...t.split('_').filter((p) => p.length >= 16)]);
    for (const needle of [...secretParts, ...table.columns, 'customers', 'SELECT'])
      expect(capture.includes(Buffer.from(needle, 'utf8')), needle).toBe(false);
  });
});
