import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { QueryJobResult, QueryRequest } from '@tessera/sdk';
import { analystConnection, connectionOptions, KEYS_OPTION, keysFileOf } from '../context.js';
import { INSECURE_OPTION, TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { refuseWithoutPrivacy } from '../ui/dependent-flags.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { formatNoisy, isCountColumn, SD_LEGEND } from '@tessera/console/report';
import { renderTable } from '../ui/table.js';

/** COL=LO:HI,COL=LO:HI */
export function parseBounds(text: string | undefined): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const part of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [, column, low, high] = /^([^=]+)=(-?[\d.eE+-]+):(-?[\d.eE+-]+)$/.exec(part) ?? [];
    if (column === undefined || !(Number(low) < Number(high)))
      throw new UsageError(
        `--bounds "${part}" must look like COLUMN=LOW:HIGH with LOW < HIGH, e.g. order_value=0:5000`,
      );
    out[column] = [Number(low), Number(high)];
  }
  return out;
}

/** COL=a|b|c;COL2=x|y  (values separated by |, columns by ;) */
export function parseDomains(text: string | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of (text ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--domain "${part}" must look like COLUMN=a|b|c`);
    out[part.slice(0, eq)] = part
      .slice(eq + 1)
      .split('|')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return out;
}

/**
 * --unit, --user-column, --max-rows-per-user as the spec's privacy fields (contradictions are refused by the
 * coordinator, naming the field).
 */
function unitFields(o: { unit?: string; userColumn?: string; maxRowsPerUser?: number }): {
  unit?: 'record' | 'customer';
  userColumn?: string;
  maxRowsPerUser?: number;
} {
  if (o.unit !== undefined && o.unit !== 'record' && o.unit !== 'customer')
    throw new UsageError(`--unit must be record or customer, got "${o.unit}"`);
  const unit = o.unit ?? (o.userColumn !== undefined ? 'customer' : undefined);
  if (unit === 'customer' && !o.userColumn)
    throw new UsageError(
      '--unit customer needs --user-column COLUMN, the column that identifies a customer (e.g. customer_id)',
    );
  if (o.maxRowsPerUser !== undefined && !(Number.isInteger(o.maxRowsPerUser) && o.maxRowsPerUser >= 1)) {
    throw new UsageError(`--max-rows-per-user must be a whole number of at least 1, got ${o.maxRowsPerUser}`);
  }
  return {
    ...(unit ? { unit } : {}),
    ...(o.userColumn !== undefined ? { userColumn: o.userColumn } : {}),
    ...(o.maxRowsPerUser !== undefined ? { maxRowsPerUser: o.maxRowsPerUser } : {}),
  };
}

/** The flags `tessera query` turns into a query request. */
interface QueryFlags {
  bounds?: string;
  domain?: string;
  dp: string;
  epsilon: number;
  delta: number;
  minCount?: number;
  minParticipants?: number;
  unit?: string;
  userColumn?: string;
  maxRowsPerUser?: number;
  valuation?: string;
}

/** The methods `--valuation` takes (the query spec's `valuation` field). */
export const QUERY_VALUATION_METHODS = ['records'] as const;

/** --valuation as the spec's `valuation` field; anything but records is refused naming the flag. */
function valuationField(v: string | undefined): Pick<QueryRequest, 'valuation'> {
  if (v === undefined) return {};
  if (!(QUERY_VALUATION_METHODS as readonly string[]).includes(v))
    throw new UsageError(
      `--valuation must be ${QUERY_VALUATION_METHODS.join(' or ')} (each member's row count per group, ` +
        `released with the query), got "${v}"; leave it out for no valuation`,
    );
  return { valuation: v as 'records' };
}

export function queryRequestFrom(sql: string, o: QueryFlags): QueryRequest {
  if (!['none', 'distributed', 'central', 'local'].includes(o.dp))
    throw new UsageError(`--dp must be none, distributed, central or local, got "${o.dp}"`);
  if (!(o.epsilon > 0)) throw new UsageError(`--epsilon must be positive, got ${o.epsilon}`);
  if (!(o.delta > 0 && o.delta < 1)) throw new UsageError(`--delta must be between 0 and 1, got ${o.delta}`);
  const unit = unitFields(o);
  const valuation = valuationField(o.valuation);
  if (o.dp === 'none' && unit.unit === 'customer')
    throw new UsageError('--unit customer is a differential privacy guarantee; leave out --dp none (or --unit)');
  return {
    sql,
    bounds: parseBounds(o.bounds),
    domains: parseDomains(o.domain),
    privacy: { mode: o.dp as 'none', ...(o.dp !== 'none' ? { epsilon: o.epsilon, delta: o.delta, ...unit } : {}) },
    ...(o.minCount !== undefined ? { minCount: o.minCount } : {}),
    ...(o.minParticipants ? { minParticipants: o.minParticipants } : {}),
    ...valuation,
  };
}

/** What the guarantee covers, in one phrase. */
export function unitLine(p: QueryJobResult['privacy']): string {
  if (p.unit === 'customer')
    return `per customer (${p.userColumn}, at most ${p.maxRowsPerUser} row${p.maxRowsPerUser === 1 ? '' : 's'} each)`;
  return 'per row (unit record)';
}

/** The result as a table, each noisy value rounded to its noise with ± one standard deviation, and the privacy line. */
export function printQueryResult(result: QueryJobResult): void {
  const first = result.rows[0];
  const keys = first
    ? Object.keys(first).filter((k) => k !== 'stddev' && k !== 'ci95' && ['string', 'number'].includes(typeof first[k]))
    : [];
  for (const [column, q] of Object.entries(result.quantiles ?? {}))
    process.stdout.write(`${column}: ${q.map((x) => `q${x.q} = ${x.value.toPrecision(4)}`).join(', ')}\n`);
  for (const [column, h] of Object.entries(result.histograms ?? {}))
    process.stdout.write(`${column}: histogram of ${h.counts.length} bins (see --json or tessera report)\n`);
  for (const [column, t] of Object.entries(result.topK ?? {}))
    process.stdout.write(`${column}: ${t.map((x) => `${x.item} (${Math.round(x.count)})`).join(', ')}\n`);
  let noisy = false;
  if (keys.length)
    process.stdout.write(
      `${renderTable(
        keys,
        result.rows.map((r) =>
          keys.map((k) => {
            const v = r[k];
            const sd = r.stddev[k];
            if (typeof v !== 'number') return v as string;
            if (sd) noisy = true;
            return formatNoisy(v, sd, isCountColumn(k));
          }),
        ),
      )}\n`,
    );
  if (noisy) process.stdout.write(`${SD_LEGEND}\n`);
  process.stdout.write(
    result.privacy.epsilon === null
      ? 'no differential privacy\n'
      : `differential privacy: epsilon ${result.privacy.epsilon}, delta ${result.privacy.delta} ` +
          `(${result.privacy.mode}), ${unitLine(result.privacy)}\n`,
  );
  if (result.suppressed) process.stdout.write(`${result.suppressed} group(s) suppressed under the minimum count\n`);
}

/** The members' valuation of a `--valuation records` query: each member's row count, and how it was released. */
export function printValuation(v: NonNullable<QueryJobResult['valuation']>): void {
  process.stdout.write(`valuation (${v.method}, ${v.note}):\n`);
  for (const m of v.members)
    process.stdout.write(`  ${m.participant}  ${formatNoisy(m.value, v.noiseStd, true)} rows\n`);
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .argument('<sql>', 'the query, e.g. "SELECT region, COUNT(*), AVG(order_value) FROM orders GROUP BY region"')
    .description(
      "run an aggregate query over the participants' data through secure aggregation, " +
        'with differential privacy by default',
    )
    .option('--bounds <col=lo:hi,...>', 'clamping bounds of every SUM/AVG/VARIANCE column (they set the noise)')
    .option('--domain <col=a|b|c;...>', 'declared values of every GROUP BY column')
    .option(
      '--dp <mode>',
      'differential privacy: distributed (noise shares added by participants), central, local, or none',
      'distributed',
    )
    .option('--epsilon <e>', 'privacy budget of this query', Number, 1)
    .option('--delta <d>', 'delta of the guarantee', Number, 1e-6)
    .option(
      '--unit <unit>',
      'what the guarantee protects: record (one row, the default) or customer ' +
        "(all of one customer's rows; needs --user-column)",
    )
    .option('--user-column <col>', 'with --unit customer: the column that identifies a customer, e.g. customer_id')
    .option(
      '--max-rows-per-user <n>',
      'with --unit customer: rows each participant keeps per customer, chosen at random by the participant ' +
        '(default 1; the noise grows with it)',
      Number,
    )
    .option('--min-count <n>', 'suppress groups with fewer (noisy) rows (default 10 with DP, 0 without)', Number)
    .option('--min-participants <n>', 'participants that must answer', Number)
    .option(
      '--valuation <method>',
      "records: each member's row count per group is released with the query (noisy under DP, at no extra " +
        "epsilon but more noise on the report), the job's valuation when it is sold as a product " +
        '(tessera products add --job ID); not with --sealed',
    )
    .option(
      '--sealed',
      'the sum comes back encrypted under your analyst keys and is decoded here ' +
        '(the coordinator keeps no result; DP off)',
    )
    .option(...KEYS_OPTION)
    .option('--out <file.json>', 'also write the result JSON here (tessera report turns it into an HTML page)')
    .option('--coordinator <host:port>', 'coordinator address')
    .option('--data-dir <dir>', 'data directory of a local coordinator (to find its address and certificate)')
    .option(...TLS_FINGERPRINT_OPTION)
    .option(...INSECURE_OPTION)
    .option(
      '--json',
      'print {query, rows:[{<groups>, <aggregates>, stddev:{...}, ci95:{...}}], privacy:{epsilon, delta, mode, ' +
        'unit, userColumn, maxRowsPerUser}, suppressed, valuation:{method, members:[{participant, value}], ' +
        'noiseStd, note} (with --valuation)}',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera query "SELECT region, COUNT(*), AVG(order_value) FROM orders GROUP BY region" ` +
        `--bounds order_value=0:5000 --domain "region=north|south|east|west"
  $ tessera query "SELECT COUNT(*) FROM customers WHERE signup >= '2026-01-01'" --dp none --json
  $ tessera query "SELECT QUANTILES(basket_size) FROM orders" --bounds basket_size=0:50 --epsilon 2 --out result.json
  $ tessera query "SELECT region, COUNT(*) FROM orders GROUP BY region" ` +
        `--domain "region=north|south" --sealed --keys analyst-keys.json
  $ tessera query "SELECT COUNT(*), SUM(order_value) FROM orders" --bounds order_value=0:500 ` +
        `--unit customer --user-column customer_id --max-rows-per-user 2
  $ tessera query "SELECT region, COUNT(*), AVG(order_value) FROM orders GROUP BY region" ` +
        `--bounds order_value=0:5000 --domain "region=north|south|east|west" --valuation records --json
    (a report the trust will sell: then tessera products add --job ID --name ... --price ... --currency ...)

Every numeric aggregate needs --bounds (values are clamped to them); every GROUP BY column needs
--domain. The participants check the cost against their own privacy budgets before reading data.
With --unit customer each participant keeps at most --max-rows-per-user rows of every customer, so
the guarantee covers a customer's whole history (the noise is that many times a row's).
With --valuation records every member's row count is released in the same sum as the report (one
release, no extra epsilon; the report's noise grows by sqrt(r^2 + 1) / r for its record sensitivity
r, about 1.41 for a COUNT). A sale of the job as a product is split by those counts. Members need a
valuation grant for your analyst to take part.
${connectionOptions}`,
    )
    .action(
      async (
        sql: string,
        o: QueryFlags & {
          out?: string;
          sealed?: boolean;
          keys?: string;
          coordinator?: string;
          dataDir?: string;
          tlsFingerprint?: string;
          insecure?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const dp = o.sealed && cmd.getOptionValueSource('dp') === 'default' ? 'none' : o.dp;
        if (o.sealed && dp !== 'none')
          throw new UsageError(
            '--sealed queries run without differential privacy for now: leave out --dp (or give --dp none)',
          );
        if (dp === o.dp) refuseWithoutPrivacy(cmd, dp, ['epsilon', 'delta'], '--dp is none');
        else
          refuseWithoutPrivacy(
            cmd,
            dp,
            ['epsilon', 'delta'],
            '--sealed queries run without differential privacy for now',
            'leave out',
          );
        if (o.sealed && o.valuation !== undefined)
          throw new UsageError(
            '--valuation records is not available with --sealed: only you decrypt the sum, so the coordinator ' +
              'would not see the row counts a sale is split by; leave out --sealed or --valuation',
          );
        const request = queryRequestFrom(sql, { ...o, dp });
        const { AnalystClient, loadAnalystKeys, runQuery } = await import('@tessera/sdk');
        const keys = o.sealed
          ? await loadAnalystKeys(keysFileOf(o)).catch((e: Error) => {
              throw new UsageError(e.message);
            })
          : undefined;
        const { address, identity, security } = await analystConnection(o);
        const client = new AnalystClient(address, identity, security);
        try {
          const { result } = await runQuery(client, request, keys ? { sealed: keys } : {});
          if (o.out) writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
          if (o.json) return printJson(result);
          printQueryResult(result);
          if (result.valuation) printValuation(result.valuation);
        } finally {
          client.close();
        }
      },
    );
}
