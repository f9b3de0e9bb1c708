import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { readCsvFile, toCsv } from '@tessera/data';
import {
  connectLocalAnalyst,
  createEnrollmentToken,
  initParticipant,
  startCoordinator,
  startParticipant,
} from '../../packages/sdk/src/index.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { EXAMPLE_DATA, shardsOf, tempDir } from '../../packages/sdk/test/helpers.js';
import { LocalData } from '../src/index.js';

describe('participant data sources', () => {
  const tmp = tempDir('tessera-sources-');
  afterAll(() => tmp.cleanup());

  it('serves a SQLite table exactly as the same rows in CSV', () => {
    const table = readCsvFile(join(EXAMPLE_DATA, 'breast_cancer.csv'));
    const db = new Database(join(tmp.dir, 'shop.db'));
    const cols = table.columns.map((c) => `"${c}" REAL`).join(', ');
    db.exec(`CREATE TABLE patients (${cols})`);
    const insert = db.prepare(`INSERT INTO patients VALUES (${table.columns.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (const r of table.rows) insert.run(...r.map(Number));
    })();
    db.close();
    const local = new LocalData({
      fromSqlite: { type: 'sqlite', path: join(tmp.dir, 'shop.db'), table: 'patients', exclude: [] },
      fromCsv: { type: 'csv', path: join(EXAMPLE_DATA, 'breast_cancer.csv'), exclude: [] },
    });
    local.validate();
    const a = local.profile('fromSqlite', 'benign', [], []);
    const b = local.profile('fromCsv', 'benign', [], []);
    expect(a.columns).toEqual(b.columns);
    const schema = { label: 'benign', features: a.columns };
    const ea = local.encode('fromSqlite', schema),
      eb = local.encode('fromCsv', schema);
    expect(ea.n).toBe(569);
    for (let i = 0; i < ea.x.length; i++)
      expect(Math.abs(ea.x[i] - eb.x[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(eb.x[i])));
    expect([...ea.y]).toEqual([...eb.y]);
  });

  it('refuses to start when a configured source is unreadable, naming it', () => {
    const local = new LocalData({ customers: { type: 'csv', path: join(tmp.dir, 'nope.csv'), exclude: [] } });
    expect(() => local.validate()).toThrow(/nope\.csv/);
    expect(() => local.table('orders')).toThrow(/serves no data set "orders"/);
  });

  it('a federation mixing a CSV participant and a SQLite participant trains one model', async () => {
    const data = shardsOf('breast_cancer.csv', 'benign', 2, 'iid', 4);
    const dir = join(tmp.dir, 'fed');
    mkdirSync(dir, { recursive: true });
    const coordinator = await startCoordinator({ dataDir: join(dir, 'coordinator'), listen: '127.0.0.1:0' });
    const csvPath = join(dir, 'a.csv');
    writeFileSync(csvPath, toCsv(data.shards[0]));
    const dbPath = join(dir, 'b.db');
    const db = new Database(dbPath);
    const shard = data.shards[1];
    db.exec(`CREATE TABLE customers (${shard.columns.map((c) => `"${c}" REAL`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO customers VALUES (${shard.columns.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (const r of shard.rows) insert.run(...r.map(Number));
    })();
    db.close();
    const a = await initParticipant({
      dir: join(dir, 'a'),
      coordinator: coordinator.address,
      token: await createEnrollmentToken(join(dir, 'coordinator'), 'a'),
      name: 'a',
      datasets: { customers: { type: 'csv', path: csvPath } },
      allowWithoutPrivacy: ['customers'],
    });
    const b = await initParticipant({
      dir: join(dir, 'b'),
      coordinator: coordinator.address,
      token: await createEnrollmentToken(join(dir, 'coordinator'), 'b'),
      name: 'b',
      datasets: { customers: { type: 'sqlite', path: dbPath, table: 'customers' } },
      allowWithoutPrivacy: ['customers'],
    });
    const nodes = [await startParticipant(a.configPath), await startParticipant(b.configPath)];
    const analyst = await connectLocalAnalyst({
      dataDir: join(dir, 'coordinator'),
      address: coordinator.address,
      security: coordinator.clientSecurity,
      name: 'analyst',
    });
    try {
      const job = await analyst.submit({ dataset: 'customers', label: 'benign', rounds: 3, minParticipants: 2 });
      const final = await analyst.watch(job.id);
      expect(final.status, final.error).toBe('completed');
      expect(final.featureNames).toHaveLength(30);
      expect(final.history.filter((h) => h.stage === 'fit').every((h) => h.contributors === 2)).toBe(true);
    } finally {
      analyst.close();
      await Promise.all(nodes.map((n) => n.stop()));
      await coordinator.stop();
    }
  });
});
