import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { QueryJobResult } from '@tessera/sdk';
import { analystConnection, connectionOptions, KEYS_OPTION } from '../context.js';
import { INSECURE_OPTION, TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { UsageError } from '../ui/errors.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report (charts, error bars, privacy statement) of query results')
    .option('--job <id>', 'a completed query job (repeatable: one section each)', collect, [])
    .option('--in <result.json>', 'a result file from tessera query --out (repeatable)', collect, [])
    .option('--title <text>', 'page title', 'Tessera query report')
    .option('--out <report.html>', 'where to write the page', 'report.html')
    .option('--coordinator <host:port>', 'coordinator address')
    .option(...KEYS_OPTION)
    .option('--data-dir <dir>', 'data directory of a local coordinator (to find its address and certificate)')
    .option(...TLS_FINGERPRINT_OPTION)
    .option(...INSECURE_OPTION)
    .addHelpText(
      'after',
      `
Examples:
  $ tessera report --job job-1a2b3c --out report.html
  $ tessera query "SELECT region, COUNT(*) FROM customers GROUP BY region" ` +
        `--domain "region=north|south" --out regions.json
  $ tessera report --in regions.json --in baskets.json --title "Market insight" --out market.html

The page needs no network to view: charts are inline SVG.
${connectionOptions}`,
    )
    .action(
      async (o: {
        job: string[];
        in: string[];
        title: string;
        out: string;
        coordinator?: string;
        keys?: string;
        dataDir?: string;
        tlsFingerprint?: string;
        insecure?: boolean;
      }) => {
        if (!o.job.length && !o.in.length) throw new UsageError('give at least one --job ID or --in result.json');
        const [{ reportInputOf }, { renderReportPage }, { queryResultOf }] = await Promise.all([
          import('@tessera/console/report'),
          import('@tessera/console/report'),
          import('@tessera/sdk'),
        ]);
        const inputs = o.in.map((file) => {
          let parsed: QueryJobResult;
          try {
            parsed = queryResultOf(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
          } catch (e) {
            throw new UsageError(
              `${file}: not a query result (${(e as Error).message}); write one with tessera query --out`,
            );
          }
          return reportInputOf(parsed, { participants: 0 });
        });
        if (o.job.length) {
          const { AnalystClient } = await import('@tessera/sdk');
          const { address, identity, security } = await analystConnection(o);
          const client = new AnalystClient(address, identity, security);
          try {
            for (const id of o.job) {
              const job = await client.get(id);
              if (!job.result)
                throw new UsageError(
                  `job ${id} is ${job.status} and has no query result${job.error ? `: ${job.error}` : ''}`,
                );
              const participants = Math.max(0, ...job.history.map((h) => h.contributors));
              inputs.push(
                reportInputOf(queryResultOf(job.result, `job ${id} result`), {
                  participants,
                  title: job.name,
                  generatedAt: job.updatedAt.toISOString(),
                }),
              );
            }
          } finally {
            client.close();
          }
        }
        writeFileSync(o.out, renderReportPage(o.title, inputs));
        process.stdout.write(`report written to ${resolve(o.out)}\n`);
      },
    );
}
