// What the coordinator relays in an overlap run: the channel's hellos and ciphertext, never a blinded point.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateCommerce, type RawTable } from '@tessera/data';
import { tessera } from '@tessera/proto';
import { PsiParty } from '@tessera/psi';
import { StreamSession } from '../../../coordinator/src/service/participant-session.js';
import { LocalFederation, runOverlap } from '../src/index.js';
import { tempDir } from './helpers.js';

function customers(first: number, n: number, seed: string): RawTable {
  const t = generateCommerce({ merchants: 1, customersPerMerchant: n, seed });
  const id = t.columns.indexOf('customer_id');
  return { ...t, rows: t.rows.map((r, i) => r.map((v, j) => (j === id ? `c${first + i}` : v))) };
}

describe('the overlap transcript at the coordinator', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards: [customers(0, 300, 'a'), customers(200, 300, 'b')],
      runtime: 'inline',
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await fed?.stop();
    tmp.cleanup();
  });

  it('is ciphertext only: no blinded or re-blinded point either side made crosses it', async () => {
    // Every point set the two (in-process) parties produce, and every message the coordinator relays.
    const points: Uint8Array[] = [];
    const start = PsiParty.start;
    vi.spyOn(PsiParty, 'start').mockImplementation((ids, options) => {
      const out = start.call(PsiParty, ids, options);
      points.push(out.message.points);
      return out;
    });
    const receive = PsiParty.prototype.receive;
    vi.spyOn(PsiParty.prototype, 'receive').mockImplementation(function (this: PsiParty, m) {
      const out = receive.call(this, m);
      points.push(out.points);
      return out;
    });
    const relayed: tessera.v1.IPsiPoints[] = [];
    const send = StreamSession.prototype.send;
    vi.spyOn(StreamSession.prototype, 'send').mockImplementation(function (this: StreamSession, m) {
      if (m.psi) relayed.push(m.psi);
      return send.call(this, m);
    });

    const [a, b] = fed.participants.map((p) => p.id);
    const { overlap } = await runOverlap(fed.analyst, {
      dataset: 'customers',
      column: 'customer_id',
      participants: [a, b],
    });
    expect(Math.abs(overlap - 100)).toBeLessThanOrEqual(25); // 100 shared, noise of scale 1

    // Two blinded sets and two re-blinded ones were made (the counting side keeps its re-blinding to itself).
    expect(points.map((p) => p.length)).toEqual(expect.arrayContaining([300 * 32, 300 * 32]));
    expect(points.length).toBe(4);
    // Relayed: one hello each way, then the blinded sets, the re-blinded set and the count, all sealed.
    expect(relayed.map((m) => m.kind).sort()).toEqual([
      'psi/hello',
      'psi/hello',
      'psi/sealed',
      'psi/sealed',
      'psi/sealed',
      'psi/sealed',
    ]);
    const wire = Buffer.concat(relayed.map((m) => tessera.v1.PsiPoints.encode(m).finish()));
    for (const m of relayed) {
      expect(m.points?.length ?? 0).toBe(0);
      expect(Number(m.count ?? 0)).toBe(0);
    }
    let checked = 0;
    for (const set of points)
      for (let i = 0; i < set.length; i += 32) {
        expect(wire.indexOf(Buffer.from(set.subarray(i, i + 32)))).toBe(-1);
        checked++;
      }
    expect(checked).toBe(4 * 300);
    // Not even a 16-byte piece of the first point of each set.
    for (const set of points) expect(wire.indexOf(Buffer.from(set.subarray(0, 16)))).toBe(-1);
  });
});
