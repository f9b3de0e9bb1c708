import type { Command } from 'commander';
import { analystConnection, connectionOptions, KEYS_OPTION } from '../context.js';
import { INSECURE_OPTION, TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function registerScore(program: Command): void {
  program
    .command('score')
    .description(
      "score a model on the participants' data without showing it to them: the model goes out encrypted (CKKS), " +
        'only the totals come back, decrypted here',
    )
    .requiredOption('--model <model.json>', 'a model file (tessera job result --out)')
    .requiredOption('--dataset <name>', "the participants' data set to score")
    .option(
      '--sealed',
      'encrypted scoring (the only kind over the network; tessera model score scores a local CSV in the clear)',
    )
    .option('--segment <column>', 'report the mean score per value of this column')
    .option(
      '--segments <a,b,...>',
      'the values of --segment to report (declared, so every participant answers the same segments)',
      list,
    )
    .option('--min-participants <n>', 'participants that must answer', Number, 2)
    .option('--coordinator <host:port>', 'coordinator address')
    .option(...KEYS_OPTION)
    .option('--data-dir <dir>', 'data directory of a local coordinator (to find its address and certificate)')
    .option(...TLS_FINGERPRINT_OPTION)
    .option(...INSECURE_OPTION)
    .option('--json', 'print {jobId, overall:{count, total, mean}, segments:[{segment, count, total, mean}]}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera score --model model.json --dataset customers --sealed
  $ tessera score --model model.json --dataset customers --sealed --segment region --segments north,south --json

The score is the model's linear score (log-odds); means are over the rows each segment holds.
Participants never see the weights, the coordinator only adds ciphertexts, and this command
alone decrypts the totals.
${connectionOptions}`,
    )
    .action(
      async (o: {
        model: string;
        dataset: string;
        sealed?: boolean;
        segment?: string;
        segments?: string[];
        minParticipants: number;
        coordinator?: string;
        keys?: string;
        dataDir?: string;
        tlsFingerprint?: string;
        insecure?: boolean;
        json?: boolean;
      }) => {
        if (!o.sealed)
          throw new UsageError(
            'scoring over the network is encrypted: ' +
              'add --sealed (tessera model score --model M --data FILE scores a local CSV)',
          );
        if (o.segment && !o.segments?.length)
          throw new UsageError(
            `--segment ${o.segment} needs --segments listing the values to report, e.g. --segments a,b,c`,
          );
        if (o.segments && !o.segment) throw new UsageError('--segments needs --segment COLUMN');
        const { AnalystClient, loadModelFile, scoreEncrypted } = await import('@tessera/sdk');
        const model = loadModelFile(o.model);
        const { address, identity, security } = await analystConnection(o);
        const client = new AnalystClient(address, identity, security);
        try {
          const r = await scoreEncrypted(client, model, {
            dataset: o.dataset,
            minParticipants: o.minParticipants,
            ...(o.segment ? { segmentBy: o.segment, segments: o.segments } : {}),
            onProgress: (m) => {
              if (!o.json) process.stderr.write(`${m}\n`);
            },
          });
          if (o.json) return printJson({ jobId: r.job.id, overall: r.overall, segments: r.segments });
          process.stdout.write(
            `${renderTable(
              ['segment', 'rows', 'mean score (log-odds)', 'total'],
              [
                ...r.segments.map((s) => [s.segment, Math.round(s.count), s.mean, s.total]),
                ...(r.segments.length > 1
                  ? [['all', Math.round(r.overall.count), r.overall.mean, r.overall.total]]
                  : []),
              ],
            )}\nscored encrypted in job ${r.job.id}: ` +
              `the participants never saw the model; only these totals were decrypted\n`,
          );
        } finally {
          client.close();
        }
      },
    );
}
