// `npm run bench` part "analytics": aggregate-query latency over a real LocalFederation (coordinator and
// participant nodes over gRPC on loopback, secure aggregation) and PSI throughput (@tessera/psi).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTable } from '@tessera/cli/ui/table';
import { generateCommerce, type RawTable } from '@tessera/data';
import { measurePsiThroughputDetailed, type PsiThroughput } from '@tessera/psi';
import {
  createAnalystKeys,
  LocalFederation,
  runQuery,
  type AnalystClient,
  type AnalystKeys,
  type QueryRequest,
} from '@tessera/sdk';
import { machineInfo, type MachineInfo } from '../machine.js';
import { fixed, median } from '../stats.js';

/** Identifiers per second per side, per core (packages/psi/README.md). */
export const PSI_TARGET_IDS_PER_SECOND_PER_SIDE = 2e4;

export interface AnalyticsBenchOptions {
  participants: number;
  rowsPerParticipant: number;
  seed: string;
  /**
   * Wall-clock budget for all the timed queries (set-up excluded); runs beyond the first are skipped when it runs
   * short.
   */
  queryBudgetSeconds: number;
  /** Measured runs per query after one warm-up, when the budget allows. */
  runs: number;
  psiSizes: number[];
  /** Also run the DP-off queries in sealed mode (BFV analyst keys). */
  sealed: boolean;
}

export const ANALYTICS_DEFAULTS: AnalyticsBenchOptions = {
  participants: 20,
  rowsPerParticipant: 100_000,
  seed: 'bench-analytics',
  queryBudgetSeconds: 100,
  runs: 3,
  psiSizes: [2000, 10_000],
  sealed: true,
};

const REGIONS = ['north', 'south', 'east', 'west', 'central'];
const BOUNDS: Record<string, [number, number]> = { monetary_total: [0, 20000], avg_basket: [0, 1000] };

export const ANALYTICS_QUERIES: readonly { id: string; sql: string }[] = [
  {
    id: 'a: group by region',
    sql: 'SELECT region, COUNT(*), AVG(monetary_total), VARIANCE(avg_basket) FROM customers GROUP BY region',
  },
  { id: 'b: quantiles + histogram', sql: 'SELECT QUANTILES(avg_basket), HISTOGRAM(avg_basket) FROM customers' },
  { id: 'c: top-k', sql: 'SELECT TOP_K(favourite_category, 5) FROM customers' },
];

type Privacy = NonNullable<QueryRequest['privacy']>;
type PrivacyConfig = { label: string; privacy: Privacy };
/** Non-empty, DP off first: the sealed runs take that one (they run with DP off only). */
const PRIVACY: readonly [PrivacyConfig, ...PrivacyConfig[]] = [
  { label: 'off', privacy: { mode: 'none' } },
  { label: 'distributed, epsilon 1, delta 1e-6', privacy: { mode: 'distributed', epsilon: 1, delta: 1e-6 } },
];

export interface QueryTiming {
  query: string;
  sql: string;
  dp: string;
  secure: 'masked' | 'sealed';
  /** Whether an untimed warm-up run came first. */
  warmUp: boolean;
  /** Seconds of each timed run (submit to decoded result). */
  seconds: number[];
  medianSeconds: number | null;
  /** Total rows over all participants / median seconds. */
  rowsPerSecond: number | null;
  /** Set when the configuration could not run (e.g. sealed mode refused). */
  error?: string;
  /** Rows of the (last) result, for a sanity check: first row as returned. */
  sample?: unknown;
}

export interface AnalyticsBenchReport {
  benchmark: 'analytics';
  date: string;
  machine: MachineInfo;
  participants: number;
  rowsPerParticipant: number;
  totalRows: number;
  setup: { generateSeconds: number; splitSeconds: number; federationStartSeconds: number };
  queries: QueryTiming[];
  /** Whether runQuery took a sealed option in this build (sealed rows run with DP off only). */
  sealedAvailable: boolean;
  psi: (PsiThroughput & { meetsTarget: boolean })[];
  psiTarget: number;
  totalSeconds: number;
  /** Every query ran at least once, and PSI meets its target at every size. */
  pass: boolean;
}

