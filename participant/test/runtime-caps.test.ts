import { describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { JobSpecError, SPEC_CAPS } from '@tessera/jobs';
import { declaredQueryToProto, tessera } from '@tessera/proto';
import { generateSigningKeyPair } from '@tessera/crypto';
import { PsiChannel, PsiError } from '@tessera/psi';
import type { LocalData } from '../src/local-data.js';
import { PrivacyRefusal } from '../src/privacy/task-spec.js';
import { checkOverlapTask, PsiSession, type OverlapNode } from '../src/psi-session.js';
import { queryPlanOf } from '../src/query-compute.js';

// The caps of the job spec (docs/job-spec.md, "Caps") where a participant sizes things from a task: the set it
// blinds for an overlap, the peer's set it re-blinds, and a query's vector when the task carries no spec.

const pb = tessera.v1;

/** Local data with one data set `customers` of one identifier column holding `n` distinct values. */
function identifiers(n: number): LocalData {
  const table: RawTable = {
    source: 'customers.csv',
    columns: ['email'],
    rows: Array.from({ length: n }, (_, i) => [`c${i}@example.com`]),
    lineOf: (i) => i + 2,
  };
  return { table: () => table } as unknown as LocalData;
}

const me = generateSigningKeyPair();
const peer = generateSigningKeyPair();

/** An overlap task between this node ("me") and "peer"; the initiator (first in the spec) counts. */
const overlapTask = (role: tessera.v1.OverlapTask.Role): tessera.v1.ITask => {
  const initiator = role === pb.OverlapTask.Role.INITIATOR;
  return {
    ref: { jobId: 'job-psi', round: 1, stage: pb.Stage.OVERLAP },
    dataset: 'customers',
    specJson: JSON.stringify({
      kind: 'overlap',
      dataset: 'customers',
      column: 'email',
      participants: initiator ? ['me', 'peer'] : ['peer', 'me'],
    }),
    overlap: { column: 'email', role, session: 'job-psi', peerId: 'peer', peerIdentityKey: peer.publicKey },
  };
};
const node = (n: number): OverlapNode => ({
  id: 'me',
  identitySecretKey: me.secretKey,
  data: identifiers(n),
  policy: { minSetSize: 1, countingPeers: ['peer'] },
});

describe('runtime caps on the participant', () => {
  it('refuses to blind more identifiers than the PSI set cap, naming the cap and never the count', () => {
    const over = SPEC_CAPS.psiSetSize + 1;
    let refused: unknown;
    try {
      checkOverlapTask(overlapTask(pb.OverlapTask.Role.INITIATOR), node(over));
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(PrivacyRefusal);
    expect((refused as Error).message).toBe(
      'privacy check: overlap: column "email" of data set "customers" holds more identifiers than the 250000 of ' +
        'the psiSetSize cap; refused before sending anything',
    );
    expect((refused as Error).message).not.toContain(String(over));
  });

  it("refuses a peer's set over the cap before re-blinding any of it", async () => {
    const task = overlapTask(pb.OverlapTask.Role.RESPONDER);
    const { session, hello } = await PsiSession.start(task, node(3), checkOverlapTask(task, node(3)));
    // The peer's side of the channel, so that its oversized set arrives sealed as a real one would.
    const channel = PsiChannel.start({
      session: 'job-psi',
      selfId: 'peer',
      peerId: 'me',
      identitySecretKey: peer.secretKey,
      peerIdentityKey: me.publicKey,
    });
    channel.accept({ ephemeralKey: hello.ephemeralKey!, signature: hello.ephemeralSignature! });
    session.onPoints({
      task: task.ref,
      kind: 'psi/hello',
      ephemeralKey: channel.hello.ephemeralKey,
      ephemeralSignature: channel.hello.signature,
    });
    const huge = tessera.v1.PsiPoints.encode({
      kind: 'psi/blinded',
      version: 1,
      session: 'job-psi',
      from: 'initiator',
      count: SPEC_CAPS.psiSetSize + 1,
      points: new Uint8Array(0),
    }).finish();
    const sealed = channel.seal(huge);
    expect(() => session.onPoints({ task: task.ref, kind: 'psi/sealed', ...sealed })).toThrow(PsiError);
    expect(() => session.onPoints({ task: task.ref, kind: 'psi/sealed', ...sealed })).toThrow(
      /expected number 1/, // the channel took the message; the run refused it: a retry is a replay
    );
  });

  it('refuses a declared query (a task without a spec) whose vector is over the cap, before allocating it', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    const task: tessera.v1.ITask = {
      dataset: 'orders',
      query: declaredQueryToProto({
        sql: 'SELECT a, b, COUNT(*) FROM orders GROUP BY a, b',
        options: { bounds: {}, domains: { a: values(1025), b: values(1024) } },
      }),
    };
    expect(() => queryPlanOf(task)).toThrow(JobSpecError);
    expect(() => queryPlanOf(task)).toThrow(/has 1049600 entries, more than the 1048576 of the queryVectorLength cap/);
  });
});
