import type { Command } from 'commander';
import { printQueryResult, queryRequestFrom } from './query.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DemoPrivacyMode, DemoSecureMode } from '../demo/run-demo.js';
import { refuseWithoutPrivacy } from '../ui/dependent-flags.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { printDemo } from '../demo/print-demo.js';
import { modelOptionsOf, type ModelFlags } from '../demo/model-flags.js';
import { payoutOptionsOf } from '../demo/payout-flags.js';
import { refuseVerticalFlags, verticalOptionsOf, type VerticalFlags } from '../demo/vertical/vertical-flags.js';
import { registerDemoData } from './demo-data.js';

const int = (v: string) => Number(v);

export function registerDemo(program: Command): void {
  const demo = program
    .command('demo')
    .description(
      'run a whole federation on this machine: a coordinator, N participant nodes over real gRPC, ' +
        'one training job, then a results table',
    )
    .option('--participants <n>', 'participant nodes (worker threads)', int, 5)
    .option('--rounds <n>', 'federated training rounds', int, 10)
    .option('--data <file.csv>', 'a CSV file with a header row (default: seeded synthetic e-commerce customers)')
    .option(
      '--label <column>',
      'the target column of --data: binary (yes/no, 0/1, true/false), classes, or a number (see --task)',
    )
    .option(
      '--split <how>',
      'how rows are dealt to participants: iid | dirichlet:ALPHA | by:COLUMN (default iid; ' +
        'by:merchant for the synthetic data)',
    )
    .option(
      '--seed <n>',
      'seed for data, splits and training: the same seed gives the same model with --secure none (up to ' +
        'floating-point rounding), and agrees to about 1e-4 under masked or sealed rounding; DP noise is always fresh',
      int,
      42,
    )
    .option('--test-fraction <f>', 'share of rows held out as the global test split', Number, 0.2)
    .option(
      '--learning-rate <lr>',
      'local learning rate (default 0.1, 0.05 for a regression; the gradient step size with --dp and --unit record, ' +
        'default 1; with --vertical 0.5 for vertical-logistic, 0.3 for secureboost)',
      Number,
    )
    .option('--batch-size <n>', 'local mini-batch size (with --vertical: rows per step, default 64)', int, 32)
    .option('--local-epochs <n>', 'local epochs per round', int, 1)
    .option(
      '--task <task>',
      "classification or regression (default: from the label's values: 0/1 or yes/no/true/false is binary; numbers " +
        'with at most 20 distinct integer values or text are classes; other numbers are a regression)',
    )
    .option(
      '--model <kind>',
      'logistic (binary), softmax (multiclass), linear (regression) or mlp (any task; default: the single-layer ' +
        'model of the task); with --vertical: vertical-logistic (default) or secureboost',
    )
    .option('--hidden <widths>', 'with --model mlp: hidden layer widths, e.g. 64,32 (default 64)')
    .option('--optimiser <name>', 'local optimiser: sgd (default) or adam')
    .option(
      '--strategy <name>',
      'aggregation strategy: fedavg (default), fedavgm, fedprox, fedadam, fedyogi, fedadagrad',
    )
    .option('--server-lr <lr>', 'server learning rate (every strategy; default 1, fedadam and fedyogi 0.1)')
    .option('--server-momentum <m>', 'with --strategy fedavgm: server momentum')
    .option('--proximal-mu <mu>', 'with --strategy fedprox: the proximal term mu (default 0.01)')
    .option('--beta1 <b>', 'with --strategy fedadam, fedyogi or fedadagrad: first moment decay')
    .option('--beta2 <b>', 'with --strategy fedadam or fedyogi: second moment decay')
    .option('--tau <t>', 'with --strategy fedadam, fedyogi or fedadagrad: adaptivity (epsilon of the update)')
    .option(
      '--secure <mode>',
      'aggregation: masked (SecAgg+: the coordinator learns only the sum), sealed (SecAgg+ under homomorphic ' +
        'encryption with analyst keys made for the demo: only the analyst decrypts the sums) or none (plaintext)',
      'masked',
    )
    .option('--drop <fraction>', 'share of participants that drop out at a random step of every round', Number, 0)
    .option(
      '--dp <mode>',
      'differential privacy of the model updates: none, distributed (noise shares added by participants before ' +
        'masking), central (noise added to the unmasked sum) or local (each participant adds the whole noise)',
      'none',
    )
    .option(
      '--unit <unit>',
      'what --dp protects: record (one customer row: DP-FedSGD, one clipped gradient step per round) ' +
        "or participant (one merchant's whole update: DP-FedAvg)",
      'record',
    )
    .option('--epsilon <e>', 'privacy budget of the whole training job, with --dp', Number, 4)
    .option('--delta <d>', 'delta of the privacy guarantee, with --dp', Number, 1e-5)
    .option(
      '--clip <c>',
      "L2 clipping bound of each record's gradient (--unit record, default 1) or of each participant's update " +
        '(default 10, or 1 with --dp)',
      Number,
    )
    .option(
      '--query <sql>',
      'instead of training, run this aggregate query on the demo federation ' +
        "(FROM is the --data file's base name, or customers)",
    )
    .option('--bounds <col=lo:hi,...>', 'with --query: clamping bounds of every SUM/AVG/VARIANCE column')
    .option('--domain <col=a|b;...>', "with --query: declared GROUP BY values (default: the demo CSV's values)")
    .option('--min-count <n>', 'with --query: suppress groups with fewer (noisy) rows', Number)
    .option(
      '--report <file.html>',
      'write an HTML report with charts (with --query: of that query; alone: ' +
        'the market-insight report of the synthetic merchants)',
    )
    .option(
      '--payout-pool <amount>',
      'after training, split this pool (an integer in minor units, e.g. 100000 = 1000.00) ' +
        "by the value of each participant's contribution, recorded in the signed ledger",
    )
    .option('--currency <code>', 'currency of --payout-pool (ISO 4217)', 'CNY')
    .option(
      '--valuation <method>',
      'how contributions are valued: auto (default: exact Shapley up to 12 participants, GTG-Shapley beyond), ' +
        'shapley, gtg, tmc, loo or records',
    )
    .option('--ledger-out <file.jsonl>', 'with --payout-pool: write the exported payout ledger (JSON Lines) here')
    .option(
      '--payout-report <file.html>',
      'with --payout-pool: write an HTML report of the payout (charts of shares and values, the ledger entries)',
    )
    .option(
      '--noisy-participant [n]',
      "scramble participant n's labels (default: the last one), so its data is pure noise",
    )
    .option(
      '--duplicate-participant [n]',
      "add one more participant holding a copy of participant n's data (default: 1)",
    )
    .option(
      '--vertical',
      'vertical federated learning instead: a "bank" node (guest: the label and some columns) and a "platform" node ' +
        '(host: the other columns of the same customers), aligned by private set intersection (default data: the ' +
        'bundled breast cancer set, label benign)',
    )
    .option(
      '--guest-columns <a,b,c>',
      "with --vertical: the guest's feature columns (default: the first 10 non-label columns; the host gets the rest)",
    )
    .option('--overlap <share>', 'with --vertical: share of customers at both nodes, in (0, 1] (default 0.8)', Number)
    .option('--epochs <n>', 'with --vertical --model vertical-logistic: training epochs (default 5)', int)
    .option('--trees <n>', 'with --vertical --model secureboost: trees (default 5)', int)
    .option('--depth <n>', 'with --vertical --model secureboost: maximum tree depth, 1 to 8 (default 3)', int)
    .option('--bins <n>', 'with --vertical --model secureboost: quantile bins per feature, 2 to 32 (default 32)', int)
    .option(
      '--recommend',
      'joint recommendation instead: 10 synthetic merchants with overlapping catalogues learn item factors ' +
        'through secure aggregation, customer factors never leaving them; reports HR@10 and NDCG@10 against a ' +
        'centralized model, each merchant alone and global popularity',
    )
    .option('--algorithm <name>', 'with --recommend: als (default) or bpr')
    .option('--factors <k>', 'with --recommend: latent factors per item and customer (default 8)', int)
    .option(
      '--sales',
      'data-trust sales instead: the market-insight report with row-count valuation under distributed DP, listed ' +
        'as a product, sold three times (one buyer refused by a merchant), one partial refund, then every ' +
        "member's statement and the reconciliation (docs/sales.md)",
    )
    .option('--statement-out <dir>', "with --sales: write each member's statement page and receipts here")
    .option('--inline', 'run participants in this thread instead of worker threads')
    .option(
      '--keep <dir>',
      "keep the federation's files (coordinator database, participant configs and shards) in this directory",
    )
    .option(
      '--console [host:port]',
      'serve the web console on the demo coordinator (default 127.0.0.1:0, a free port) and print login links to ' +
        'watch the job live; at a terminal the demo then waits for Enter before it stops',
    )
    .option('--json', 'print one JSON document instead of the table')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera demo
  $ tessera demo --participants 3 --rounds 10 --data examples/data/breast_cancer.csv --label benign --split iid
  $ tessera demo --split dirichlet:0.3 --seed 7 --json
  $ tessera demo --secure masked --drop 0.3        30% of participants drop out of every round
  $ tessera demo --secure none                     plaintext aggregation, for comparison
  $ tessera demo --console                         watch it in the web console (links on stderr)
  $ tessera demo --secure sealed                   homomorphically encrypted sums only the analyst decrypts
  $ tessera demo --dp distributed --epsilon 4 --delta 1e-5   record-level differential privacy
  $ tessera demo --dp local --unit record --epsilon 8         every participant adds the whole noise itself
  $ tessera demo --dp central --unit participant --epsilon 8  participant-level (DP-FedAvg)
  $ tessera demo --query "SELECT region, COUNT(*), AVG(avg_basket) FROM customers GROUP BY region" ` +
        `--bounds avg_basket=0:500
  $ tessera demo --query "SELECT cultivar, COUNT(*), AVG(alcohol) FROM wine GROUP BY cultivar" --data wine.csv ` +
        `--bounds alcohol=0:20 --dp none --json
  $ tessera demo --report market-insight.html       category share, basket sizes and repurchase by region, as charts
  $ tessera demo --payout-pool 100000 --noisy-participant --ledger-out ledger.jsonl   ` +
        `value contributions, split the pool, export the ledger
  $ tessera demo --payout-pool 100000 --payout-report payout.html   the split as charts
  $ tessera demo --data examples/data/digits.csv --label digit --model mlp --hidden 64,32 --rounds 5 --split iid
  $ tessera demo --data examples/data/diabetes.csv --label progression --model linear --task regression
  $ tessera demo --data examples/data/wine.csv --label cultivar --model softmax --strategy fedadam --rounds 3
  $ tessera demo --data examples/data/breast_cancer.csv --label benign --strategy fedprox --proximal-mu 0.1
  $ tessera demo --sales --ledger-out ledger.jsonl --statement-out statements/   sell the report, pay members
  $ tessera demo --recommend                       merchants learn which products go together
  $ tessera demo --recommend --dp distributed --epsilon 8 --json   customer-level differential privacy
  $ tessera demo --vertical                        a bank and a platform learn from each other's columns
  $ tessera demo --vertical --model secureboost --trees 3 --depth 3 --overlap 0.6
  $ tessera demo --vertical --data examples/data/breast_cancer.csv --label benign ` +
        `--guest-columns mean_radius,mean_texture --json

JSON: {participants, rounds, model:{kind, task, hidden, classes, labelRange, optimiser}, strategy:{name, options},
       federated:{auc,accuracy,logLoss}, centralized:{...}, localOnly:[{participant,auc,accuracy,logLoss,rows}],
       timing:{totalSeconds, roundSecondsMedian},
       secure:{mode, threshold, degree, dropped}, privacy:{mode, unit, epsilon, delta, noiseMultiplier, clip}, ...}
federated, centralized, localOnly and localOnlyMean hold the task's metrics: binary auc, accuracy, logLoss;
multiclass accuracy, macroF1, logLoss; regression rmse, mae, r2, mse (in label units); others are null.
With --query: {query, rows:[{<group columns>, <aggregates>, stddev:{...}, ci95:{...}}], ` +
        `privacy:{epsilon, delta, mode}, suppressed}
(a query demo uses distributed DP with --epsilon, default 1, unless --dp is given)
With --payout-pool: payouts:{method, pool, currency, entries:[{participant, name, value, share, amount}], ` +
        `ledgerHead, coordinatorPublicKey}
With --sales: {product, reports, sales:[{id, buyer, amount, entries, refusals, refunds, net}], refund, ` +
        `statements:[{member, name, totals, receipts}], reconcile:{balanced, currencies, problems}, ledger, timing}
With --recommend: {recommend:{hr10, ndcg10, coverage, customers, algorithm, k, rounds, participants, items, ` +
        `secure, privacy, centralized:{hr10, ndcg10, coverage, seconds}, localOnly:[{participant, hr10, ...}], ` +
        `localOnlyMean:{...}, popularity:{...}, timing}}
With --vertical: {vertical:{model, overlap, rows, federated:{auc, accuracy, logLoss, trainRows, testRows}, ` +
        `centralized:{...}, guestOnly:{...}, relayedBytes, seconds, ...}}`,
    )
    .action(
      async (
        o: {
          participants: number;
          rounds: number;
          data?: string;
          label?: string;
          split?: string;
          seed: number;
          testFraction: number;
          learningRate?: number;
          batchSize: number;
          localEpochs: number;
          inline?: boolean;
          keep?: string;
          console?: string | boolean;
          json?: boolean;
          secure: string;
          drop: number;
          dp: string;
          unit: string;
          epsilon: number;
          delta: number;
          clip?: number;
          query?: string;
          bounds?: string;
          domain?: string;
          minCount?: number;
          report?: string;
          payoutPool?: string;
          currency: string;
          valuation?: string;
          ledgerOut?: string;
          payoutReport?: string;
          noisyParticipant?: string | boolean;
          duplicateParticipant?: string | boolean;
          vertical?: boolean;
          recommend?: boolean;
          algorithm?: string;
          factors?: number;
          sales?: boolean;
          statementOut?: string;
        } & ModelFlags &
          Omit<VerticalFlags, 'model'>,
        cmd: Command,
      ) => {
        if (o.sales) {
          const { runSalesFromFlags } = await import('../demo/sales/sales-flags.js');
          return runSalesFromFlags(o, cmd);
        }
        if (o.statementOut !== undefined) throw new UsageError('--statement-out needs --sales');
        if (o.recommend) {
          const [{ recommendOptionsOf }, { runRecommendDemo }, { printRecommendDemo }] = await Promise.all([
            import('../demo/recommend/recommend-flags.js'),
            import('../demo/recommend/run-recommend-demo.js'),
            import('../demo/recommend/print-recommend-demo.js'),
          ]);
          const result = await runRecommendDemo({
            ...recommendOptionsOf(o, cmd),
            status: (line) => process.stderr.write(`${line}\n`),
          });
          if (o.json) printJson(result);
          else printRecommendDemo(result);
          return;
        }
        for (const flag of ['algorithm', 'factors'])
          if (cmd.getOptionValueSource(flag) === 'cli') throw new UsageError(`--${flag} needs --recommend`);
        if (o.vertical) {
          const [{ runVerticalDemo }, { printVerticalDemo }] = await Promise.all([
            import('../demo/vertical/run-vertical-demo.js'),
            import('../demo/vertical/print-vertical-demo.js'),
          ]);
          const result = await runVerticalDemo({
            ...verticalOptionsOf({ ...o, model: o.model }, cmd),
            progress: (line) => process.stderr.write(`${line}\n`),
          });
          if (o.json) printJson(result);
          else printVerticalDemo(result);
          return;
        }
        refuseVerticalFlags(cmd);
        if (o.query || o.report) {
          const { MARKET_INSIGHT, runQueryDemo } = await import('../demo/run-query-demo.js');
          const dp = cmd.getOptionValueSource('dp') === 'default' ? 'distributed' : o.dp;
          refuseWithoutPrivacy(cmd, dp, ['epsilon', 'delta'], '--dp is none');
          const epsilon = cmd.getOptionValueSource('epsilon') === 'default' ? 1 : o.epsilon;
          const delta = cmd.getOptionValueSource('delta') === 'default' ? 1e-6 : o.delta;
          const request = queryRequestFrom(o.query ?? '', { ...o, dp, epsilon, delta });
          const queries = o.query ? [o.query] : MARKET_INSIGHT.queries;
          if (o.report && o.data && !o.query)
            throw new UsageError(
              '--report without --query writes the market-insight report of the synthetic merchants; ' +
                'leave out --data, or give --query',
            );
          const results = await runQueryDemo({
            queries,
            participants: o.participants,
            seed: o.seed,
            bounds: { ...(o.query ? {} : MARKET_INSIGHT.bounds), ...request.bounds },
            domains: request.domains ?? {},
            dp: dp as 'none',
            epsilon,
            delta,
            runtime: o.inline ? 'inline' : 'worker',
            ...(o.data ? { data: o.data } : {}),
            ...(o.split ? { split: o.split } : {}),
            ...(o.minCount !== undefined ? { minCount: o.minCount } : {}),
          });
          if (o.report) {
            const [{ reportInputOf }, { renderReportPage }] = await Promise.all([
              import('@tessera/console/report'),
              import('@tessera/console/report'),
            ]);
            const inputs = results.map((r, i) =>
              reportInputOf(r, {
                participants: r.participants,
                ...(o.query ? {} : { title: MARKET_INSIGHT.titles[i] }),
              }),
            );
            writeFileSync(
              o.report,
              renderReportPage(o.query ? 'Tessera query report' : 'Market insight (synthetic merchants)', inputs),
            );
            process.stderr.write(`report written to ${resolve(o.report)}\n`);
          }
          if (o.json) return printJson(o.query ? results[0] : results);
          for (const r of results) printQueryResult(r);
          return;
        }
        refuseWithoutPrivacy(
          cmd,
          o.dp,
          ['epsilon', 'delta', 'unit'],
          cmd.getOptionValueSource('dp') === 'default' ? '--dp is none (the default when training)' : '--dp is none',
        );
        const { DEMO_PRIVACY_MODES, DEMO_SECURE_MODES, runDemo } = await import('../demo/run-demo.js');
        if (!DEMO_SECURE_MODES.includes(o.secure as DemoSecureMode))
          throw new UsageError(`--secure must be one of ${DEMO_SECURE_MODES.join(', ')}, got "${o.secure}"`);
        if (!DEMO_PRIVACY_MODES.includes(o.dp as DemoPrivacyMode))
          throw new UsageError(`--dp must be one of ${DEMO_PRIVACY_MODES.join(', ')}, got "${o.dp}"`);
        if (o.unit !== 'record' && o.unit !== 'participant')
          throw new UsageError(`--unit must be record or participant, got "${o.unit}"`);
        if (!(o.epsilon > 0)) throw new UsageError(`--epsilon must be positive, got ${o.epsilon}`);
        if (!(o.delta > 0 && o.delta < 1)) throw new UsageError(`--delta must be between 0 and 1, got ${o.delta}`);
        const result = await runDemo({
          participants: o.participants,
          rounds: o.rounds,
          seed: o.seed,
          testFraction: o.testFraction,
          ...(o.learningRate !== undefined ? { learningRate: o.learningRate } : {}),
          batchSize: o.batchSize,
          localEpochs: o.localEpochs,
          runtime: o.inline ? 'inline' : 'worker',
          progress: Boolean(process.stderr.isTTY),
          status: (line: string) => process.stderr.write(`${line}\n`),
          secure: o.secure as DemoSecureMode,
          drop: o.drop,
          dp: o.dp as DemoPrivacyMode,
          unit: o.unit,
          epsilon: o.epsilon,
          delta: o.delta,
          ...(o.clip !== undefined ? { clip: o.clip } : {}),
          ...(o.data ? { data: o.data } : {}),
          ...(o.label ? { label: o.label } : {}),
          ...(o.split ? { split: o.split } : {}),
          ...(o.keep ? { keep: o.keep } : {}),
          ...(o.console
            ? {
                console: {
                  listen: typeof o.console === 'string' ? o.console : '127.0.0.1:0',
                  ...(process.stdin.isTTY ? { hold: pressEnter } : {}),
                },
              }
            : {}),
          ...payoutOptionsOf(o),
          ...modelOptionsOf(o),
        });
        if (o.json) printJson(result);
        else printDemo(result);
      },
    );
  // `tessera demo data ...`: demo's own options are read only before the word data
  demo.enablePositionalOptions();
  registerDemoData(demo);
}

/** At a terminal: waits for Enter (or Ctrl-C) so the console can still be browsed once the job has ended. */
function pressEnter(): Promise<void> {
  process.stderr.write('the job has ended; the console stays open: press Enter to finish\n');
  return new Promise((resolve) => {
    const done = () => {
      process.stdin.off('data', done);
      process.off('SIGINT', done);
      process.stdin.pause();
      resolve();
    };
    process.stdin.on('data', done);
    process.once('SIGINT', done);
  });
}
