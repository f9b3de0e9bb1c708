// Reads a V8 CPU profile (`node --cpu-prof`, a .cpuprofile JSON file): self time per function over a time window.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fixed } from '../stats.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds of the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One function's self time: samples where it was on top of the stack. */
export interface HotFunction {
  /** `name (file:line)`, or V8's pseudo-functions: (garbage collector), (program), (idle). */
  name: string;
  selfSeconds: number;
  /** Share of the busy (non-idle) samples in the window. */
  share: number;
}

export interface ProfileSummary {
  /** Seconds of samples in the window, idle excluded. */
  busySeconds: number;
  top: HotFunction[];
  /** The first bottleneck: the busiest function that is not V8's (program) or (idle). */
  bottleneck: HotFunction | undefined;
}

const PSEUDO = new Set(['(idle)', '(program)', '(root)']);

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  if (functionName.startsWith('(')) return functionName;
  const where = url ? `${basename(url)}:${lineNumber + 1}` : 'native';
  return `${functionName || '(anonymous)'} (${where})`;
}

/**
 * The `limit` functions with the most self time between `fromUs` and `toUs` (process.hrtime microseconds; the whole
 * profile when the window holds no sample).
 */
export function summariseProfile(file: string, fromUs: number, toUs: number, limit = 10): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, label(n)]));
  const tally = (from: number, to: number) => {
    const self = new Map<string, number>();
    let t = profile.startTime;
    for (const [i, id] of profile.samples.entries()) {
      const dt = profile.timeDeltas[i] ?? 0;
      t += dt;
      if (t < from || t > to) continue;
      const name = byId.get(id) ?? '(unknown)';
      self.set(name, (self.get(name) ?? 0) + dt);
    }
    return self;
  };
  let self = tally(fromUs, toUs);
  if (self.size === 0) self = tally(-Infinity, Infinity);
  const busy = [...self].filter(([name]) => name !== '(idle)').reduce((a, [, us]) => a + us, 0);
  const ranked = [...self]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ name, selfSeconds: fixed(us / 1e6, 3), share: fixed(busy ? us / busy : 0, 3) }));
  return {
    busySeconds: fixed(busy / 1e6, 3),
    top: ranked.slice(0, limit),
    bottleneck: ranked.find((f) => !PSEUDO.has(f.name)),
  };
}

/** process.hrtime in microseconds: the clock a CPU profile's timestamps use on Linux. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);
