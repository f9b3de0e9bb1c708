import { randomBytes } from 'node:crypto';
import { psiReady } from '../group.js';
import type { AlignmentBlinder } from './blinder.js';
import { type Alignment, requireOverlap, startAlignment } from './stages.js';
import { AlignmentWorkers } from './workers.js';

export interface AlignIdsOptions {
  /** The per-job salt (at least 16 bytes). */
  readonly salt: Uint8Array;
  readonly session?: string;
  /** Where the blinding runs (default this thread); both sides share it in the in-process run. */
  readonly blinder?: AlignmentBlinder;
  /** Return an empty alignment instead of refusing with 'empty-intersection'. Default false. */
  readonly allowEmpty?: boolean;
}

/**
 * Runs both sides of the alignment in this process (for tests, demos and the benchmark): `a` is the initiator's
 * identifier column, `b` the responder's. Each result lists that side's rows of the shared identifiers in the one
 * agreed order, so `a[initiator.rows[i]]` and `b[responder.rows[i]]` are the same customer. Refuses an empty
 * intersection unless `allowEmpty`. Awaits `psiReady()` itself.
 */
export async function alignIds(
  a: readonly string[],
  b: readonly string[],
  options: AlignIdsOptions,
): Promise<{ initiator: Alignment; responder: Alignment }> {
  await psiReady();
  const common = { salt: options.salt, maxPeerSetSize: Math.max(a.length, b.length, 1) };
  const withBlinder = {
    ...common,
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(options.blinder === undefined ? {} : { blinder: options.blinder }),
  };
  const [i1, r1] = await Promise.all([
    startAlignment(a, { ...withBlinder, role: 'initiator' }),
    startAlignment(b, { ...withBlinder, role: 'responder' }),
  ]);
  const [i2, r2] = await Promise.all([i1.stage.receive(r1.message), r1.stage.receive(i1.message)]);
  const i3 = i2.stage.finish(r2.message);
  const r3 = r2.stage.finish(i2.message);
  const initiator = i3.stage.confirm(r3.message);
  const responder = r3.stage.confirm(i3.message);
  if (!options.allowEmpty) requireOverlap(initiator);
  return { initiator, responder };
}

export interface AlignmentThroughput {
  /** Identifiers per side. */
  readonly n: number;
  /** Worker threads (0: everything on this thread). */
  readonly threads: number;
  /** Wall-clock seconds for both sides, run concurrently in this process on the shared pool. */
  readonly seconds: number;
  /** 2n / seconds: identifiers per second per side, each side having the whole pool for half of the run. */
  readonly idsPerSecondPerSide: number;
  /** CPU seconds of this process (all threads) over the run: unlike `seconds`, not inflated by other load. */
  readonly cpuSeconds: number;
  /** 2n / cpuSeconds: identifiers per CPU second per side, i.e. per side and core when the cores are free. */
  readonly idsPerCpuSecondPerSide: number;
}

/**
 * Aligns two columns of `n` identifiers overlapping in floor(n/2) with `threads` worker threads (0: inline on
 * this thread), checks the result is exact, and reports identifiers per second per side. The pool start-up
 * is not timed.
 */
export async function measureAlignmentThroughput(n: number, threads: number): Promise<AlignmentThroughput> {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`n must be an integer of at least 2, got ${n}`);
  await psiReady();
  const overlap = Math.floor(n / 2);
  const a = Array.from({ length: n }, (_, i) => `customer-${i}`);
  const b = Array.from({ length: n }, (_, i) => `customer-${i + n - overlap}`);
  const pool = threads > 0 ? await AlignmentWorkers.open(threads) : undefined;
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { initiator, responder } = await alignIds(a, b, {
      salt: randomBytes(32),
      ...(pool === undefined ? {} : { blinder: pool }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (initiator.size !== overlap || responder.size !== overlap) {
      throw new Error(`measureAlignmentThroughput: expected ${overlap} shared ids, got ${initiator.size}`);
    }
    for (let i = 0; i < overlap; i++) {
      if (a[initiator.rows[i]!] !== b[responder.rows[i]!]) throw new Error(`measureAlignmentThroughput: row ${i}`);
    }
    return {
      n,
      threads,
      seconds,
      idsPerSecondPerSide: (2 * n) / seconds,
      cpuSeconds,
      idsPerCpuSecondPerSide: (2 * n) / cpuSeconds,
    };
  } finally {
    await pool?.close();
  }
}
