// A malicious overlap peer (with the coordinator relaying for it) against an honest node: what it can still learn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, sign, signRosterEntry } from '@tessera/crypto';
import { JOB_SPEC_CONTEXT } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { PsiChannel, psiReady, type PsiBlindedSet } from '@tessera/psi';
import { GROUP_ORDER, hashToGroup, scalarMult, scalarToBytes, randomScalar } from '../../packages/psi/src/group.js';
import { PsiParty } from '../../packages/psi/src/party.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { ParticipantNode, type ParticipantConfig, type PrivacyLedger } from '../src/index.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';

const pb = tessera.v1;
const DATASET = 'customers';
const ME = 'p-honest';
const PEER = 'p-mallory';

/** The honest merchant's customers: c0..c199. The attacker guesses c0..c9 (held) and c1000..c1039 (not held). */
const MINE = Array.from({ length: 200 }, (_, i) => `c${i}`);
const GUESSES = [
  ...Array.from({ length: 10 }, (_, i) => `c${i}`),
  ...Array.from({ length: 40 }, (_, i) => `c${1000 + i}`),
];
/** Padding up to the node's minimum set size of 100, none of them the honest merchant's. */
const PADDING = Array.from({ length: 60 }, (_, i) => `pad-${i}`);

const inv = (x: bigint): bigint => {
  // x^(l-2) mod l
  let r = 1n;
  let b = x % GROUP_ORDER;
  let e = GROUP_ORDER - 2n;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % GROUP_ORDER;
    b = (b * b) % GROUP_ORDER;
    e >>= 1n;
  }
  return r;
};
const key = (p: Uint8Array) => Buffer.from(p).toString('base64');
const encode = (m: object) => tessera.v1.PsiPoints.encode(m).finish();
const decode = (b: Uint8Array) => tessera.v1.PsiPoints.decode(b);

