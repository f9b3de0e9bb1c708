// Bad input to a vertical job over gRPC: refused with the reason, and nothing left half-done at either node.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { LocalFederation, runVertical } from '../src/index.js';
import { tempDir } from './helpers.js';

const N = 240;

/** Customers c0..c239 with a numeric signal; `alt_id` shares nothing with the other side, `dup_id` repeats. */
function table(side: 'guest' | 'host'): RawTable {
  const rng = seededRandom(`refusals-${side}`);
  const columns = ['id', 'alt_id', 'dup_id', side === 'guest' ? 'f1' : 'g1', side === 'guest' ? 'f2' : 'g2'];
  if (side === 'guest') columns.push('label', 'ones');
  const rows = Array.from({ length: N }, (_, i) => {
    const r = [`c${i}`, `${side}-only-${i}`, `d${i % 100}`, String(rng.float()), String(rng.float())];
    if (side === 'guest') r.push(String(i % 2), '1');
    return r;
  });
  return { source: `${side}.csv`, columns, rows, lineOf: (i) => i + 2 };
}

describe('a vertical job with bad input', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  let guest: string;
  let host: string;
  const spec = (g: object = {}, h: object = {}, top: object = {}) => ({
    name: 'bad input',
    parties: [
      { participant: guest, dataset: 'customers', idColumn: 'id', role: 'guest', label: 'label', ...g },
      { participant: host, dataset: 'customers', idColumn: 'id', role: 'host', features: ['g1', 'g2'], ...h },
    ],
    model: { kind: 'vertical-logistic', epochs: 1, batchSize: 32 },
    minOverlap: 50,
    waitForParticipantsSeconds: 10,
    timeoutSeconds: 60,
    ...top,
  });
  const guestSpec = { features: ['f1', 'f2'] };

  /** The vertical models each node keeps in its ledger, by job id. */
  function keptModels(): string[] {
    return ['bank', 'platform'].flatMap((name) => {
      const path = join(tmp.dir, name, `${name}-ledger.sqlite`);
      if (!existsSync(path)) throw new Error(`no ledger at ${path}`);
      const db = new Database(path, { readonly: true });
      try {
        return (db.prepare('SELECT job_id FROM vertical_model').all() as { job_id: string }[]).map((r) => r.job_id);
      } finally {
        db.close();
      }
    });
  }

  async function refused(s: object): Promise<string> {
    const submitted = await fed.analyst.submit({ ...s, kind: 'vertical' });
    const job = await fed.analyst.watch(submitted.id);
    expect(job.status).toBe('failed');
    expect(keptModels()).not.toContain(job.id);
    return job.error ?? '';
  }

  beforeAll(async () => {
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards: [table('guest'), table('host')],
      names: ['bank', 'platform'],
      runtime: 'inline',
    });
    [guest, host] = fed.participants.map((p) => p.id) as [string, string];
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('runs when the input is good (the baseline of the refusals below)', async () => {
    const { job, result } = await runVertical(fed.analyst, spec(guestSpec));
    expect(result.vertical.overlap).toBe(N);
    expect(keptModels().filter((id) => id === job.id)).toHaveLength(2);
  }, 60_000);

  it('refuses a missing id column, naming the party, the data set and the column', async () => {
    const error = await refused(spec(guestSpec, { idColumn: 'phone' }));
    expect(error).toMatch(/host p-[0-9a-f]+: .*data set "customers".*no identifier column "phone"/s);
  }, 60_000);

  it('refuses duplicate identifiers, naming the line they repeat', async () => {
    const error = await refused(spec({ ...guestSpec, idColumn: 'dup_id' }, { idColumn: 'dup_id' }));
    expect(error).toMatch(/column "dup_id".*repeats the identifier of line \d+/s);
    expect(error).not.toMatch(/d\d+"/); // never the identifier itself
  }, 60_000);

  it('refuses when the parties share no customer', async () => {
    const error = await refused(spec(guestSpec, { idColumn: 'alt_id' }));
    expect(error).toMatch(/only 0 identifiers are shared, fewer than the minimum overlap of 100/);
    expect(error).toMatch(/host p-[0-9a-f]+: stopped, as its peer could not go on/);
  }, 60_000);

  it('refuses a label with one class (its metrics would be undefined) before training, keeping nothing', async () => {
    const error = await refused(spec({ ...guestSpec, label: 'ones' }));
    expect(error).toMatch(/the training customers all have the same label/);
  }, 60_000);

  it("waits for a party busy with another job's run rather than breaking it", async () => {
    const long = spec(guestSpec, {}, { model: { kind: 'vertical-logistic', epochs: 8, batchSize: 32 } });
    const first = await fed.analyst.submit({ ...long, kind: 'vertical' });
    // Submitted while the first runs: a bad spec (no such label) that the guest refuses once it gets its turn.
    const bad = spec({ label: 'nope', features: ['f1'] }, {}, { waitForParticipantsSeconds: 120 });
    const second = await fed.analyst.submit({ ...bad, kind: 'vertical' });
    const [a, b] = await Promise.all([fed.analyst.watch(first.id), fed.analyst.watch(second.id)]);
    expect(a.status, a.error).toBe('completed');
    expect(b.status).toBe('failed');
    expect(b.error).toMatch(/no label column "nope"/);
  }, 120_000);

  it('refuses a label on the wrong side: at submission in the spec, at the guest when its data lacks it', async () => {
    await expect(fed.analyst.submit({ ...spec(guestSpec, { label: 'label' }), kind: 'vertical' })).rejects.toThrow(
      /parties\[1\]\.label: a host holds no label/,
    );
    const error = await refused(spec({ label: 'g1', features: ['f1'] }));
    expect(error).toMatch(/guest p-[0-9a-f]+: .*no label column "g1"/s);
  }, 60_000);
});
