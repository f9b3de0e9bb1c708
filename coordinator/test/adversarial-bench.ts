import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { ParticipantNode } from '@tessera/participant';
import { type AnalystClient, CoordinatorError } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { connectAnalystTo, enrolIdentity, type Identity, RawStream } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

// The coordinator the adversarial-*.test.ts files attack: one per file, with an honest identity (alice), a
// misbehaving one (mallory), raw Connect streams and participant nodes that are closed after each test.

/** These tests drive the plaintext path (secure: none); secure-rounds*.test.ts cover SecAgg+ rounds. */
export const PLAINTEXT = { mode: 'none' } as const;

/** The CoordinatorError a call must fail with, promptly (a call that never answers is a failure too). */
export async function coordinatorError(p: Promise<unknown>): Promise<CoordinatorError> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the coordinator did not answer the call within 10 s')), 10_000);
  });
  try {
    await Promise.race([p, silent]);
  } catch (e) {
    p.catch(() => undefined);
    expect(e).toBeInstanceOf(CoordinatorError);
    return e as CoordinatorError;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('expected the call to fail');
}

/** A running coordinator and its enrolled identities; the fields are set once the file's beforeAll has run. */
export interface AdversarialBench {
  readonly dir: string;
  readonly coord: Coordinator;
  readonly analyst: AnalystClient;
  readonly alice: Identity;
  readonly mallory: Identity;
  /** Participant nodes a test started: stopped after it. */
  readonly nodes: ParticipantNode[];
  /** Opens a raw Connect stream with `who`'s client certificate (default mallory's), closed after the test. */
  open(who?: Identity): Promise<RawStream>;
  /** An honest participant, on a stream of its own, is still welcomed. */
  expectStillServing(): Promise<void>;
}

/** Starts a coordinator for the enclosing describe block (call it there) and stops it after. */
export function useAdversarialBench(): AdversarialBench {
  const tmp = tempDir();
  const streams: RawStream[] = [];
  const bench = {
    dir: tmp.dir,
    nodes: [] as ParticipantNode[],
    open: async (who?: Identity) => {
      const s = await RawStream.open(who ?? bench.mallory);
      streams.push(s);
      return s;
    },
    expectStillServing: async () => {
      const s = await bench.open(bench.alice);
      const welcome = await s.hello(bench.alice);
      expect(welcome.participantId).toBe(bench.alice.id);
      s.close();
    },
  } as { -readonly [K in keyof AdversarialBench]: AdversarialBench[K] };

  beforeAll(async () => {
    bench.coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    bench.analyst = await connectAnalystTo(bench.coord);
    bench.alice = await enrolIdentity(bench.coord, 'alice');
    bench.mallory = await enrolIdentity(bench.coord, 'mallory');
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await Promise.all(bench.nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    bench.analyst?.close();
    await bench.coord?.stop();
    tmp.cleanup();
  });
  return bench;
}