describe('audience overlap against a malicious peer (the rogue coordinator relays for it)', () => {
  const tmp = tempDir('tessera-overlap-peer-');
  const me = generateSigningKeyPair();
  const mallory = generateSigningKeyPair();
  const authority = generateSigningKeyPair();
  const analyst = generateSigningKeyPair();
  const rogue = new RogueCoordinator(me.publicKey);
  let node: ParticipantNode;
  let ledger: PrivacyLedger;
  let job = 0;

  const refusals = () => ledger.auditLog().filter((e) => e.kind === 'refusal');

  beforeAll(async () => {
    await psiReady();
    const path = join(tmp.dir, 'customers.csv');
    writeFileSync(path, `customer_id,spend\n${MINE.map((c, i) => `${c},${i}`).join('\n')}\n`);
    await rogue.start();
    const config: ParticipantConfig = {
      name: 'honest',
      coordinator: rogue.address,
      insecure: true,
      participantId: ME,
      identityKey: '(in memory)',
      ledger: join(tmp.dir, 'ledger.sqlite'),
      datasets: { [DATASET]: { type: 'csv', path, exclude: [] } },
      // The attacks below run more often than the default 3 runs a day (overlap-limits.test.ts tests that limit).
      overlap: { minSetSize: 100, countingPeers: [], maxRunsPerDay: 100 },
    };
    node = new ParticipantNode({ config, identity: me });
    ledger = node.ledger;
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
  });
  afterAll(async () => {
    await node.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  /** An overlap task as the coordinator sends it, the analyst's spec signed; `first` counts. */
  function task(
    first: string,
    change: { epsilon?: number; peerKey?: Uint8Array; roster?: Uint8Array } = {},
  ): tessera.v1.ITask {
    job += 1;
    const jobId = `job-overlap-${job}`;
    const second = first === ME ? PEER : ME;
    const spec = JSON.stringify({
      kind: 'overlap',
      dataset: DATASET,
      column: 'customer_id',
      participants: [first, second],
      privacy: { epsilon: change.epsilon ?? 1 },
      // A fresh submission per job, as the analyst's client signs it: a node runs a signed spec under one job only.
      submission: { nonce: randomBytes(16).toString('hex'), at: new Date().toISOString() },
    });
    return {
      ref: { jobId, round: 1, stage: pb.Stage.OVERLAP },
      dataset: DATASET,
      specJson: spec,
      specSignature: sign(JOB_SPEC_CONTEXT, new TextEncoder().encode(spec), analyst.secretKey),
      analystIdentity: analyst.publicKey,
      overlap: {
        column: 'customer_id',
        role: first === ME ? pb.OverlapTask.Role.INITIATOR : pb.OverlapTask.Role.RESPONDER,
        session: jobId,
        peerId: PEER,
        peerIdentityKey: change.peerKey ?? mallory.publicKey,
        ...(change.roster ? { peerRosterSignature: change.roster } : {}),
      },
    };
  }

  /** The next PSI message (or refusal, or done) the node sends for `t`. */
  const next = async (t: tessera.v1.ITask) => {
    const m = await rogue.next((x) => {
      const body = x.body as string;
      const ref = (x as unknown as Record<string, { task?: tessera.v1.ITaskRef }>)[body]?.task;
      return ref?.jobId === t.ref?.jobId;
    });
    return m;
  };

  /** The malicious peer's side of the channel, with its real identity: it can open what the node sends it. */
  function peerChannel(t: tessera.v1.ITask) {
    return PsiChannel.start({
      session: t.ref!.jobId!,
      selfId: PEER,
      peerId: ME,
      identitySecretKey: mallory.secretKey,
      peerIdentityKey: me.publicKey,
    });
  }

  /**
   * The attack of the finding, from the blinding side: the attacker blinds each guess with its own scalar b_i, so
   * that it could unblind a re-blinding of its guesses point by point and match them against the node's blinded
   * set. It plays the protocol otherwise, and records everything the node sends it.
   */
  async function attackAsBlinder(t: tessera.v1.ITask, distinct = true) {
    rogue.send({ task: t });
    const received: tessera.v1.PsiPoints[] = [];
    const hello = (await next(t)).psi!;
    expect(hello.kind).toBe('psi/hello');
    const channel = peerChannel(t);
    channel.accept({ ephemeralKey: hello.ephemeralKey!, signature: hello.ephemeralSignature! });
    rogue.send({
      psi: {
        task: t.ref,
        kind: 'psi/hello',
        ephemeralKey: channel.hello.ephemeralKey,
        ephemeralSignature: channel.hello.signature,
      },
    });
    const b = randomScalar();
    // distinct: the finding's attack. Otherwise one scalar for all: a peer that only guesses (the count is then 10).
    const scalars = [...GUESSES, ...PADDING].map(() => (distinct ? randomScalar() : b));
    const points = [...GUESSES, ...PADDING].map((g, i) => scalarMult(scalarToBytes(scalars[i]!), hashToGroup(g)));
    const blinded: PsiBlindedSet = {
      kind: 'psi/blinded',
      version: 1,
      session: t.ref!.jobId!,
      from: 'responder',
      count: points.length,
      points: Buffer.concat(points),
    };
    const send = (plain: Uint8Array) => {
      const s = channel.seal(plain);
      rogue.send({ psi: { task: t.ref, kind: 'psi/sealed', seq: s.seq, sealed: s.sealed } });
    };
    send(encode(blinded));
    // The node's own blinded set arrives (sealed); the attacker re-blinds it honestly so that the run completes.
    const first = decode(channel.open(await sealedFrom(t)));
    received.push(first);
    expect(first.kind).toBe('psi/blinded');
    const reblinded = Buffer.concat(
      Array.from({ length: first.count }, (_, i) =>
        scalarMult(scalarToBytes(b), first.points.subarray(i * 32, (i + 1) * 32)),
      ),
    );
    send(
      encode({
        kind: 'psi/reblinded',
        version: 1,
        session: t.ref!.jobId!,
        from: 'responder',
        count: first.count,
        points: reblinded,
      }),
    );
    const count = decode(channel.open(await sealedFrom(t)));
    received.push(count);
    const done = await next(t);
    // The membership test of the finding: unblind every point it got back by each 1/b_i and look it up in the
    // node's blinded set. Nothing it received is a re-blinding of its own points, so it finds nothing.
    const nodeSet = new Set(
      Array.from({ length: first.count }, (_, i) => key(first.points.subarray(i * 32, (i + 1) * 32))),
    );
    const found = new Set<string>();
    for (const m of received) {
      if (m.kind === 'psi/blinded') continue; // the node's own set: what the attack would match against
      for (let j = 0; j < (m.points?.length ?? 0) / 32; j++)
        for (const [i, s] of scalars.entries()) {
          const q = scalarMult(scalarToBytes(inv(s)), m.points.subarray(j * 32, (j + 1) * 32));
          if (nodeSet.has(key(q))) found.add(GUESSES[i] ?? PADDING[i - GUESSES.length]!);
        }
    }
    return { received, found, count: Number(count.count), done };
  }

  async function sealedFrom(t: tessera.v1.ITask): Promise<{ seq: number; sealed: Uint8Array }> {
    const m = (await next(t)).psi!;
    expect(m.kind).toBe('psi/sealed');
    expect(m.points?.length ?? 0).toBe(0);
    return { seq: Number(m.seq ?? 0), sealed: m.sealed ?? new Uint8Array(0) };
  }

  it('as the blinding side, the attacker learns nothing per guess: the node never re-blinds them', async () => {
    const { received, found, count, done } = await attackAsBlinder(task(ME), true);
    // Everything the node sent it: its own blinded set and the count; never a re-blinding of the guesses.
    expect(received.map((m) => m.kind)).toEqual(['psi/blinded', 'psi/count']);
    expect(found.size).toBe(0);
    expect(done.done?.metrics?.[0]).toMatchObject({ name: 'overlap', value: count });
  });

  it('a peer that guesses learns only a noisy count, and every run is charged to the ledger', async () => {
    const counts: number[] = [];
    const before = ledger.charges(DATASET).length;
    for (let run = 0; run < 12; run++) {
      const { received, found, count } = await attackAsBlinder(task(ME), false);
      expect(received.map((m) => m.kind)).toEqual(['psi/blinded', 'psi/count']);
      expect(found.size).toBe(0);
      counts.push(count);
    }
    // The exact overlap is 10 (c0..c9); the released counts carry discrete Laplace noise of scale 1 (epsilon 1):
    // twelve equal counts have probability below 1e-3, a mean off by 3 or more below 1e-6.
    expect(new Set(counts).size).toBeGreaterThan(1);
    const mean = counts.reduce((a, c) => a + c, 0) / counts.length;
    expect(Math.abs(mean - 10)).toBeLessThan(3);
    const charges = ledger.charges(DATASET).slice(before);
    expect(charges).toHaveLength(12);
    expect(charges[0]!.approx).toEqual({ epsilon: 1, delta: 0 });
  });

  it('as the counting side, the attacker is refused unless the owner lets it count (countingPeers)', async () => {
    const t = task(PEER);
    rogue.send({ task: t });
    const answer = await next(t);
    expect(answer.body).toBe('refused');
    expect(answer.refused!.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
    expect(answer.refused!.reason).toMatch(
      /the job's spec makes the peer p-mallory the counting side, and this node's owner has not let it count/,
    );
    expect(refusals().at(-1)).toMatchObject({ jobId: t.ref!.jobId });
  });

  it('refuses a peer set below its minimum before answering it, and logs why', async () => {
    const t = task(ME);
    rogue.send({ task: t });
    const hello = (await next(t)).psi!;
    const channel = peerChannel(t);
    channel.accept({ ephemeralKey: hello.ephemeralKey!, signature: hello.ephemeralSignature! });
    rogue.send({
      psi: {
        task: t.ref,
        kind: 'psi/hello',
        ephemeralKey: channel.hello.ephemeralKey,
        ephemeralSignature: channel.hello.signature,
      },
    });
    await sealedFrom(t); // the node's blinded set
    // A single guess: the peer would learn 1 or 0 (plus noise) about one customer.
    const { message } = PsiParty.start(['c3'], { role: 'responder', session: t.ref!.jobId! });
    const s = channel.seal(encode(message));
    rogue.send({ psi: { task: t.ref, kind: 'psi/sealed', seq: s.seq, sealed: s.sealed } });
    const answer = await next(t);
    expect(answer.refused?.reason).toMatch(/blinded set has 1 identifiers, fewer than this node's minimum of 100/);
    expect(refusals().at(-1)?.reason).toMatch(/fewer than this node's minimum of 100/);
  });

  it('refuses a hello the coordinator made with its own key, and a tampered or replayed sealed message', async () => {
    // The coordinator substitutes its own ephemeral key, signed by a key that is not the peer's.
    let t = task(ME);
    rogue.send({ task: t });
    await next(t);
    const impostor = PsiChannel.start({
      session: t.ref!.jobId!,
      selfId: PEER,
      peerId: ME,
      identitySecretKey: generateSigningKeyPair().secretKey,
      peerIdentityKey: me.publicKey,
    });
    rogue.send({
      psi: {
        task: t.ref,
        kind: 'psi/hello',
        ephemeralKey: impostor.hello.ephemeralKey,
        ephemeralSignature: impostor.hello.signature,
      },
    });
    expect((await next(t)).refused?.reason).toMatch(/does not verify under the identity key of p-mallory/);

    for (const change of ['tamper', 'replay'] as const) {
      t = task(ME);
      rogue.send({ task: t });
      const hello = (await next(t)).psi!;
      const channel = peerChannel(t);
      channel.accept({ ephemeralKey: hello.ephemeralKey!, signature: hello.ephemeralSignature! });
      rogue.send({
        psi: {
          task: t.ref,
          kind: 'psi/hello',
          ephemeralKey: channel.hello.ephemeralKey,
          ephemeralSignature: channel.hello.signature,
        },
      });
      await sealedFrom(t);
      const { message } = PsiParty.start([...GUESSES, ...PADDING], { role: 'responder', session: t.ref!.jobId! });
      const s = channel.seal(encode(message));
      if (change === 'tamper') {
        const sealed = Uint8Array.from(s.sealed);
        sealed[40] = sealed[40]! ^ 0x80;
        rogue.send({ psi: { task: t.ref, kind: 'psi/sealed', seq: s.seq, sealed } });
        expect((await next(t)).refused?.reason).toMatch(/does not open under the channel key from p-mallory/);
      } else {
        rogue.send({ psi: { task: t.ref, kind: 'psi/sealed', seq: s.seq, sealed: s.sealed } });
        rogue.send({ psi: { task: t.ref, kind: 'psi/sealed', seq: s.seq, sealed: s.sealed } });
        expect((await next(t)).refused?.reason).toMatch(/number 0 from p-mallory, expected number 1/);
      }
    }
  });

  it('with a roster authority, refuses a peer key it did not certify; refuses a set below the minimum', async () => {
    const config: ParticipantConfig = {
      name: 'strict',
      coordinator: rogue.address,
      insecure: true,
      participantId: ME,
      identityKey: '(in memory)',
      datasets: { [DATASET]: { type: 'csv', path: join(tmp.dir, 'customers.csv'), exclude: [] } },
      rosterAuthority: Buffer.from(authority.publicKey).toString('hex'),
      overlap: { minSetSize: 500, countingPeers: [] },
    };
    await node.stop();
    const strict = new ParticipantNode({ config, identity: me });
    const ready = new Promise<void>((resolve) => strict.once('ready', () => resolve()));
    strict.start();
    await ready;
    try {
      // The coordinator swaps in a key of its own for the peer: no certificate of the authority covers it.
      const forged = generateSigningKeyPair().publicKey;
      const t1 = task(ME, { peerKey: forged, roster: signRosterEntry(authority.secretKey, PEER, mallory.publicKey) });
      rogue.send({ task: t1 });
      expect((await next(t1)).refused?.reason).toMatch(/carries no valid certificate of the roster authority/);
      // The peer's real key with its certificate passes; this node's own set (200) is below its minimum of 500.
      const t2 = task(ME, { roster: signRosterEntry(authority.secretKey, PEER, mallory.publicKey) });
      rogue.send({ task: t2 });
      const below = /holds fewer distinct identifiers than this node's minimum of 500 \(config overlap.minSetSize\)/;
      expect((await next(t2)).refused?.reason).toMatch(below);
      expect(
        strict.ledger
          .auditLog()
          .filter((e) => e.kind === 'refusal')
          .at(-1)?.reason,
      ).toMatch(below);
      expect(strict.ledger.charges(DATASET)).toHaveLength(0); // refused before the charge
    } finally {
      await strict.stop();
    }
  });
});
