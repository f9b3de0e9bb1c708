import { describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { JobSpecError, SPEC_CAPS } from '@tessera/jobs';
import { declaredQueryToProto, tessera } from '@tessera/proto';
import { PsiError } from '@tessera/psi';
import type { LocalData } from '../src/local-data.js';
import { PsiSession } from '../src/psi-session.js';
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

const overlapTask = (role: tessera.v1.OverlapTask.Role): tessera.v1.ITask => ({
  ref: { jobId: 'job-psi', round: 1, stage: pb.Stage.OVERLAP },
  dataset: 'customers',
  overlap: { column: 'email', role, session: 'job-psi' },
});

describe('runtime caps on the participant', () => {
  it('refuses to blind more identifiers than the PSI set cap, naming the cap and never the count', async () => {
    const over = SPEC_CAPS.psiSetSize + 1;
    const refused = await PsiSession.start(overlapTask(pb.OverlapTask.Role.INITIATOR), identifiers(over)).catch(
      (e: unknown) => e as Error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(
      'column "email" of data set "customers" holds more identifiers than the 250000 of the psiSetSize cap; ' +
        'refused before blinding any',
    );
    expect((refused as Error).message).not.toContain(String(over));
  });

  it("refuses a peer's set over the cap before re-blinding any of it", async () => {
    const { session } = await PsiSession.start(overlapTask(pb.OverlapTask.Role.RESPONDER), identifiers(3));
    const huge = {
      task: overlapTask(pb.OverlapTask.Role.RESPONDER).ref,
      kind: 'psi/blinded',
      version: 1,
      session: 'job-psi',
      from: 'initiator',
      count: SPEC_CAPS.psiSetSize + 1,
      points: new Uint8Array(0),
    };
    expect(() => session.onPoints(huge)).toThrow(PsiError);
    expect(() => session.onPoints(huge)).toThrow(/over the limit of 250000/);
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