/** Each merchant's customers, one pass over the rows (a non-IID split by the merchant column). */
function byMerchant(table: RawTable): RawTable[] {
  const m = table.columns.indexOf('merchant');
  const groups = new Map<string, string[][]>();
  for (const r of table.rows) {
    const merchant = r[m];
    if (merchant === undefined) throw new Error(`${table.source}: a row has no "merchant" cell to split by`);
    let g = groups.get(merchant);
    if (!g) groups.set(merchant, (g = []));
    g.push(r);
  }
  return [...groups.values()].map((rows) => ({ ...table, rows }));
}

const secondsSince = (t: number) => (performance.now() - t) / 1000;

export async function runAnalyticsBench(
  log: (line: string) => void,
  o: AnalyticsBenchOptions = ANALYTICS_DEFAULTS,
): Promise<AnalyticsBenchReport> {
  const started = performance.now();
  const machine = machineInfo();
  const totalRows = o.participants * o.rowsPerParticipant;

  log(`generating ${o.participants} x ${o.rowsPerParticipant} synthetic customers`);
  let t = performance.now();
  const table = generateCommerce({
    merchants: o.participants,
    customersPerMerchant: o.rowsPerParticipant,
    seed: o.seed,
  });
  const generateSeconds = secondsSince(t);
  t = performance.now();
  const shards = byMerchant(table);
  const splitSeconds = secondsSince(t);
  if (shards.length !== o.participants)
    throw new Error(`expected ${o.participants} merchants in the synthetic data, got ${shards.length}`);

  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-analytics-'));
  const queries: QueryTiming[] = [];
  let federationStartSeconds = 0;
  let sealedAvailable = false;
  try {
    log(`starting a local federation: ${o.participants} participants (inline), coordinator on loopback`);
    t = performance.now();
    const fed = await LocalFederation.start({ dir, shards, dataset: 'customers', runtime: 'inline' });
    federationStartSeconds = secondsSince(t);
    table.rows.length = 0;
    try {
      let keys: AnalystKeys | undefined;
      let sealedAnalyst: AnalystClient | undefined;
      if (o.sealed) {
        try {
          keys = await createAnalystKeys();
          // Sealed queries are the keys' analyst's: their identity signs the BFV key and the spec alike.
          sealedAnalyst = await fed.addAnalyst('sealed-bench', keys);
          sealedAvailable = true;
        } catch (e) {
          log(`sealed mode unavailable: ${(e as Error).message}`);
        }
      }
      const configs: {
        query: (typeof ANALYTICS_QUERIES)[number];
        dp: (typeof PRIVACY)[number];
        secure: 'masked' | 'sealed';
      }[] = [];
      for (const query of ANALYTICS_QUERIES) {
        for (const dp of PRIVACY) configs.push({ query, dp, secure: 'masked' });
        if (keys) configs.push({ query, dp: PRIVACY[0], secure: 'sealed' });
      }
      const budgetEnd = performance.now() + o.queryBudgetSeconds * 1000;
      for (const [i, c] of configs.entries()) {
        const request: QueryRequest = {
          sql: c.query.sql,
          bounds: BOUNDS,
          domains: { region: REGIONS },
          privacy: c.dp.privacy,
          minParticipants: o.participants,
          roundTimeoutSeconds: 600,
        };
        const once = async () => {
          const t0 = performance.now();
          const sealed = c.secure === 'sealed' && keys && sealedAnalyst;
          const { result } = await runQuery(
            sealed ? sealedAnalyst! : fed.analyst,
            request,
            sealed ? { sealed: keys! } : {},
          );
          return { seconds: secondsSince(t0), sample: result.rows[0] };
        };
        const timing: QueryTiming = {
          query: c.query.id,
          sql: c.query.sql,
          dp: c.dp.label,
          secure: c.secure,
          warmUp: false,
          seconds: [],
          medianSeconds: null,
          rowsPerSecond: null,
        };
        queries.push(timing);
        try {
          log(`${c.query.id}, DP ${c.dp.label}, ${c.secure}: first run`);
          const first = await once();
          timing.sample = first.sample;
          // Share what is left of the budget among this and the remaining configurations.
          const share = (budgetEnd - performance.now()) / 1000 / (configs.length - i);
          const more = Math.min(o.runs, Math.floor(share / first.seconds));
          if (more >= 1) {
            timing.warmUp = true;
            for (let r = 0; r < more; r++) {
              const run = await once();
              timing.seconds.push(run.seconds);
              timing.sample = run.sample;
            }
          } else {
            timing.seconds.push(first.seconds);
          }
          timing.medianSeconds = fixed(median(timing.seconds), 3);
          timing.rowsPerSecond = Math.round(totalRows / median(timing.seconds));
          const warm = timing.warmUp ? ' after a warm-up' : ' (no warm-up)';
          log(`  ${timing.seconds.map((s) => s.toFixed(2)).join(', ')} s${warm}`);
        } catch (e) {
          timing.error = (e as Error).message;
          log(`  failed: ${timing.error}`);
        }
      }
    } finally {
      await fed.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const psi: AnalyticsBenchReport['psi'] = [];
  for (const n of o.psiSizes) {
    log(`PSI cardinality, ${n} identifiers per side (both sides on this thread)`);
    const r = await measurePsiThroughputDetailed(n);
    psi.push({
      ...r,
      seconds: fixed(r.seconds, 3),
      idsPerSecondPerSide: Math.round(r.idsPerSecondPerSide),
      meetsTarget: r.idsPerSecondPerSide >= PSI_TARGET_IDS_PER_SECOND_PER_SIDE,
    });
  }

  return {
    benchmark: 'analytics',
    date: new Date().toISOString(),
    machine,
    participants: o.participants,
    rowsPerParticipant: o.rowsPerParticipant,
    totalRows,
    setup: {
      generateSeconds: fixed(generateSeconds, 2),
      splitSeconds: fixed(splitSeconds, 2),
      federationStartSeconds: fixed(federationStartSeconds, 2),
    },
    queries,
    sealedAvailable,
    psi,
    psiTarget: PSI_TARGET_IDS_PER_SECOND_PER_SIDE,
    totalSeconds: fixed(secondsSince(started), 1),
    pass:
      queries.filter((q) => q.secure === 'masked').every((q) => q.medianSeconds !== null) &&
      psi.every((p) => p.meetsTarget),
  };
}

export function renderAnalyticsBench(r: AnalyticsBenchReport): string {
  const s = r.setup;
  return [
    `Analytics queries over a local federation (tessera analytics benchmark): ${r.participants} participants ` +
      `x ${r.rowsPerParticipant} rows = ${r.totalRows} rows, gRPC on loopback, participants inline`,
    `set-up: generate ${s.generateSeconds} s, split ${s.splitSeconds} s, federation start ` +
      `(CSV write, enrol, load) ${s.federationStartSeconds} s`,
    renderTable(
      ['query', 'DP', 'secure', 'runs', 'warm-up', 'median s', 'min s', 'max s', 'rows/s'],
      r.queries.map((q) =>
        q.error
          ? [q.query, q.dp, q.secure, 0, '-', '-', '-', '-', `failed: ${q.error}`]
          : [
              q.query,
              q.dp,
              q.secure,
              q.seconds.length,
              q.warmUp ? 'yes' : 'no',
              q.medianSeconds ?? NaN,
              fixed(Math.min(...q.seconds), 3),
              fixed(Math.max(...q.seconds), 3),
              q.rowsPerSecond ?? NaN,
            ],
      ),
    ),
    r.sealedAvailable
      ? 'sealed: DP off only (the coordinator refuses DP with secure.mode sealed)'
      : 'sealed: not available in this build; masked only',
    '',
    'PSI cardinality (ECDH over ristretto255), both sides on one thread; per side = n / (seconds / 2); ' +
      `target ${r.psiTarget} ids/s/side`,
    renderTable(
      ['n per side', 'seconds (both sides)', 'ids/s/side', 'target met'],
      r.psi.map((p) => [p.n, p.seconds, p.idsPerSecondPerSide, p.meetsTarget ? 'yes' : 'no']),
    ),
    `total ${r.totalSeconds} s`,
  ].join('\n');
}
