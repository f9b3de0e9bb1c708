import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { defaultCkksParameters } from '@tessera/he';
import { tessera } from '@tessera/proto';
import { silentLogger } from '@tessera/transport';
import type { Admission, DataAdmission } from '../src/admission.js';
import { Connection } from '../src/connection.js';
import type { ConsentGuard } from '../src/consent/consent-guard.js';
import type { JobMemory } from '../src/job-memory.js';
import type { LocalData } from '../src/local-data.js';
import type { PrivacyLedger } from '../src/privacy/privacy-ledger.js';
import { OPEN_QUERY_RULES } from '../src/query-guard.js';
import { TaskDispatcher } from '../src/tasks/dispatcher.js';
import type { TaskContext } from '../src/tasks/task-handler.js';
import type { Body } from '../src/uploader.js';

const pb = tessera.v1;
const S = pb.Stage;

/**
 * Admission is one step that every task kind passes before its handler reads data. The node's
 * data and job memory here are tripwires that log any access (and fail it); admission is a stub
 * that logs its consent decision and its charge, and refuses or admits.
 */
function harness(admit: boolean) {
  const events: string[] = [];
  const tripwire = <T extends object>(what: string) =>
    new Proxy({} as T, {
      get: (_t, p) => {
        events.push(`read ${what}.${String(p)}`);
        throw new Error(`read ${what}`);
      },
    });
  const admission = {
    admit(task: tessera.v1.ITask, stage: number, beforeCharge?: () => void): DataAdmission {
      events.push('consent');
      if (!admit) throw new Error('consent: no grant');
      beforeCharge?.();
      events.push('charge');
      return { task, stage, consent: { purpose: 'train', kind: 'train', analyst: '' }, checked: {}, epsilon: 0 };
    },
    record: (_a: DataAdmission, rows: number) => void events.push(`record ${rows}`),
    recordRefusal: () => undefined,
  } as unknown as Admission;
  const sent: Body[] = [];
  const send = async (b: Body) => {
    sent.push(b);
  };
  const ctx: TaskContext = {
    id: 'me',
    name: 'me',
    data: tripwire<LocalData>('data'),
    consent: { queryRules: () => OPEN_QUERY_RULES } as unknown as ConsentGuard,
    connection: new Connection({} as never, 'me', generateSigningKeyPair().secretKey),
    memory: tripwire<JobMemory>('memory'),
    identitySecretKey: new Uint8Array(64),
    trustedAnalysts: [],
    ledger: tripwire<PrivacyLedger>('ledger'),
    send,
    refuse: async (ref, cause, _task, stage) => {
      const reason = typeof cause === 'string' ? cause : cause.message;
      events.push(`refused stage ${stage}: ${reason}`);
      await send({ refused: { task: ref, reason } });
    },
    emit: (event) => void events.push(`emit ${event}`),
    dropsOut: () => false,
    logger: silentLogger,
  };
  const dispatcher = new TaskDispatcher(admission);
  /** Dispatches the task (and its model, if it has one); resolves once the dispatcher is done with it. */
  const run = async (task: tessera.v1.ITask) => {
    await dispatcher.dispatch(ctx, pb.CoordinatorMessage.create({ task }));
    if (task.modelLength)
      await dispatcher.dispatch(
        ctx,
        pb.CoordinatorMessage.create({ model: { task: task.ref, chunk: { offset: 0, total: 2, values: [0, 0] } } }),
      );
  };
  return { events, sent, run, ctx };
}

/** One task of each kind this node answers, plain and (for the kinds securely summed) secure. */
const KINDS: [string, number, tessera.v1.ITask][] = [];
const add = (name: string, stage: number, task: Omit<tessera.v1.ITask, 'dataset'>) =>
  KINDS.push([name, stage, { dataset: 'd', ...task }]);
for (const [name, stage] of [
  ['schema', S.SCHEMA],
  ['statistics', S.STATISTICS],
  ['query', S.QUERY],
  ['overlap', S.OVERLAP],
  ['valuate', S.VALUATE],
] as const) {
  add(name, stage, { ref: { jobId: `job-${name}`, stage } });
}
add('score', S.SCORE, {
  ref: { jobId: 'job-score', stage: S.SCORE },
  // Well-formed parameters, so that the task gets as far as reading data (the model itself is junk).
  scoring: { encryptedModel: Uint8Array.of(1), paramsJson: JSON.stringify(defaultCkksParameters()) },
});
for (const [name, stage] of [
  ['fit', S.FIT],
  ['evaluate', S.EVALUATE],
] as const)
  add(name, stage, { ref: { jobId: `job-${name}`, round: 1, stage }, modelLength: 2 });
