// What the coordinator sees of a vertical run over gRPC: hellos and AEAD ciphertext, and the guest's result only.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tessera } from '@tessera/proto';
import { decodeVerticalMessage } from '@tessera/vertical';
import { StreamSession } from '../../../coordinator/src/service/participant-session.js';
import { LocalFederation, runVertical } from '../src/index.js';
import { tempDir } from './helpers.js';
import { ID, LABEL, verticalTables } from './vertical-fixture.js';

/** Every file under `dir` (the coordinator's database, its WAL, logs), concatenated. */
function bytesUnder(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name))),
  );
}

const f64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
};

describe('the vertical transcript at the coordinator', () => {
  const tmp = tempDir();
  const tables = verticalTables('transcript');
  let fed: LocalFederation;
  const relayed: tessera.v1.IPsiPoints[] = [];

  beforeAll(async () => {
    const send = StreamSession.prototype.send;
    vi.spyOn(StreamSession.prototype, 'send').mockImplementation(function (this: StreamSession, m) {
      if (m.psi && Number(m.psi.task?.stage) === tessera.v1.Stage.VERTICAL) relayed.push(m.psi);
      return send.call(this, m);
    });
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards: [tables.guest, tables.host],
      names: ['bank', 'platform'],
      runtime: 'inline',
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await fed?.stop();
    tmp.cleanup();
  });

  for (const model of [
    { kind: 'vertical-logistic', epochs: 1, batchSize: 128 },
    { kind: 'secureboost', trees: 1, depth: 2, bins: 8 },
  ]) {
    it(`${model.kind}: relays only hellos and sealed chunks, keeps no identifier, feature or host split`, async () => {
      relayed.length = 0;
      const [bank, platform] = fed.participants.map((p) => p.id) as [string, string];
      const { result } = await runVertical(fed.analyst, {
        name: 'transcript',
        parties: [
          { participant: bank, dataset: 'customers', idColumn: ID, role: 'guest', label: LABEL },
          { participant: platform, dataset: 'customers', idColumn: ID, role: 'host' },
        ],
        model,
      });
      expect(result.vertical.overlap).toBe(tables.shared.length);
      expect(relayed.length).toBeGreaterThan(4);
      const kinds = new Set(relayed.map((m) => m.kind));
      expect([...kinds].sort()).toEqual(['psi/hello', 'psi/sealed']);
      for (const m of relayed) {
        expect(m.points ?? new Uint8Array(0)).toHaveLength(0);
        if (m.kind !== 'psi/sealed') continue;
        // What the coordinator holds is not a vertical message: without the parties' keys it does not decode.
        expect(() => decodeVerticalMessage((m.sealed ?? new Uint8Array(0)).subarray(1))).toThrow();
      }
      const wire = Buffer.concat(relayed.map((m) => Buffer.from(m.sealed ?? new Uint8Array(0))));
      const stored = bytesUnder(join(tmp.dir, 'coordinator'));
      const hostColumns = tables.host.columns.slice(1);
      for (const haystack of [wire, stored]) {
        expect(haystack.includes('customer-')).toBe(false);
        for (const c of hostColumns) expect(haystack.includes(c)).toBe(false);
        // No host feature value in the clear, as a float64, for a sample of customers.
        for (const row of tables.host.rows.slice(0, 20))
          for (const cell of row.slice(1, 6)) expect(haystack.includes(f64(Number(cell)))).toBe(false);
      }
      // The analyst's result: the guest's model, in which a host split is an opaque id.
      const json = JSON.stringify(result.guestModel);
      for (const c of hostColumns) expect(json).not.toContain(c);
    }, 120_000);
  }
});
