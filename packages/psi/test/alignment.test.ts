import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import {
  ALIGNMENT_KEY_DOMAIN,
  type Alignment,
  AlignmentError,
  alignmentKeys,
  type AlignmentErrorCode,
  alignIds,
  normaliseIdentifier,
  PsiError,
  type PsiErrorCode,
  psiReady,
  startAlignment,
} from '@tessera/psi';

beforeAll(() => psiReady());

const salt = randomBytes(32);

/** n ids `${prefix}-i` for i in [from, from + n), in a seeded random row order. */
function column(prefix: string, from: number, n: number, seed: string): string[] {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${from + i}@example.com`);
  seededRandom(seed).shuffle(ids);
  return ids;
}

async function refusal(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal');
}

async function refusedWith(code: AlignmentErrorCode | PsiErrorCode, f: () => unknown): Promise<Error> {
  const e = await refusal(f);
  expect(e instanceof AlignmentError || e instanceof PsiError).toBe(true);
  expect((e as AlignmentError | PsiError).code).toBe(code);
  return e;
}

const idsOf = (ids: readonly string[], a: Alignment): string[] => Array.from(a.rows, (r) => ids[r]!);

describe('alignIds', () => {
  it('is exact on 1000 vs 800 ids sharing 337, both sides listing the shared rows in one order', async () => {
    const a = column('c', 0, 1000, 'a');
    const b = column('c', 1000 - 337, 800, 'b');
    const { initiator, responder } = await alignIds(a, b, { salt });
    expect(initiator.size).toBe(337);
    expect(responder.size).toBe(337);
    expect([initiator.ownSetSize, initiator.peerSetSize, responder.ownSetSize, responder.peerSetSize]).toEqual([
      1000, 800, 800, 1000,
    ]);
    const inA = idsOf(a, initiator);
    expect(inA).toEqual(idsOf(b, responder)); // row i on both sides is the same customer
    const expected = new Set(a.filter((id) => b.includes(id)));
    expect(new Set(inA)).toEqual(expected);
    expect(new Set(initiator.rows).size).toBe(337);
  });

  it('agrees an order that is neither side input order and changes with the keys', async () => {
    const a = column('c', 0, 300, 'a');
    const b = column('c', 0, 300, 'b');
    const first = await alignIds(a, b, { salt });
    const rows = Array.from(first.initiator.rows);
    const sortedRows = [...rows].sort((x, y) => x - y);
    expect(rows).not.toEqual(sortedRows);
    const again = await alignIds(a, b, { salt });
    expect(idsOf(a, again.initiator)).toEqual(idsOf(b, again.responder));
    expect(idsOf(a, again.initiator)).not.toEqual(idsOf(a, first.initiator)); // fresh scalars, fresh order
  });

  it('matches ids that differ only in case, white space or Unicode form', async () => {
    expect(normaliseIdentifier('  Alice\t Smith@Example.COM ')).toBe('alice smith@example.com');
    const a = ['Alice@Example.com ', 'bob@example.com', 'caf\u00e9', 'dora'];
    const b = ['erin', 'alice@example.com', 'cafe\u0301', 'BOB@EXAMPLE.COM'];
    const { initiator, responder } = await alignIds(a, b, { salt });
    expect(initiator.size).toBe(3);
    expect(idsOf(a, initiator).map(normaliseIdentifier)).toEqual(idsOf(b, responder).map(normaliseIdentifier));
  });

  it('finds nothing when the sides use different salts', async () => {
    const ids = column('c', 0, 20, 'x');
    const i = await startAlignment(ids, { role: 'initiator', salt });
    const r = await startAlignment(ids, { role: 'responder', salt: randomBytes(32) });
    const [i2, r2] = await Promise.all([i.stage.receive(r.message), r.stage.receive(i.message)]);
    const i3 = i2.stage.finish(r2.message);
    const r3 = r2.stage.finish(i2.message);
    expect(i3.stage.confirm(r3.message).size).toBe(0);
    expect(r3.stage.confirm(i3.message).size).toBe(0);
  });
});

describe('alignmentKeys', () => {
  it('is SHA-256 over the domain, the salt length and salt, and the normalised id', () => {
    const domain = Buffer.from(ALIGNMENT_KEY_DOMAIN);
    const length = Buffer.from([0, 0, 0, salt.length]);
    const expected = (id: string) =>
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([domain.length]), domain, length, salt, Buffer.from(id, 'utf8')]))
        .digest();
    const keys = alignmentKeys([' Caf\u00e9 ', '+44 7700 900123'], salt);
    expect(Buffer.from(keys.subarray(0, 32))).toEqual(expected('caf\u00e9'));
    expect(Buffer.from(keys.subarray(32, 64))).toEqual(expected('+44 7700 900123'));
    expect(keys).toHaveLength(64);
  });
});

describe('bad input', () => {
  it('refuses duplicate ids on one side with their count, never the ids', async () => {
    const a = ['secret-1', 'secret-2', 'Secret-1 ', 'secret-3', 'secret-3', 'secret-3'];
    const e = await refusedWith('duplicate-ids', () => alignIds(a, ['x'], { salt }));
    expect(e.message).toContain('3 of 6 identifiers repeat');
    expect(e.message).not.toMatch(/secret/i);
    await refusedWith('duplicate-ids', () => alignIds(['x'], a, { salt }));
  });

  it('reports an empty intersection with both set sizes, or returns it when allowed', async () => {
    const e = await refusedWith('empty-intersection', () => alignIds(['a', 'b', 'c'], ['d', 'e'], { salt }));
    expect(e.message).toContain("this side's 3 and the peer's 2");
    const { initiator, responder } = await alignIds(['a'], ['b'], { salt, allowEmpty: true });
    expect([initiator.size, responder.size, initiator.rows.length]).toEqual([0, 0, 0]);
    await refusedWith('empty-intersection', () => alignIds([], [], { salt }));
  });

  it('refuses a short or missing salt, an empty id and a non-string id', async () => {
    const e = await refusedWith('bad-salt', () => alignIds(['a'], ['a'], { salt: new Uint8Array(8) }));
    expect(e.message).toContain('at least 16 bytes');
    await refusedWith('bad-salt', () => alignIds(['a'], ['a'], { salt: 'salt' as unknown as Uint8Array }));
    const empty = await refusedWith('bad-id', () => alignIds(['a', ' \t'], ['a'], { salt }));
    expect(empty.message).toContain('row 1');
    await refusedWith('bad-id', () => alignIds(['a', 7 as unknown as string], ['a'], { salt }));
  });

  it('refuses an own set over the limit', async () => {
    await refusedWith('too-large', () =>
      startAlignment(['a', 'b', 'c'], { role: 'initiator', salt, maxPeerSetSize: 2 }),
    );
  });
});

describe('stages', () => {
  async function pair(session = 's') {
    const i = await startAlignment(column('c', 0, 12, 'i'), { role: 'initiator', salt, session });
    const r = await startAlignment(column('c', 6, 10, 'r'), { role: 'responder', salt, session });
    return { i, r };
  }

  it('refuses wrong messages and leaves the stage usable, then refuses a replay', async () => {
    const { i, r } = await pair();
    const m = r.message;
    await refusedWith('wrong-session', () => i.stage.receive({ ...m, session: 'other' }));
    await refusedWith('wrong-role', () => i.stage.receive(i.message));
    await refusedWith('wrong-length', () => i.stage.receive({ ...m, count: m.count + 1 }));
    await refusedWith('bad-message', () => i.stage.receive({ ...m, version: 2 as 1 }));
    const bad = new Uint8Array(m.points);
    bad.fill(0xff, 3 * 32, 4 * 32);
    const e = await refusedWith('bad-point', () => i.stage.receive({ ...m, points: bad }));
    expect(e.message).toContain('point 3');
    const zero = new Uint8Array(m.points);
    zero.fill(0, 0, 32);
    await refusedWith('bad-point', () => i.stage.receive({ ...m, points: zero }));
    const dup = new Uint8Array(m.points);
    dup.copyWithin(32, 0, 32);
    await refusedWith('duplicate', () => i.stage.receive({ ...m, points: dup }));
    await refusedWith('too-large', async () => {
      const small = await startAlignment(['c-0@example.com'], {
        role: 'initiator',
        salt,
        session: 's',
        maxPeerSetSize: 5,
      });
      return small.stage.receive(m);
    });
    const ok = await i.stage.receive(m);
    expect(ok.message.count).toBe(10);
    await refusedWith('replay', () => i.stage.receive(m));
    const r2 = await r.stage.receive(i.message);
    await refusedWith('out-of-order', () => ok.stage.finish(r.message as never));
    const longer = new Uint8Array(13 * 32);
    longer.set(r2.message.points);
    await refusedWith('wrong-count', () => ok.stage.finish({ ...r2.message, count: 13, points: longer }));
    const done = ok.stage.finish(r2.message);
    await refusedWith('replay', () => ok.stage.finish(r2.message));
    const rDone = r2.stage.finish(ok.message);
    await refusedWith('disagreement', () => done.stage.confirm({ ...rDone.message, size: rDone.message.size + 1 }));
    const forged = new Uint8Array(rDone.message.digest);
    forged[0]! ^= 1;
    await refusedWith('disagreement', () => done.stage.confirm({ ...rDone.message, digest: forged }));
    expect(done.stage.confirm(rDone.message).size).toBe(6);
    expect(rDone.stage.confirm(done.message).size).toBe(6);
  });

  it('refuses a second receive while the first is still blinding', async () => {
    const { i, r } = await pair();
    const first = i.stage.receive(r.message);
    await refusedWith('replay', () => i.stage.receive(r.message));
    await first;
  });
});
