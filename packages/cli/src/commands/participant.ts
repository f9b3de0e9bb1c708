import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { initParticipant, startParticipant } from '@tessera/sdk';
import { DEFAULT_LISTEN, DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerParticipant(program: Command): void {
  const cmd = program.command('participant').description('run a participant node next to your data');

  cmd.command('init')
    .description('create an identity key, enrol with the coordinator and write the node\'s config file')
    .requiredOption('--token <token>', 'one-time enrolment token from the coordinator operator')
    .requiredOption('--name <name>', 'this participant\'s name')
    .option('--coordinator <host:port>', 'coordinator address', DEFAULT_LISTEN)
    .option('--dataset <name=source>', 'a data set to serve: NAME=file.csv or NAME=sqlite:file.db:table (repeatable)', collect, [])
    .option('--dir <dir>', 'where to write participant.yaml and identity.key', dirname(DEFAULT_PARTICIPANT_CONFIG))
    .option('--json', 'print {configPath, participantId} as JSON')
    .addHelpText('after', `
Examples:
  $ tessera participant init --token tse_... --name merchant-a --dataset customers=./customers.csv
  $ tessera participant init --token tse_... --name shop-b --dataset orders=sqlite:./shop.db:orders --dir ./node-b`)
    .action(async (o: { token: string; name: string; coordinator: string; dataset: string[]; dir: string; json?: boolean }) => {
      if (o.dataset.length === 0) throw new UsageError('give at least one --dataset NAME=file.csv (or NAME=sqlite:file.db:table)');
      const datasets = Object.fromEntries(o.dataset.map((spec) => {
        const eq = spec.indexOf('=');
        if (eq <= 0) throw new UsageError(`--dataset "${spec}" must look like NAME=file.csv or NAME=sqlite:file.db:table`);
        const name = spec.slice(0, eq), source = spec.slice(eq + 1);
        if (source.startsWith('sqlite:')) {
          const [, path, table] = source.split(':');
          if (!path || !table) throw new UsageError(`--dataset "${spec}": a SQLite source is sqlite:FILE:TABLE`);
          return [name, { type: 'sqlite' as const, path: resolve(path), table }];
        }
        return [name, { type: 'csv' as const, path: resolve(source) }];
      }));
      const r = await initParticipant({ dir: resolve(o.dir), coordinator: o.coordinator, token: o.token, name: o.name, datasets });
      if (o.json) printJson(r);
      else process.stdout.write(`enrolled as ${r.participantId}; config written to ${r.configPath}\nstart the node with: tessera participant start --config ${r.configPath}\n`);
    });

  cmd.command('start')
    .description('connect to the coordinator and serve tasks until stopped (reconnects automatically)')
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--coordinator <host:port>', 'override the coordinator address of the config file')
    .addHelpText('after', `
Examples:
  $ tessera participant start
  $ tessera participant start --config ./node-b/participant.yaml

The node checks that every configured data source can be read before it connects.
Raw records never leave it: it sends only model updates and aggregate statistics.`)
    .action(async (o: { config: string; coordinator?: string }) => {
      const { loadParticipantConfig } = await import('@tessera/sdk');
      const config = loadParticipantConfig(o.config);
      if (o.coordinator) config.coordinator = o.coordinator;
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const node = await startParticipant(config, log);
      process.stdout.write(`participant ${config.participantId} (${config.name}) serving ${Object.keys(config.datasets).join(', ')}\n`);
      const stop = async () => { await node.stop(); process.exit(0); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  cmd.command('audit')
    .description('show what this node\'s data was used for and the differential privacy spent, from its own ledger')
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--json', 'print {ledger, datasets:[{dataset, budget, spentEpsilon, remainingEpsilon, releases, jobs}], uses:[{at, dataset, jobId, stage, round, rows}]}')
    .addHelpText('after', `
Examples:
  $ tessera participant audit
  $ tessera participant audit --config ./node-b/participant.yaml --json

Budgets are set per data set in the config file, e.g.
  datasets:
    customers: { type: csv, path: ./customers.csv, budget: { epsilon: 8, delta: 1e-5, unit: record } }
The node refuses any task that would spend beyond them, before it reads the data.`)
    .action(async (o: { config: string; json?: boolean }) => {
      const { loadParticipantConfig, auditParticipant } = await import('@tessera/sdk');
      const audit = auditParticipant(loadParticipantConfig(o.config));
      if (o.json) return printJson(audit);
      const out = [`ledger: ${audit.ledger}`, ''];
      out.push(renderTable(['data set', 'budget', 'spent epsilon', 'remaining', 'releases', 'jobs'], audit.datasets.map((d) => [
        d.dataset, d.budget ? `epsilon ${d.budget.epsilon}, delta ${d.budget.delta}, ${d.budget.unit}` : 'none', d.spentEpsilon,
        d.remainingEpsilon ?? 'unlimited', d.releases, d.jobs.length,
      ])));
      out.push('');
      out.push(audit.uses.length ? renderTable(['when', 'data set', 'job', 'stage', 'round', 'rows'], audit.uses.map((u) => [
        new Date(u.at).toISOString(), u.dataset, u.jobId, u.stage, u.round, u.rows,
      ])) : 'no recorded use of the data');
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
