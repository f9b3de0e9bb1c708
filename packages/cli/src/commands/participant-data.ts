// `tessera participant data check|import`: the merchant's own look at the node's data sets (columns, types, counts,
// missing cells, ranges, frequent values) and a CSV (or any source) written to Parquet. Both run on this machine
// only and contact no one.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ColumnSummary, SourceSpec } from '@tessera/engine';
import { DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { DATASET_FLAG_FORMS, parseDatasetFlag } from '../dataset-flag.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

const collect = (v: string, all: string[]) => [...all, v];

/** A data set to check: its name, where its rows are, the columns it serves and those tasks never see. */
interface CheckTarget {
  name: string;
  spec: SourceSpec;
  columns?: string[];
  exclude: string[];
}

/** What `data check --json` prints for each data set. */
interface DatasetReport {
  name: string;
  source: string;
  rows: number;
  exclude: string[];
  columns: ColumnSummary[];
}

/** `NAME=SOURCE` (DATASET_FLAG_FORMS; `sqlite:FILE#TABLE` too) as a source the engine reads. */
function sourceFlag(flag: string, text: string): [string, SourceSpec] {
  const eq = text.indexOf('=');
  const value = text.slice(eq + 1);
  const hashForm = /^sqlite:(.+)#([^#]+)$/.exec(value);
  const normalised = hashForm ? `${text.slice(0, eq)}=sqlite:${hashForm[1]}:${hashForm[2]}` : text;
  try {
    return parseDatasetFlag(normalised);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^--dataset/, flag).replace('"input=', '"'));
  }
}

/**
 * The data sets to check: those named `NAME=SOURCE`; otherwise the config's, restricted as the node restricts them
 * (a consent policy's `datasets.NAME.columns`), or only those of the config named by a bare `NAME`.
 */
async function targetsOf(flags: string[], configFile: string): Promise<CheckTarget[]> {
  const named = flags.filter((f) => f.includes('='));
  const only = flags.filter((f) => !f.includes('='));
  if (named.length && only.length)
    throw new UsageError(
      `--dataset ${only[0]} names a data set of the config, --dataset ${named[0]} a source: give one kind or the other`,
    );
  if (named.length) {
    return named.map((f) => {
      const [name, spec] = sourceFlag('--dataset', f);
      return { name, spec, exclude: [] };
    });
  }
  const { loadParticipantConfig, loadConsentPolicy, restrictSources } = await import('@tessera/participant');
  const config = loadParticipantConfig(configFile);
  const policy = config.policy
    ? loadConsentPolicy(config.policy, { datasets: Object.keys(config.datasets), rejectExpired: false })
    : undefined;
  const sources = restrictSources(config.datasets, policy);
  for (const name of only)
    if (!sources[name])
      throw new UsageError(
        `--dataset ${name}: ${configFile} has no data set "${name}" (it has: ${Object.keys(sources).join(', ')})`,
      );
  return Object.entries(sources)
    .filter(([name]) => !only.length || only.includes(name))
    .map(([name, s]) => ({
      name,
      spec:
        s.type === 'postgres'
          ? { type: s.type, url: s.url, table: s.table }
          : s.type === 'sqlite'
            ? { type: s.type, path: s.path, table: s.table }
            : { type: s.type, path: s.path },
      ...(s.columns ? { columns: s.columns } : {}),
      exclude: s.exclude,
    }));
}

function printReport(d: DatasetReport): void {
  process.stdout.write(`${d.name}: ${d.source}, ${d.rows} rows, ${d.columns.length} columns\n`);
  const rows = d.columns.map((c) => [
    d.exclude.includes(c.name) ? `${c.name} (excluded)` : c.name,
    c.type,
    c.missing,
    c.distinct,
    c.numeric ? `${c.min} .. ${c.max}` : c.values.map((v) => `${v.value} (${v.count})`).join(', '),
  ]);
  process.stdout.write(
    `${renderTable(['column', 'type', 'missing', 'distinct', 'range or frequent values'], rows)}\n\n`,
  );
}

