import type { Command } from 'commander';
import { analystConnection, connectionOptions, KEYS_OPTION } from '../context.js';
import { INSECURE_OPTION, TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { UsageError } from '../ui/errors.js';
import { scoreVertical } from './score-vertical.js';
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
    .option('--model <model.json>', 'a model file (tessera job result --out)')
    .option('--dataset <name>', "the participants' data set to score (with --vertical: the guest's)")
    .option(
      '--vertical',
      "joint scoring with a vertical job's model (--job): its guest and host align the customers of their data sets " +
        'and score those both hold; the guest keeps each score, you get their count and distribution',
    )
    .option('--job <id>', 'with --vertical: the completed vertical job whose model scores')
    .option('--host-dataset <name>', "with --vertical: the host's data set (default: the one it trained on)")
    .option('--id-column <column>', 'with --vertical: the identifier column (default: the one each party trained on)')
    .option('--host-id-column <column>', "with --vertical: the host's identifier column, when it differs")
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
    .option('--min-participants <n>', 'participants that must answer (at least 2)', Number, 2)
    .option(
      '--epsilon <e>',
      'noised totals (differential privacy; required on data sets with a privacy budget): each participant clips ' +
        'its rows and adds its share of integer noise to its segment sums before scoring them',
      Number,
    )
    .option('--delta <d>', 'delta of the noised totals (with --epsilon)', Number, 1e-6)
    .option('--clip <c>', "with --epsilon: the L2 bound on one row's encoded features, in raw units", Number)
    .option(
      '--dp-mode <mode>',
      'with --epsilon: distributed (a share per participant, sized for --min-participants answers) or local ' +
        '(the whole noise at each participant)',
      'distributed',
    )
    .option('--coordinator <host:port>', 'coordinator address')
    .option(...KEYS_OPTION)
    .option('--data-dir <dir>', 'data directory of a local coordinator (to find its address and certificate)')
    .option(...TLS_FINGERPRINT_OPTION)
    .option(...INSECURE_OPTION)
    .option(
      '--json',
      'print {jobId, overall:{count, total, mean}, ' +
        'segments:[{segment, count, total, mean, status, suppressedBy, noise?}]}',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera score --model model.json --dataset customers --sealed
  $ tessera score --model model.json --dataset customers --sealed --segment region --segments north,south --json
  $ tessera score --model model.json --dataset customers --sealed --epsilon 1 --clip 500
  $ tessera score --vertical --job job-7d01c2e9a4b3 --dataset applicants     joint scoring with a vertical model

The score is the model's linear score (log-odds); means are over the rows each segment holds.
Participants never see the weights, the coordinator only adds ciphertexts, and this command
alone decrypts the totals. Each participant sends 0 for a segment with fewer of its rows than
its owner's minimum (default 20; exact totals only), refuses segments by a column that
identifies customers, and, with --epsilon, adds its share of noise to every total.
${connectionOptions}`,
    )
    .action(
      async (o: {
        model?: string;
        dataset?: string;
        vertical?: boolean;
        job?: string;
        hostDataset?: string;
        idColumn?: string;
        hostIdColumn?: string;
        sealed?: boolean;
        segment?: string;
        segments?: string[];
        minParticipants: number;
        epsilon?: number;
        delta: number;
        clip?: number;
        dpMode: string;
        coordinator?: string;
        keys?: string;
        dataDir?: string;
        tlsFingerprint?: string;
        insecure?: boolean;
        json?: boolean;
      }) => {
        if (o.vertical) return scoreVertical(o);
        for (const flag of ['job', 'hostDataset', 'idColumn', 'hostIdColumn'] as const)
          if (o[flag] !== undefined)
            throw new UsageError(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --vertical`);
        if (!o.model) throw new UsageError('--model is required (a model file: tessera job result --out)');
        if (!o.dataset) throw new UsageError("--dataset is required: the participants' data set to score");
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
        if (o.epsilon !== undefined && o.clip === undefined)
          throw new UsageError(
            "--epsilon needs --clip, the L2 bound on one row's encoded features (e.g. --clip 100): rows above it " +
              'are scaled down, and the noise is sized to it',
          );
        if (o.epsilon === undefined && o.clip !== undefined) throw new UsageError('--clip needs --epsilon');
        if (o.dpMode !== 'distributed' && o.dpMode !== 'local')
          throw new UsageError(`--dp-mode must be distributed or local, got ${o.dpMode}`);
        const { AnalystClient, loadModelFile, scoreEncrypted } = await import('@tessera/sdk');
        const model = loadModelFile(o.model);
        const { address, identity, security } = await analystConnection(o);
        const client = new AnalystClient(address, identity, security);
        try {
          const r = await scoreEncrypted(client, model, {
            dataset: o.dataset,
            minParticipants: o.minParticipants,
            ...(o.segment ? { segmentBy: o.segment, segments: o.segments } : {}),
            ...(o.epsilon !== undefined && o.clip !== undefined
              ? {
                  privacy: {
                    epsilon: o.epsilon,
                    delta: o.delta,
                    clip: o.clip,
                    mode: o.dpMode as 'distributed' | 'local',
                  },
                }
              : {}),
            onProgress: (m) => {
              if (!o.json) process.stderr.write(`${m}\n`);
            },
          });
          if (o.json) return printJson({ jobId: r.job.id, overall: r.overall, segments: r.segments });
          process.stdout.write(
            `${renderTable(
              ['segment', 'rows', 'mean score (log-odds)', 'total', 'status'],
              [
                ...r.segments.map((s) => [
                  s.segment,
                  Math.round(s.count),
                  s.mean,
                  s.total,
                  s.status === 'suppressed'
                    ? `suppressed by ${s.suppressedBy} (below a participant's minimum rows)`
                    : s.noise
                      ? `noised (sd ${s.noise.countStd.toFixed(2)} rows, ${s.noise.totalStd.toFixed(2)} on the total)`
                      : s.status,
                ]),
                ...(r.segments.length > 1
                  ? [['all', Math.round(r.overall.count), r.overall.mean, r.overall.total, '']]
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
