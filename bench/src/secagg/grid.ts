import { renderTable } from '@tessera/cli/ui/table';
import { machineInfo } from '../machine.js';
import { measureSecAggRound, type SecAggRoundFigures } from './round.js';

/** The configurations of `npm run bench` for secure aggregation (n, d, dropout share). */
export const SECAGG_GRID: readonly [number, number, number][] = [
  [10, 1e4, 0.1],
  [10, 1e5, 0.1],
  [10, 1e6, 0.1],
  [100, 1e4, 0.1],
  [100, 1e5, 0.1],
  [100, 1e6, 0.1],
  [500, 1e4, 0.1],
  [500, 1e5, 0.1],
  [500, 1e5, 0.3],
];

export interface SecAggGridReport {
  benchmark: 'secagg';
  date: string;
  machine: unknown;
  command: string;
  runs: SecAggRoundFigures[];
  targets: {
    ratioAtN100D1e5: number | null;
    unmaskSecondsAtN500D1e5Drop03: number | null;
    maskingWordsPerSecondMin: number | null;
  };
  pass: boolean;
}

export async function runSecAggGrid(
  grid: readonly [number, number, number][],
  log: (line: string) => void,
): Promise<SecAggGridReport> {
  const runs: SecAggRoundFigures[] = [];
  for (const [n, d, drop] of grid) {
    log(`secagg round n=${n} d=${d} drop=${drop}`);
    runs.push(measureSecAggRound(n, d, drop));
  }
  const find = (n: number, d: number, drop: number) =>
    runs.find((r) => r.participants === n && r.dimension === d && r.drop === drop);
  const ratio = find(100, 1e5, 0.1)?.ratio ?? null;
  const unmask = find(500, 1e5, 0.3)?.unmaskSeconds ?? null;
  const masking = runs.length
    ? Math.min(...runs.filter((r) => r.dimension >= 1e5).map((r) => r.maskingWordsPerSecond))
    : null;
  return {
    benchmark: 'secagg',
    date: new Date().toISOString(),
    machine: machineInfo(),
    command: 'npm run bench',
    runs,
    targets: { ratioAtN100D1e5: ratio, unmaskSecondsAtN500D1e5Drop03: unmask, maskingWordsPerSecondMin: masking },
    pass: (ratio === null || ratio <= 1.5) && (unmask === null || unmask < 5) && (masking === null || masking >= 1e8),
  };
}

export function renderSecAggGrid(r: SecAggGridReport): string {
  return [
    'SecAgg+ round against a plain round, in-process (tessera bench secagg)',
    renderTable(
      ['n', 'd', 'drop', 't', 'k', 'plain s', 'secure s', 'ratio', 'unmask s', 'check s', 'check %', 'mask words/s'],
      r.runs.map((x) => [
        x.participants,
        x.dimension,
        x.drop,
        x.threshold,
        x.degree,
        x.plainSeconds,
        x.secureSeconds,
        x.ratio,
        x.unmaskSeconds,
        x.consistency.totalSeconds,
        100 * x.consistency.shareOfSecure,
        Math.round(x.maskingWordsPerSecond),
      ]),
    ),
    `targets: ratio at n=100 d=1e5 ${r.targets.ratioAtN100D1e5?.toFixed(2)} (target <= 1.5); ` +
      `unmask at n=500 d=1e5 30% drop ${r.targets.unmaskSecondsAtN500D1e5Drop03?.toFixed(2)} s (target < 5); ` +
      `masking ${Math.round(r.targets.maskingWordsPerSecondMin ?? 0)} words/s (target >= 1e8)`,
  ].join('\n');
}

/** `tessera bench secagg`: one row per measured round. */
export function renderSecAggRounds(rows: readonly SecAggRoundFigures[]): string {
  return renderTable(
    [
      'n',
      'd',
      'drop',
      't',
      'k',
      'plain s',
      'secure s',
      'ratio',
      'critical path ratio',
      'unmask s',
      'check s',
      'check %',
      'mask words/s',
    ],
    rows.map((r) => [
      r.participants,
      r.dimension,
      r.drop,
      r.threshold,
      r.degree,
      r.plainSeconds,
      r.secureSeconds,
      r.ratio,
      r.secureCriticalPathSeconds / r.plainCriticalPathSeconds,
      r.unmaskSeconds,
      r.consistency.totalSeconds,
      100 * r.consistency.shareOfSecure,
      Math.round(r.maskingWordsPerSecond),
    ]),
  );
}
