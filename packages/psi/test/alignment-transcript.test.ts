import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ALIGNMENT_DST,
  type AlignmentMessage,
  alignmentKeys,
  inlineBlinder,
  normaliseIdentifier,
  POINT_BYTES,
  psiReady,
  startAlignment,
} from '@tessera/psi';
import { scalarToBytes } from '../src/group.js';

await psiReady();

const slots = (points: Uint8Array): string[] =>
  Array.from({ length: points.length / POINT_BYTES }, (_, i) =>
    Buffer.from(points.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES)).toString('hex'),
  );
const pointsOf = (m: AlignmentMessage): string[] => ('points' in m ? slots(m.points) : []);

/** Runs both sides and records every message each role receives. */
async function run(aIds: string[], bIds: string[], salt: Uint8Array) {
  const i1 = await startAlignment(aIds, { role: 'initiator', salt, session: 'job-7' });
  const r1 = await startAlignment(bIds, { role: 'responder', salt, session: 'job-7' });
  const i2 = await i1.stage.receive(r1.message);
  const r2 = await r1.stage.receive(i1.message);
  const i3 = i2.stage.finish(r2.message);
  const r3 = r2.stage.finish(i2.message);
  const initiator = i3.stage.confirm(r3.message);
  const responder = r3.stage.confirm(i3.message);
  const receivedBy = {
    initiator: [r1.message, r2.message, r3.message] as AlignmentMessage[],
    responder: [i1.message, i2.message, i3.message] as AlignmentMessage[],
  };
  return { receivedBy, initiator, responder, sent: { i1: i1.message, r1: r1.message, i2: i2.message, r2: r2.message } };
}

describe('what each side receives', async () => {
  const n = 300;
  const common = 120;
  const aIds = Array.from({ length: n }, (_, i) => `+44 7700 ${String(900000 + i)}`);
  const bIds = [...aIds.slice(n - common), ...Array.from({ length: n - common }, (_, i) => `+1 555 ${1000000 + i}`)];
  const salt = randomBytes(32);
  const t = await run(aIds, bIds, salt);
  const one = scalarToBytes(1n);
  const unblinded = new Set([
    ...slots(await inlineBlinder.hashAndBlind(alignmentKeys(aIds, salt), one, ALIGNMENT_DST)),
    ...slots(await inlineBlinder.hashAndBlind(alignmentKeys(bIds, salt), one, ALIGNMENT_DST)),
  ]);
  const saltedKeys = new Set([...slots(alignmentKeys(aIds, salt)), ...slots(alignmentKeys(bIds, salt))]);

  it('aligns the shared rows', () => {
    expect(t.initiator.size).toBe(common);
    expect(Array.from(t.initiator.rows, (r) => aIds[r])).toEqual(Array.from(t.responder.rows, (r) => bIds[r]));
  });

  it('never carries an identifier, its salted key or its unblinded hash', () => {
    for (const received of [t.receivedBy.initiator, t.receivedBy.responder]) {
      const text = received
        .map((m) => JSON.stringify(m, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v)))
        .join('');
      for (const id of [...aIds, ...bIds]) {
        expect(text.includes(id)).toBe(false);
        expect(text.includes(normaliseIdentifier(id))).toBe(false);
      }
      for (const p of received.flatMap(pointsOf)) {
        expect(unblinded.has(p)).toBe(false);
        expect(saltedKeys.has(p)).toBe(false);
      }
    }
  });

  it('reveals the peer set size, and the intersection size only in the confirmation', () => {
    const [blinded, reblinded, confirmation] = t.receivedBy.initiator;
    expect(blinded).toMatchObject({ kind: 'psi-align/blinded', count: bIds.length });
    expect(reblinded).toMatchObject({ kind: 'psi-align/reblinded', count: aIds.length });
    expect(confirmation).toMatchObject({ kind: 'psi-align/confirmation', size: common });
    expect(Object.keys(confirmation!).sort()).toEqual(['digest', 'from', 'kind', 'session', 'size', 'version']);
    expect((confirmation as { digest: Uint8Array }).digest).toHaveLength(32);
  });

  it('message 1 does not match the receiver own blinded points for shared ids', () => {
    const aOwn = new Set(pointsOf(t.sent.i1));
    expect(pointsOf(t.sent.r1).filter((p) => aOwn.has(p))).toHaveLength(0);
  });

  it('hides each side row order: the peer sees shared ids at uniformly random slots', () => {
    // What the responder computed for the initiator (H(x)^{ab}, in the initiator's message-1 slot order) and what
    // the initiator computed for the responder: their common values are the shared ids, in byte order agreed.
    const forA = pointsOf(t.sent.r2);
    const forB = new Set(pointsOf(t.sent.i2));
    const agreed = forA.filter((p) => forB.has(p)).sort();
    expect(agreed).toHaveLength(common);
    // The responder knows at which of the initiator's slots each shared value sits; were message 1 in row order,
    // the slot would be the initiator's row. It is not (about one coincidence expected).
    const slotOf = new Map(forA.map((p, slot) => [p, slot]));
    const coincidences = agreed.filter((p, j) => slotOf.get(p) === t.initiator.rows[j]).length;
    expect(coincidences).toBeLessThan(10);
  });

  it('gives unrelated points for the same ids in another job (fresh scalars and salt)', async () => {
    const again = await run(aIds, bIds, randomBytes(32));
    const before = new Set([...t.receivedBy.initiator, ...t.receivedBy.responder].flatMap(pointsOf));
    const after = [...again.receivedBy.initiator, ...again.receivedBy.responder].flatMap(pointsOf);
    expect(after.filter((p) => before.has(p))).toHaveLength(0);
  });
});
