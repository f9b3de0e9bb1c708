import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { AnalystClient, AnalystKeys, JobView } from '@tessera/sdk';
import { analystConnection, connectionOptions, KEYS_OPTION, keysFileOf } from '../context.js';
import { INSECURE_OPTION, TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { printRecommendJob } from '../recommend/print-recommend-job.js';
import { printCatalogueJob } from '../catalogue/catalogue-result.js';
import { missingEvaluation, missingTrainLoss, modesOfSpec, type MissingMetric } from '../demo/missing-metric.js';
import {
  printVerticalResult,
  printVerticalScore,
  saveGuestModel,
  verticalResultOf,
  verticalScoreOf,
} from './vertical-output.js';

export type Conn = {
  coordinator?: string;
  keys?: string;
  dataDir?: string;
  tlsFingerprint?: string;
  insecure?: boolean;
  json?: boolean;
};

export const withConnection = (c: Command) =>
  c
    .option(...KEYS_OPTION)
    .option('--coordinator <host:port>', 'coordinator address (default: the one you joined)')
    .option('--data-dir <dir>', 'data directory of a local coordinator (to find its address and certificate)')
    .option(...TLS_FINGERPRINT_OPTION)
    .option(...INSECURE_OPTION);

/** Connects as an analyst for the duration of `fn`. */
export async function withAnalyst(o: Conn, fn: (analyst: AnalystClient) => Promise<void>): Promise<void> {
  const conn = await analystConnection(o);
  const { connectAnalyst } = await import('@tessera/sdk');
  const analyst = connectAnalyst(conn.address, conn.identity, conn.security);
  try {
    await fn(analyst);
  } finally {
    analyst.close();
  }
}

/** Loads analyst keys for a sealed job; errors name the file and the field. */
async function readKeys(file: string): Promise<AnalystKeys> {
  const { AnalystKeysError, loadAnalystKeys } = await import('@tessera/sdk');
  try {
    return await loadAnalystKeys(file);
  } catch (e) {
    if (e instanceof AnalystKeysError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Reads and validates a job spec; with `sealed`, secure.mode becomes "sealed" unless the spec says another mode (an
 * error).
 */
/**
 * A payout's `validation: {path: rows.csv}` (relative to the spec file) becomes the rows themselves, which the
 * coordinator keeps for the job.
 */
function withValidationRows(spec: unknown, file: string): unknown {
  const payout = (spec as { payout?: { validation?: { path?: unknown } } } | null)?.payout;
  const path = payout?.validation?.path;
  if (path === undefined) return spec;
  if (typeof path !== 'string' || !path)
    throw new UsageError(`${file}: payout.validation.path must be a file name, got ${JSON.stringify(path)}`);
  const at = isAbsolute(path) ? path : resolve(dirname(resolve(file)), path);
  let csv: string;
  try {
    csv = readFileSync(at, 'utf8');
  } catch {
    throw new UsageError(`${file}: payout.validation.path: cannot read ${at}`);
  }
  return { ...(spec as object), payout: { ...payout, validation: { csv, source: basename(at) } } };
}

export async function readJobSpec(file: string, opts: { sealed?: boolean } = {}): Promise<object> {
  const [{ parse: parseYaml }, { parseJobSpec, parseVerticalScoreSpec, parseVerticalSpec, sealedSpec }] =
    await Promise.all([import('yaml'), import('@tessera/sdk')]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read job spec ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  const kind = (parsed as { kind?: unknown } | null)?.kind;
  if (kind === 'vertical' || kind === 'vertical-score') {
    if (opts.sealed)
      throw new UsageError(
        `${file}: --sealed is for training jobs; a ${kind} job encrypts under the guest's key already`,
      );
    try {
      // Checked here so a typo fails before anything is sent; the spec goes as written
      // (the coordinator fills defaults).
      if (kind === 'vertical') parseVerticalSpec(parsed);
      else parseVerticalScoreSpec(parsed);
      return parsed as object;
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
  }
  if (kind === 'query') return readQuerySpec(parsed, file, Boolean(opts.sealed));
  if (kind === 'recommend') return readRecommendSpec(parsed, file, Boolean(opts.sealed));
  if (kind === 'catalogue') return readCatalogueSpec(parsed, file, Boolean(opts.sealed));
  try {
    if (opts.sealed && typeof parsed === 'object' && parsed !== null) parsed = sealedSpec(parsed);
    parsed = withValidationRows(parsed, file);
    return parseJobSpec(parsed);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
}

/**
 * A query spec (sql, bounds, domains, privacy, valuation...), checked here so a typo fails before anything is sent; the
 * spec goes as written (the coordinator fills defaults). A sealed query is decoded by `tessera query --sealed`.
 */
async function readQuerySpec(parsed: unknown, file: string, sealed: boolean): Promise<object> {
  if (sealed)
    throw new UsageError(`${file}: --sealed query jobs run with tessera query --sealed, which decodes the result`);
  const { parseQuerySpec } = await import('@tessera/jobs');
  try {
    parseQuerySpec(parsed);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  return parsed as object;
}

/**
 * A recommend spec with its catalogue file read into the list (so the list is what the analyst signs), checked here so
 * a typo fails before anything is sent; the spec goes as written (the coordinator fills defaults).
 */
async function readRecommendSpec(parsed: unknown, file: string, sealed: boolean): Promise<object> {
  const [{ withCatalogueFile }, { parseRecommendSpec }, { sealedSpec }] = await Promise.all([
    import('../recommend/catalogue-file.js'),
    import('@tessera/jobs'),
    import('@tessera/sdk'),
  ]);
  let spec = withCatalogueFile(parsed, file);
  try {
    if (sealed && typeof spec === 'object' && spec !== null) spec = sealedSpec(spec);
    parseRecommendSpec(spec);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  return spec as object;
}

/** A catalogue spec, checked here so a typo fails before anything is sent (it always runs masked, with DP). */
async function readCatalogueSpec(parsed: unknown, file: string, sealed: boolean): Promise<object> {
  if (sealed) throw new UsageError(`${file}: --sealed is not available for a catalogue job (it runs masked with DP)`);
  const { parseCatalogueSpec } = await import('@tessera/jobs');
  try {
    parseCatalogueSpec(parsed);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  return parsed as object;
}

function lastMetrics(j: JobView): Record<string, number> {
  return [...j.history].reverse().find((h) => h.stage === 'fit' && h.status === 'completed')?.metrics ?? {};
}

export function printJob(j: JobView): void {
  process.stdout.write(
    `job ${j.id} (${j.name}): ${j.status}, ${j.roundsCompleted}/${j.roundsTotal} ` +
      `rounds${j.error ? `\nerror: ${j.error}` : ''}\n`,
  );
  const vertical = verticalResultOf(j);
  if (vertical) printVerticalResult(vertical);
  const scored = verticalScoreOf(j);
  if (scored) printVerticalScore(scored);
  if (j.spec.kind === 'recommend') printRecommendJob(j);
  if (j.spec.kind === 'catalogue') printCatalogueJob(j);
  const rounds = j.history.filter((h) => h.stage === 'fit');
  if (rounds.length) {
    // A missing metric says why in its cell; each reason used is spelled out once under the table.
    const modes = modesOfSpec(j.spec);
    const notes = new Set<string>();
    const metric = (v: number | undefined, missing: MissingMetric): string | number => {
      if (v !== undefined && Number.isFinite(v)) return v;
      notes.add(missing.note);
      return missing.cell;
    };
    process.stdout.write(
      `${renderTable(
        ['round', 'status', 'contributors', 'dropped', 'train loss', 'loss', 'accuracy', 'AUC', 'seconds'],
        rounds.map((h) => {
          const evaluation = missingEvaluation(modes, h.contributors);
          return [
            h.round,
            h.status + (h.attempt > 1 ? ` (attempt ${h.attempt})` : ''),
            h.contributors,
            h.dropped.length,
            metric(h.metrics.train_loss, missingTrainLoss(modes, h.contributors)),
            metric(h.metrics.loss, evaluation),
            metric(h.metrics.accuracy, evaluation),
            metric(h.metrics.auc, evaluation),
            h.seconds,
          ];
        }),
      )}\n`,
    );
    for (const note of notes) process.stdout.write(`${note}\n`);
  }
  if (j.privacySpend.length) {
    process.stdout.write(
      `differential privacy spent by each participant:\n${renderTable(
        ['participant', 'epsilon', 'releases'],
        j.privacySpend.map((p) => [p.participantId, p.epsilon, p.rounds]),
      )}\n`,
    );
  }
  for (const r of j.refusals)
    process.stdout.write(
      `refused by ${r.participantId} at ${r.stage}${r.round ? ` round ${r.round}` : ''}: ${r.reason}\n`,
    );
}

export function registerJob(program: Command): void {
  const cmd = program.command('job').description('submit and follow jobs (analysts)');

  withConnection(cmd.command('submit'))
    .argument('<spec>', 'job spec file (.yaml, .yml or .json)')
    .description(
      'submit a job; with --watch, follow it to the end; ' +
        'with --sealed, run it under your analyst keys and stay attached to decrypt its aggregates',
    )
    .option('--watch', 'follow the job with a progress bar until it ends')
    .option(
      '--sealed',
      'sealed mode: participants encrypt under your analyst public key, only you decrypt the aggregates; ' +
        'stays attached until the job ends (implies --watch)',
    )
    .option('--json', 'print the job as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera job submit examples/jobs/repurchase.yaml --watch
  $ tessera job submit examples/jobs/payout.yaml --watch   train, then value contributions and split a payout pool
  $ tessera job submit job.json --keys ~/.tessera/analyst-keys.json --json
  $ tessera keys create && tessera job submit job.yaml --sealed
  $ tessera job submit job.yaml --sealed --keys ~/.tessera/analyst-keys.json --json
${connectionOptions}
A spec needs at least "dataset" and "label"; see docs/job-spec.md for every field. A recommend spec's
"catalogue": {"file": "catalogue.csv"} (one item id per line, or a CSV with an item_id column; relative to
the spec) is read into "catalogue": {"items": [...]} before the spec is signed. The spec is signed with
your analyst identity (participants' consent grants name analysts by it); with --sealed the key file's
encryption keys are used too.
--sealed sets secure.mode "sealed" unless the spec says it. A sealed job waits for you to decrypt each
aggregate: if this command stops, continue with \`tessera job attach <id>\`.`,
    )
    .action(async (file: string, o: Conn & { watch?: boolean; sealed?: boolean }) => {
      const spec = await readJobSpec(file, { sealed: Boolean(o.sealed) });
      const keys = o.sealed ? await readKeys(keysFileOf(o)) : undefined;
      const follow = Boolean(o.watch || keys);
      const { followSealed, watchWithProgress } = await import('../job-watch.js');
      await withAnalyst(o, async (analyst) => {
        let job = await analyst.submit(spec, keys ? { sealed: keys } : {});
        if (!o.json)
          process.stderr.write(
            `submitted job ${job.id}${keys ? ` (sealed, analyst key ${keys.fingerprint.slice(0, 16)})` : ''}\n`,
          );
        if (keys) job = await followSealed(analyst, job.id, keys, { spec });
        else if (o.watch) job = await watchWithProgress(analyst, job.id);
        if (o.json) printJson(job);
        else if (follow) printJob(job);
        else process.stdout.write(`${job.id}\n`);
        if (follow && job.status !== 'completed') process.exitCode = 1;
      });
    });

  withConnection(cmd.command('attach'))
    .argument('<id>', 'job id of a running sealed job')
    .description(
      're-attach to a running sealed job: decrypt its aggregates with your analyst keys and follow it to the end',
    )
    .option('--json', 'print the final job as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera job attach job-3f2a9c1b7e44
  $ tessera job attach job-3f2a9c1b7e44 --keys ~/.tessera/analyst-keys.json --json
${connectionOptions}
The coordinator re-sends the aggregate it is waiting for; the job goes on once you answered it.`,
    )
    .action(async (id: string, o: Conn) => {
      const keys = await readKeys(keysFileOf(o));
      const { followSealed } = await import('../job-watch.js');
      await withAnalyst(o, async (analyst) => {
        const job = await followSealed(analyst, id, keys);
        if (o.json) printJson(job);
        else printJob(job);
        if (job.status !== 'completed') process.exitCode = 1;
      });
    });

  withConnection(cmd.command('watch'))
    .argument('<id>', 'job id')
    .description('follow a job with a live progress bar: round i/n, loss, AUC, elapsed, ETA')
    .option('--json', 'print the final job as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera job watch job-3f2a9c1b7e44
${connectionOptions}`,
    )
    .action(async (id: string, o: Conn) => {
      const { watchWithProgress } = await import('../job-watch.js');
      await withAnalyst(o, async (analyst) => {
        const job = await watchWithProgress(analyst, id);
        if (o.json) printJson(job);
        else printJob(job);
        if (job.status !== 'completed') process.exitCode = 1;
      });
    });

  withConnection(cmd.command('list'))
    .description('list recent jobs')
    .option('--limit <n>', 'how many', (v) => parseInt(v, 10), 50)
    .option('--json', 'print the jobs as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera job list
  $ tessera job list --json --limit 5
${connectionOptions}`,
    )
    .action(async (o: Conn & { limit: number }) => {
      await withAnalyst(o, async (analyst) => {
        const jobs = await analyst.list(o.limit);
        if (o.json) return printJson(jobs);
        process.stdout.write(
          `${renderTable(
            ['id', 'name', 'status', 'rounds', 'AUC', 'created'],
            jobs.map((j) => [
              j.id,
              j.name,
              j.status,
              `${j.roundsCompleted}/${j.roundsTotal}`,
              lastMetrics(j).auc ?? NaN,
              j.createdAt.toISOString(),
            ]),
          )}\n`,
        );
      });
    });

  withConnection(cmd.command('get'))
    .argument('<id>', 'job id')
    .description('show a job and its round history')
    .option('--json', 'print the job as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera job get job-3f2a9c1b7e44 --json
${connectionOptions}`,
    )
    .action(async (id: string, o: Conn) => {
      await withAnalyst(o, async (analyst) => {
        const job = await analyst.get(id);
        if (o.json) printJson(job);
        else printJob(job);
      });
    });

  withConnection(cmd.command('cancel'))
    .argument('<id>', 'job id')
    .description('cancel a pending or running job')
    .option('--json', 'print the job as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera job cancel job-3f2a9c1b7e44
${connectionOptions}`,
    )
    .action(async (id: string, o: Conn) => {
      await withAnalyst(o, async (analyst) => {
        const job = await analyst.cancel(id);
        if (o.json) printJson(job);
        else process.stdout.write(`job ${job.id}: ${job.status}\n`);
      });
    });

  withConnection(cmd.command('result'))
    .argument('<id>', 'job id')
    .description(
      'fetch the trained model of a job; --out saves it as a model file for `tessera model score` ' +
        "(a vertical job: its held-out metrics and the guest's part of the model; a recommend job: the item " +
        'model for `tessera model recommend`; a catalogue job: its items as a catalogue file, item_id then one ' +
        'id a line)',
    )
    .option('--out <file>', 'write the model file (JSON) here')
    .option('--json', 'print the model file on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera job result job-3f2a9c1b7e44 --out model.json
  $ tessera model score --model model.json --data new_customers.csv
  $ tessera job result job-7d01c2e9a4b3 --out guest-model.json     a vertical job: the guest's part of the model
  $ tessera job result job-5e2b8f0c1a9d --out items.json            a recommend job: the item factors
  $ tessera model recommend --model items.json --data orders.csv --customer c-1042
  $ tessera job result job-0c4e7a12b9f3 --out catalogue.csv         a catalogue job: item_id, one id a line
${connectionOptions}`,
    )
    .action(async (id: string, o: Conn & { out?: string }) => {
      const { modelFileFrom, saveModelFile } = await import('@tessera/sdk');
      await withAnalyst(o, async (analyst) => {
        const job = await analyst.get(id);
        const vertical = verticalResultOf(job);
        if (vertical || job.spec.kind === 'vertical') {
          if (!vertical)
            throw new UsageError(
              `vertical job ${id} is ${job.status}${job.error ? `: ${job.error}` : ''}; no result yet`,
            );
          if (o.out) saveGuestModel(o.out, job, vertical);
          if (o.json) return printJson(vertical);
          printVerticalResult(vertical);
          if (o.out) process.stdout.write(`the guest's part of the model written to ${o.out}\n`);
          return;
        }
        if (job.spec.kind === 'recommend') {
          const { saveRecommendResult } = await import('../recommend/recommend-result.js');
          return saveRecommendResult(analyst, job, o);
        }
        if (job.spec.kind === 'catalogue') {
          const { saveCatalogueResult } = await import('../catalogue/catalogue-result.js');
          return saveCatalogueResult(job, o);
        }
        const model = modelFileFrom(await analyst.result(id));
        if (o.out) saveModelFile(o.out, model);
        if (o.json) printJson(model);
        else {
          if (o.out) process.stdout.write(`model of job ${id} (round ${model.job.round}) written to ${o.out}\n`);
          const top = model.featureNames
            .map((n, i) => {
              const w = model.weights[i];
              // The result comes from the coordinator unchecked (a saved model file is checked on load).
              if (w === undefined) {
                throw new Error(
                  `job ${id}'s model has ${model.weights.length} weights for ${model.featureNames.length} features`,
                );
              }
              return [n, w] as const;
            })
            .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
            .slice(0, 10);
          process.stdout.write(
            `${renderTable(
              ['feature', 'weight'],
              top.map(([n, w]) => [n, w]),
            )}\n`,
          );
          const m = model.job.metrics;
          const na = 'n/a (not reported)';
          process.stdout.write(
            m.loss === undefined && m.accuracy === undefined && m.auc === undefined
              ? 'federated evaluation: none reported (a sealed job leaves metrics to the analyst; ' +
                  'a differentially private job runs none, to save privacy budget)\n'
              : `federated evaluation: loss ${m.loss?.toFixed(4) ?? na}, ` +
                  `accuracy ${m.accuracy?.toFixed(4) ?? na}, AUC ${m.auc?.toFixed(4) ?? na}\n`,
          );
        }
      });
    });
}