for (const [name, stage, modelLength] of [
  ['statistics', S.STATISTICS, 0],
  ['query', S.QUERY, 0],
  ['fit', S.FIT, 2],
  ['evaluate', S.EVALUATE, 2],
] as const) {
  add(`secure ${name}`, stage, {
    ref: { jobId: `job-secure-${name}`, round: 1, stage: S.ADVERTISE_KEYS },
    secure: { computation: stage },
    modelLength,
  });
}

describe('TaskDispatcher: admission before any handler reads data', () => {
  it('has a case for every task kind', () => {
    expect(KINDS.map(([n]) => n)).toEqual([
      'schema',
      'statistics',
      'query',
      'overlap',
      'valuate',
      'score',
      'fit',
      'evaluate',
      'secure statistics',
      'secure query',
      'secure fit',
      'secure evaluate',
    ]);
  });

  for (const [name, stage, task] of KINDS) {
    it(`${name}: a task admission refuses is refused with the reason, and no handler touches the data`, async () => {
      const h = harness(false);
      await h.run(task);
      expect(h.events.filter((e) => e !== 'emit task')).toEqual([
        'consent',
        `refused stage ${stage}: consent: no grant`,
      ]);
      expect(h.sent).toEqual([{ refused: { task: task.ref, reason: 'consent: no grant' } }]);
      expect(h.ctx.connection.active).toBeUndefined();
    });

    it(
      `${name}: an admitted task reads data only after the consent ` +
        `decision${stage === S.QUERY ? ' (the query pre-check, before the charge)' : ' and the charge'}`,
      async () => {
        const h = harness(true);
        await h.run(task);
        // A data task is announced ('task') when it arrives; nothing is read before admission all the same.
        const events = h.events.filter((e) => e !== 'emit task');
        const at = (e: string) => events.indexOf(e);
        const firstRead = events.findIndex((e) => e.startsWith('read '));
        if (stage === S.OVERLAP) {
          // The overlap's checks (role, peer, minimum set size) run inside admission, after consent: this task carries
          // no overlap spec, so it is refused uncharged, before its identifiers are read.
          expect(at('charge')).toBe(-1);
          expect(firstRead).toBe(-1);
          expect(events.at(-1)).toMatch(
            new RegExp(`^refused stage ${stage}: privacy check: overlap: the task carries no overlap job spec`),
          );
        } else if (stage === S.SCORE) {
          // The scoring keys' check runs inside admission, after consent: this task carries no score spec (nothing
          // vouches for its keys), so it is refused uncharged, before any row is read.
          expect(at('charge')).toBe(-1);
          expect(firstRead).toBe(-1);
          expect(events.at(-1)).toMatch(
            new RegExp(`^refused stage ${stage}: privacy check: a score task must carry its score job spec`),
          );
        } else if (stage === S.QUERY) {
          // The query rules' pre-check runs inside admission, after consent; this task carries no query, so it is
          // refused uncharged.
          expect(at('charge')).toBe(-1);
          expect(events.at(-1)).toBe(
            `refused stage ${stage}: the task carries no query; refused before reading any data`,
          );
        } else {
          expect(at('consent')).toBe(0);
          expect(at('charge')).toBe(1);
          expect(firstRead).toBeGreaterThan(at('charge'));
          expect(events.at(-1)).toMatch(new RegExp(`^refused stage ${stage}: read (data|memory)$`));
        }
        expect(events.some((e) => e.startsWith('record'))).toBe(false);
        expect(events).not.toContain('emit done');
      },
    );
  }

  it('a stage no handler knows passes admission like any other, then is refused', async () => {
    const h = harness(true);
    await h.run({ ref: { jobId: 'job-x', stage: 99 as tessera.v1.Stage }, dataset: 'd' });
    expect(h.events).toEqual(['emit task', 'consent', 'charge', 'refused stage 99: unknown stage 99']);
  });

  it("keeps a sealed task's model chunks that arrive while its library loads", async () => {
    const h = harness(true);
    const ref = { jobId: 'job-sealed', round: 1, stage: S.ADVERTISE_KEYS, computation: S.FIT };
    const task = { ref, dataset: 'd', modelLength: 2, secure: { computation: S.FIT, sealedDegree: 4096 } };
    const dispatcher = new TaskDispatcher({
      admit: () => {
        h.events.push('admitted');
        throw new Error('stop here');
      },
      record: () => undefined,
      recordRefusal: () => undefined,
    } as unknown as Admission);
    // The coordinator streams the model right behind the task: the chunk arrives before SEAL has loaded.
    const started = dispatcher.dispatch(h.ctx, pb.CoordinatorMessage.create({ task }));
    await dispatcher.dispatch(
      h.ctx,
      pb.CoordinatorMessage.create({ model: { task: ref, chunk: { offset: 0, total: 2, values: [1, 2] } } }),
    );
    await started;
    expect(h.events).toContain('admitted');
    expect(h.ctx.connection.preparing).toBeUndefined();
  });
});
