// The node's own overlap limits: a largest epsilon, runs per 24 hours, and the peer's key pinned on first use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, sign, toHex, type SigningKeyPair } from '@tessera/crypto';
import { JOB_SPEC_CONTEXT } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { PsiChannel, PsiParty, psiReady } from '@tessera/psi';
import { tempDir } from '../../coordinator/test/helpers.js';
import { admitOverlapRun, DAY_MS } from '../src/overlap-runs.js';
import { DEFAULT_OVERLAP_POLICY } from '../src/overlap-policy.js';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';
import { ParticipantNode, type ParticipantConfig } from '../src/index.js';
import type { CheckedOverlap } from '../src/psi-session.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';
import { joinedRegExp } from '@tessera/test-support';

const pb = tessera.v1;
const DATASET = 'customers';
const ME = 'p-honest';
const PEER = 'p-peer';
const MINE = Array.from({ length: 150 }, (_, i) => `c${i}`);
/** The peer's customers: c100..c249 (50 shared). */
const THEIRS = Array.from({ length: 150 }, (_, i) => `c${100 + i}`);
const encode = (m: object) => tessera.v1.PsiPoints.encode(m).finish();
const decode = (b: Uint8Array) => tessera.v1.PsiPoints.decode(b);

describe('overlap limits of the node (a rogue coordinator drives an honest node)', () => {
  const tmp = tempDir('tessera-overlap-limits-');
  const me = generateSigningKeyPair();
  const peer = generateSigningKeyPair();
  const analyst = generateSigningKeyPair();
  const rogue = new RogueCoordinator(me.publicKey);
  const csv = join(tmp.dir, 'customers.csv');
  const ledgerPath = join(tmp.dir, 'ledger.sqlite');
  let node: ParticipantNode;
  let job = 0;

  async function startNode(overlap?: ParticipantConfig['overlap']): Promise<void> {
    const config: ParticipantConfig = {
      name: 'honest',
      coordinator: rogue.address,
      insecure: true,
      participantId: ME,
      identityKey: '(in memory)',
      ledger: ledgerPath,
      datasets: { [DATASET]: { type: 'csv', path: csv, exclude: [] } },
      ...(overlap ? { overlap } : {}),
    };
    node = new ParticipantNode({ config, identity: me });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
  }

  beforeAll(async () => {
    await psiReady();
    writeFileSync(csv, `customer_id,spend\n${MINE.map((c, i) => `${c},${i}`).join('\n')}\n`);
    await rogue.start();
    await startNode();
  });
  afterAll(async () => {
    await node.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  /** An overlap task in which this node counts, the analyst's spec signed; the peer's key as the coordinator says. */
  function task(change: { epsilon?: number; peerKey?: Uint8Array } = {}): tessera.v1.ITask {
    job += 1;
    const jobId = `job-limits-${job}`;
    const spec = JSON.stringify({
      kind: 'overlap',
      dataset: DATASET,
      column: 'customer_id',
      participants: [ME, PEER],
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
        role: pb.OverlapTask.Role.INITIATOR,
        session: jobId,
        peerId: PEER,
        peerIdentityKey: change.peerKey ?? peer.publicKey,
      },
    };
  }

  const next = (t: tessera.v1.ITask) =>
    rogue.next((x) => {
      const body = x.body as string;
      return (x as unknown as Record<string, { task?: tessera.v1.ITaskRef }>)[body]?.task?.jobId === t.ref?.jobId;
    });

  /**
   * Sends the task and plays the blinding side honestly under `as` (the peer's key, or a key the coordinator made):
   * returns the count the node released, or the refusal.
   */
  async function run(t: tessera.v1.ITask, as: SigningKeyPair = peer): Promise<{ count?: number; refused?: string }> {
    rogue.send({ task: t });
    const first = await next(t);
    if (first.refused) return { refused: first.refused.reason ?? '' };
    const hello = first.psi!;
    const channel = PsiChannel.start({
      session: t.ref!.jobId!,
      selfId: PEER,
      peerId: ME,
      identitySecretKey: as.secretKey,
      peerIdentityKey: me.publicKey,
    });
    channel.accept({ ephemeralKey: hello.ephemeralKey!, signature: hello.ephemeralSignature! });
    rogue.send({
      psi: {
        task: t.ref,
        kind: 'psi/hello',
        ephemeralKey: channel.hello.ephemeralKey,
        ephemeralSignature: channel.hello.signature,
      },
    });
    const seal = (plain: Uint8Array) => {
      const s = channel.seal(plain);
      rogue.send({ psi: { task: t.ref, kind: 'psi/sealed', seq: s.seq, sealed: s.sealed } });
    };
    const opened = async () => {
      const m = await next(t);
      if (m.refused) throw new Error(`refused: ${m.refused.reason}`);
      return decode(channel.open({ seq: Number(m.psi!.seq ?? 0), sealed: m.psi!.sealed! }));
    };
    const { party, message } = PsiParty.start(THEIRS, { role: 'responder', session: t.ref!.jobId! });
    seal(encode(message));
    const theirs = await opened();
    const reblinded = party.receive({
      kind: 'psi/blinded',
      version: 1,
      session: theirs.session,
      from: 'initiator',
      count: Number(theirs.count),
      points: theirs.points,
    });
    seal(encode(reblinded));
    const count = await opened();
    await next(t); // done
    return { count: Number(count.count) };
  }

  const lastRefusal = () =>
    node.ledger
      .auditLog()
      .filter((e) => e.kind === 'refusal')
      .at(-1);

  it('refuses epsilon 10 at the default limit of 1, uncharged, and logs why; epsilon 1 runs', async () => {
    const t = task({ epsilon: 10 });
    const out = await run(t);
    expect(out.refused).toMatch(
      joinedRegExp(
        /the job's spec asks for epsilon 10, above this node's limit of 1 \(config overlap\.maxEpsilon\): /,
        /at epsilon 10 the count is released exactly with probability 0\.9999/,
      ),
    );
    expect(lastRefusal()).toMatchObject({ jobId: t.ref!.jobId, stage: 'overlap' });
    expect(node.ledger.charges(DATASET)).toHaveLength(0);
    // The first honest run with the peer: the node pins the peer's identity key.
    const ok = await run(task());
    expect(Math.abs(ok.count! - 50)).toBeLessThanOrEqual(20); // 50 shared, noise of scale 1
    expect(node.ledger.pinnedPeerKey(PEER)).toMatchObject({ identityKey: toHex(peer.publicKey), source: 'first-use' });
  });

  it('after a first honest run, refuses a peer key the coordinator swapped in (with a hello under it)', async () => {
    // Restarted on the same ledger file: the pin is durable.
    await node.stop();
    await startNode();
    const coordinators = generateSigningKeyPair();
    const t = task({ peerKey: coordinators.publicKey });
    const out = await run(t, coordinators);
    expect(out.refused).toContain(
      `the task gives the peer ${PEER} the identity key ${toHex(coordinators.publicKey)}, and this node pinned ` +
        `${toHex(peer.publicKey)} for it on first use (job job-limits-2,`,
    );
    expect(lastRefusal()?.reason).toContain(toHex(coordinators.publicKey));
    expect(node.ledger.charges(DATASET)).toHaveLength(1); // the honest run only
    expect(node.ledger.pinnedPeerKey(PEER)?.identityKey).toBe(toHex(peer.publicKey));
  });

  it('refuses the (N+1)th run within 24 hours (N = overlap.maxRunsPerDay, default 3), uncharged', async () => {
    // One run so far (the honest one above); two more reach the default limit of 3.
    for (let i = 0; i < 2; i++) expect((await run(task())).count).toBeGreaterThanOrEqual(0);
    const t = task();
    const out = await run(t);
    expect(out.refused).toMatch(
      joinedRegExp(
        /this node has taken part in 3 overlap runs in the last 24 hours, /,
        /its limit \(config overlap\.maxRunsPerDay: 3\).*The next run is possible from 20\d\d-/,
      ),
    );
    expect(lastRefusal()).toMatchObject({ jobId: t.ref!.jobId });
    expect(node.ledger.charges(DATASET)).toHaveLength(3);
  });
});

describe('admitOverlapRun on a ledger', () => {
  const peerKey = generateSigningKeyPair().publicKey;
  const checked = (key: Uint8Array, peerId = 'p-2'): CheckedOverlap => ({
    counts: true,
    peerId,
    peerIdentityKey: key,
    epsilon: 1,
    ids: [],
    minPeerSetSize: 100,
  });
  const t = (jobId: string): tessera.v1.ITask => ({ ref: { jobId }, dataset: 'd' });

  it('counts runs over a rolling 24 hours, over every peer; a refused run leaves no row', () => {
    const ledger = new PrivacyLedger(':memory:');
    const policy = { ...DEFAULT_OVERLAP_POLICY, maxRunsPerDay: 2 };
    const t0 = Date.UTC(2026, 0, 1);
    admitOverlapRun(ledger, policy, t('j1'), checked(peerKey), false, t0);
    // A fresh peer id does not reset the count.
    admitOverlapRun(ledger, policy, t('j2'), checked(generateSigningKeyPair().publicKey, 'p-3'), false, t0 + 1000);
    expect(() => admitOverlapRun(ledger, policy, t('j3'), checked(peerKey), false, t0 + DAY_MS - 1)).toThrow(
      /2 overlap runs in the last 24 hours.*possible from 2026-01-02T00:00:00\.000Z/,
    );
    // Inside a transaction that rolls back (as admission's does on a refusal), the refused run leaves no row.
    expect(() =>
      ledger.atomically(() => admitOverlapRun(ledger, policy, t('j3'), checked(peerKey), false, t0 + DAY_MS - 1)),
    ).toThrow(/2 overlap runs/);
    expect(ledger.overlapRunsAfter(0)).toHaveLength(2);
    admitOverlapRun(ledger, policy, t('j4'), checked(peerKey), false, t0 + DAY_MS);
    expect(ledger.overlapRunsAfter(0)).toHaveLength(3);
    ledger.close();
  });

  it('re-pins a changed key the roster authority certified, or the owner named; refuses it otherwise', () => {
    const ledger = new PrivacyLedger(':memory:');
    const policy = { ...DEFAULT_OVERLAP_POLICY, maxRunsPerDay: 100 };
    admitOverlapRun(ledger, policy, t('j1'), checked(peerKey), false);
    const rotated = generateSigningKeyPair().publicKey;
    expect(() => admitOverlapRun(ledger, policy, t('j2'), checked(rotated), false)).toThrow(
      new RegExp(
        `identity key ${toHex(rotated)}, and this node pinned ${toHex(peerKey)} for it on first use \\(job j1`,
      ),
    );
    // Certified by the roster authority (checkOverlapTask verified the certificate): accepted and pinned.
    admitOverlapRun(ledger, policy, t('j3'), checked(rotated), true);
    expect(ledger.pinnedPeerKey('p-2')).toMatchObject({ identityKey: toHex(rotated), jobId: 'j3', source: 'roster' });
    // The owner names a key: only that one is accepted, whatever was pinned.
    const named = generateSigningKeyPair().publicKey;
    const owned = { ...policy, peerKeys: { 'p-2': toHex(named) } };
    expect(() => admitOverlapRun(ledger, owned, t('j4'), checked(rotated), true)).toThrow(
      /this node's owner named [0-9a-f]{64} for it \(config overlap\.peerKeys\)/,
    );
    admitOverlapRun(ledger, owned, t('j5'), checked(named), false);
    expect(ledger.pinnedPeerKey('p-2')).toMatchObject({ identityKey: toHex(named), source: 'owner' });
    expect(ledger.overlapRunsAfter(0)).toHaveLength(3); // j1, j3, j5
    ledger.close();
  });
});