export function registerParticipantData(participant: Command): void {
  const data = participant
    .command('data')
    .description("look at this node's data sets and import data to Parquet, on this machine only");

  data
    .command('check')
    .description(
      "show each data set's columns, types, row count, missing cells, number ranges and frequent values " +
        '(read here by the local engine; nothing is sent anywhere)',
    )
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option(
      '--dataset <name=source>',
      `check this source instead of the config's data sets: ${DATASET_FLAG_FORMS} (also sqlite:file.db#table); ` +
        'or a bare NAME: only that data set of the config (repeatable)',
      collect,
      [],
    )
    .option('--values <n>', 'frequent values shown per text column', (v) => Number(v), 5)
    .option('--json', 'print {datasets: [{name, source, rows, exclude, columns: [{name, type, rows, missing, ...}]}]}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant data check
  $ tessera participant data check --config ./node-b/participant.yaml --dataset orders
  $ tessera participant data check --dataset orders=./orders.parquet --json
  $ tessera participant data check --dataset sales=sqlite:./shop.db:sales
  $ tessera participant data check --dataset orders=postgres://reader:secret@127.0.0.1:5432/shop#orders

From the config, a data set shows the columns the node serves (a consent policy's datasets.NAME.columns)
and marks those its exclude list keeps from every task. Missing cells are empty, NA, N/A, NULL or NaN,
as tasks count them; a column is numeric when every other cell is a number. JSON columns:
{name, type, rows, missing, numeric, min, max, distinct, values: [{value, count}]}.`,
    )
    .action(async (o: { config: string; dataset: string[]; values: number; json?: boolean }) => {
      if (!Number.isInteger(o.values) || o.values < 0)
        throw new UsageError(`--values must be a whole number of at least 0, got ${o.values}`);
      const targets = await targetsOf(o.dataset, o.config);
      const { LocalEngine, summariseColumns } = await import('@tessera/engine');
      const engine = await LocalEngine.open({ threads: availableParallelism() });
      const reports: DatasetReport[] = [];
      try {
        for (const t of targets) {
          const d = await engine.register(t.name, t.spec, t.columns);
          const columns = await summariseColumns(engine, t.name, { values: o.values });
          const report = { name: t.name, source: d.source, rows: d.rows, exclude: t.exclude, columns };
          reports.push(report);
          if (!o.json) printReport(report);
        }
      } finally {
        await engine.close();
      }
      if (o.json) printJson({ datasets: reports });
    });

  data
    .command('import')
    .description('write a data source (a CSV of any size, SQLite, PostgreSQL) to one Parquet file, on this machine')
    .requiredOption('--input <source>', `the rows to write: file.csv, sqlite:file.db:table, postgres://...#table`)
    .requiredOption('--out <file.parquet>', 'the Parquet file to write (replaced when complete)')
    .option(
      '--types <how>',
      'text: columns keep their type (a CSV stays text, as the node reads it); infer: text columns holding only ' +
        'numbers become typed number columns (BIGINT for whole numbers, else DOUBLE; missing cells NULL)',
      'text',
    )
    .option('--json', 'print {file, source, rows, columns: [{name, type}], bytes, seconds, types}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant data import --input orders.csv --out orders.parquet
  $ tessera participant data import --input orders.csv --out orders.parquet --types infer
  $ tessera participant data import --input sqlite:./shop.db:sales --out sales.parquet --json

Then serve the file: datasets.NAME: { type: parquet, path: orders.parquet } in the participant config.`,
    )
    .action(async (o: { input: string; out: string; types: string; json?: boolean }) => {
      if (o.types !== 'text' && o.types !== 'infer')
        throw new UsageError(`--types must be text or infer, got "${o.types}"`);
      const [, spec] = sourceFlag('--input', `input=${o.input}`);
      const { convertToParquet } = await import('@tessera/engine');
      process.stderr.write(`writing ${o.input} to ${resolve(o.out)} (types: ${o.types})\n`);
      const r = await convertToParquet(spec, resolve(o.out), { types: o.types });
      const seconds = Math.round(r.seconds * 100) / 100;
      if (o.json) return printJson({ ...r, seconds });
      process.stdout.write(
        `wrote ${r.rows} rows of ${r.source} to ${r.file}: ${r.bytes} bytes, ${seconds} s\n` +
          `columns: ${r.columns.map((c) => `${c.name} ${c.type}`).join(', ')}\n`,
      );
    });
}
