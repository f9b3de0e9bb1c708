// `npm run bench` part "payouts": the cost of contribution valuation against federation size and the
// verification rate of the signed payout ledger (@tessera/payouts).
//
// Valuation runs on a real federation, in-process: logistic regression on breast_cancer trained by FedAvg
// exactly as participants and the coordinator do it (each participant trains from the global model with
// trainLogistic and uploads delta = local - global with weight = its example count; the strategy's
// aggregateFit makes the next model). Every round's start model, deltas and weights are kept, and the
// per-round games of multi-round reconstruction (federatedRoundGames, what the coordinator values jobs
// with) are valued by exact Shapley, TMC-Shapley, GTG-Shapley and leave-one-out through valueRounds.
// The coalition utility is the product's default payout metric, the negated log loss on the validation rows
// (coordinator validationUtility: -evaluateBinary(model, data).loss); option metric: 'auc' values with validation AUC
// instead.
// Where exact Shapley is too costly the reference is a stratified Monte Carlo estimate (stratifiedReference).
import { generateSigningKeyPair } from '@tessera/crypto';
import {
  appendEntries,
  GENESIS_HASH,
  ledgerLine,
  valueRounds,
  verifyLedger,
  type PayoutRecord,
} from '@tessera/payouts';
import { describeMachine, machineInfo } from '../machine.js';
import { fixed, secondsSince } from '../stats.js';
import { benchTable } from '../table.js';
import { buildFederation, prepare, type Prepared } from './federation.js';
import { errorTo, norm, ranks, stratifiedReference } from './reference.js';
import {
  PAYOUTS_DEFAULTS,
  type LedgerTiming,
  type MethodRow,
  type ParticipantRole,
  type PayoutsBenchOptions,
  type PayoutsBenchReport,
  type SizeResult,
} from './report.js';

export * from './report.js';
export { buildFederation, prepare, utilityOf, type Prepared } from './federation.js';
export { errorTo, stratifiedReference } from './reference.js';

function describeRow(
  label: string,
  method: MethodRow['method'],
  r: { values: number[]; seconds: number; evaluations: number; permutations?: number; roundsSkipped?: number },
  roles: ParticipantRole[],
  reference: number[] | null,
): MethodRow {
  const noisy = roles.indexOf('noisy'),
    source = roles.indexOf('duplicate-source'),
    dup = roles.indexOf('duplicate');
  const rank = ranks(r.values);
  const [noisyValue, sourceValue, dupValue, noisyRank] = [
    r.values[noisy],
    r.values[source],
    r.values[dup],
    rank[noisy],
  ];
  if (noisyValue === undefined || sourceValue === undefined || dupValue === undefined || noisyRank === undefined) {
    throw new RangeError(
      `${r.values.length} values leave out the noisy or a duplicated participant (${roles.join(', ')})`,
    );
  }
  const honest = r.values.filter((_, i) => roles[i] === 'honest');
  const honestMean = honest.length ? honest.reduce((s, x) => s + x, 0) / honest.length : Number.NaN;
  return {
    label,
    method,
    seconds: fixed(r.seconds, 4),
    evaluations: r.evaluations,
    permutations: r.permutations ?? null,
    roundsSkipped: r.roundsSkipped ?? null,
    values: r.values,
    error: reference ? errorTo(r.values, reference) : null,
    noisyRank,
    noisyLast: r.values.every((v, i) => i === noisy || v > noisyValue),
    duplicateRatio: dupValue / sourceValue,
    duplicatePairOverHonestMean: (dupValue + sourceValue) / honestMean,
  };
}

/** The valuation part for one federation size. */
export function valueSize(
  p: Prepared,
  n: number,
  o: PayoutsBenchOptions,
  log: (line: string) => void,
  exactSecondsPerEvaluation: number | null,
): SizeResult & { exactSecondsPerEvaluation: number | null } {
  const fed = buildFederation(p, n, o);
  const { games, trainSeconds } = fed;
  log(
    `n = ${n}: trained ${o.rounds} rounds in ${trainSeconds.toFixed(2)} s, ` +
      `final validation AUC ${fed.aucByRound.at(-1)?.toFixed(4)}, ` +
      `log loss ${fed.logLossByRound.at(-1)?.toFixed(4)}; utility ${o.metric}`,
  );

  let exactSkipped: string | null = null;
  const exactEvaluations = 2 ** n * o.rounds;
  if (n > o.exactMaxPlayers)
    exactSkipped = `n > ${o.exactMaxPlayers} (2^${n} x ${o.rounds} = ${exactEvaluations.toExponential(2)} utilities)`;
  else if (exactSecondsPerEvaluation !== null) {
    const predicted = exactSecondsPerEvaluation * exactEvaluations * (n / 10);
    if (predicted > o.exactBudgetSeconds)
      exactSkipped = `predicted ${predicted.toFixed(0)} s > budget ${o.exactBudgetSeconds} s`;
  }

  const methods: MethodRow[] = [];
  let reference: number[];
  let referenceKind: SizeResult['reference'];
  let referenceStdErr: number[] | null = null;
  let referenceRelativeStdErr: number | null = null;
  let secondsPerEvaluation: number | null = exactSecondsPerEvaluation;
  if (exactSkipped === null) {
    const exact = valueRounds('shapley', games);
    reference = exact.values;
    referenceKind = 'exact';
    methods.push(describeRow('exact', 'shapley', exact, fed.roles, reference));
    secondsPerEvaluation = exact.seconds / exact.evaluations / (n / 10);
    log(`n = ${n}: exact Shapley ${exact.evaluations} utilities in ${exact.seconds.toFixed(2)} s`);
  } else {
    const mc = stratifiedReference(games, o.referencePerStratum, `${o.seed}/reference/${n}`);
    reference = mc.values;
    referenceKind = 'stratified-reference';
    referenceStdErr = mc.stdErr.map((x) => fixed(x, 6));
    referenceRelativeStdErr = norm(mc.stdErr) / norm(mc.values);
    methods.push(describeRow('stratified reference', 'stratified-reference', mc, fed.roles, null));
    log(
      `n = ${n}: exact skipped (${exactSkipped}); stratified reference ` +
        `(${o.referencePerStratum} per stratum), ${mc.evaluations} utilities in ${mc.seconds.toFixed(1)} s, ` +
        `relative std. error ${referenceRelativeStdErr.toFixed(4)}`,
    );
  }
  for (const { label, method, options } of o.estimators) {
    const r = valueRounds(method, games, options);
    methods.push(describeRow(label, method, r, fed.roles, reference));
    const e = methods.at(-1)!.error!;
    log(
      `n = ${n}: ${label}: ${r.evaluations} utilities, ${r.permutations ?? '-'} permutations, ` +
        `${r.seconds.toFixed(2)} s, relative L2 error ${e.relativeL2.toFixed(4)} against ${referenceKind}`,
    );
  }
  return {
    players: n,
    roles: fed.roles,
    examples: fed.examples,
    aucByRound: fed.aucByRound.map((a) => fixed(a, 4)),
    logLossByRound: fed.logLossByRound.map((a) => fixed(a, 4)),
    trainSeconds: fixed(trainSeconds, 3),
    reference: referenceKind,
    exactSkipped,
    referenceStdErr,
    referenceRelativeStdErr,
    methods,
    referenceCalibration: null,
    exactSecondsPerEvaluation: secondsPerEvaluation,
  };
}

/** Signs `entries` payout records into a hash-chained ledger and verifies its JSON Lines text. */
export function timeLedger(entries: number): LedgerTiming {
  const keys = generateSigningKeyPair();
  const timestamp = new Date(0).toISOString();
  const records: PayoutRecord[] = Array.from({ length: entries }, (_, i) => ({
    job: `job-${Math.floor(i / 20)}`,
    participant: `participant-${i % 20}`,
    amount: 1000 + (i % 997),
    currency: 'EUR',
    method: 'gtg',
    share: fixed(1 / 20, 6),
    timestamp,
  }));
  let t = performance.now();
  const ledger = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, keys.secretKey);
  const signSeconds = secondsSince(t);
  const text = ledger
    .map((e) => ledgerLine(e))
    .map((l) => (l.endsWith('\n') ? l : `${l}\n`))
    .join('');
  t = performance.now();
  const verified = verifyLedger(text, keys.publicKey);
  const verifySeconds = secondsSince(t);
  if (!verified.ok) throw new Error(`the benchmark ledger did not verify: line ${verified.line}: ${verified.reason}`);
  return {
    entries,
    signSeconds: fixed(signSeconds, 3),
    entriesSignedPerSecond: Math.round(entries / signSeconds),
    bytes: Buffer.byteLength(text),
    verifySeconds: fixed(verifySeconds, 3),
    entriesVerifiedPerSecond: Math.round(verified.entries / verifySeconds),
    ok: verified.ok && verified.entries === entries,
  };
}

export async function runPayoutsBenchWith(
  o: PayoutsBenchOptions,
  log: (line: string) => void,
): Promise<PayoutsBenchReport> {
  const started = performance.now();
  const machine = machineInfo();
  log(describeMachine(machine));
  const p = prepare(o);
  const sizes: SizeResult[] = [];
  let secondsPerEvaluation: number | null = null;
  for (const n of o.sizes) {
    const { exactSecondsPerEvaluation, ...r } = valueSize(p, n, o, log, secondsPerEvaluation);
    secondsPerEvaluation = exactSecondsPerEvaluation;
    sizes.push(r);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const lastExact = [...sizes].reverse().find((s) => s.reference === 'exact');
  if (o.calibrateReference && lastExact) {
    // The stratified reference's own error, where exact values exist (same federation, rebuilt deterministically).
    const n = lastExact.players;
    const { games, roles } = buildFederation(p, n, o);
    const mc = stratifiedReference(games, o.referencePerStratum, `${o.seed}/reference/${n}`);
    const exact = lastExact.methods.find((m) => m.method === 'shapley')!.values;
    lastExact.referenceCalibration = {
      ...describeRow('stratified reference', 'stratified-reference', mc, roles, exact),
      relativeStdErr: norm(mc.stdErr) / norm(mc.values),
    };
    log(
      `n = ${n}: stratified reference against exact: ` +
        `relative L2 error ${lastExact.referenceCalibration.error!.relativeL2.toFixed(4)} (${mc.seconds.toFixed(1)} s)`,
    );
  }
  log(`ledger: signing and verifying ${o.ledgerEntries} entries`);
  const ledger = timeLedger(o.ledgerEntries);
  log(
    `ledger: ${ledger.entriesSignedPerSecond} entries/s signed, ${ledger.entriesVerifiedPerSecond} entries/s verified`,
  );
  return {
    benchmark: 'payouts',
    date: new Date().toISOString(),
    machine,
    options: o,
    setup: {
      data: o.data,
      label: o.label,
      rows: p.rowsOfTable,
      features: p.features,
      trainRows: p.train.length,
      validationRows: p.validation.n,
      split:
        "training rows split IID into n - 1 shards (seeded); participant n - 1 holds a copy of participant 0's shard",
      standardisation: 'pooled mean and std of the training rows',
      metric: o.metric,
      utility:
        `${o.metric === 'auc' ? 'AUC' : 'negated log loss'} (evaluateBinary, as coordinator validationUtility) ` +
        "on the held-out validation rows of the model FedAvg would produce from round t's start with only the " +
        "coalition's updates (federatedRoundGames); values are summed over rounds",
      strategy:
        `FedAvg (server learning rate 1), local trainLogistic ${JSON.stringify(o.local)}, ` +
        `weight = example count, ${o.rounds} rounds, all participants every round`,
      noisy: "participant 1 (index 1): its shard's labels shuffled",
      duplicate: "participant n - 1: an exact copy of participant 0's rows (its own SGD shuffling seed)",
    },
    sizes,
    ledger,
    totalSeconds: fixed(secondsSince(started), 1),
    pass: ledger.ok && sizes.every((s) => s.methods.length === o.estimators.length + 1),
  };
}

export function runPayoutsBench(log: (line: string) => void): Promise<PayoutsBenchReport> {
  return runPayoutsBenchWith(PAYOUTS_DEFAULTS, log);
}

const sci = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2);

export function renderPayoutsBench(r: PayoutsBenchReport): string {
  const rows: (string | number)[][] = [];
  for (const s of r.sizes) {
    for (const m of s.methods) {
      rows.push([
        s.players,
        m.label,
        m.seconds,
        m.evaluations,
        m.permutations ?? '-',
        m.roundsSkipped ?? '-',
        m.error ? sci(m.error.relativeL2) : '(reference)',
        m.error ? sci(m.error.maxAbsOverL1) : '-',
        m.error ? m.error.spearman.toFixed(3) : '-',
        m.method === 'stratified-reference' || m.method === 'shapley' ? '-' : s.reference,
        `${m.noisyRank}${m.noisyLast ? ' (last)' : ''}`,
        m.duplicateRatio.toFixed(3),
      ]);
    }
  }
  const skipped = r.sizes
    .filter((s) => s.exactSkipped)
    .map(
      (s) =>
        `n = ${s.players}: ${s.exactSkipped}; reference: ` +
        `stratified Monte Carlo, ${r.options.referencePerStratum} coalitions per size stratum ` +
        `(relative std. error ${s.referenceRelativeStdErr?.toFixed(4)})`,
    );
  const cal = r.sizes.find((s) => s.referenceCalibration)?.referenceCalibration;
  const calN = r.sizes.find((s) => s.referenceCalibration)?.players;
  return [
    `Contribution valuation on breast_cancer (${r.setup.trainRows} training rows, ` +
      `${r.setup.validationRows} validation), FedAvg ${r.options.rounds} rounds, ` +
      `utility ${r.setup.metric === 'auc' ? 'validation AUC' : 'negated validation log loss'}; ` +
      'participant 1 noisy labels, participant n-1 duplicates participant 0',
    benchTable(
      [
        'n',
        'method',
        'seconds',
        'utilities',
        'permutations',
        'rounds skipped',
        'rel. L2 err',
        'max err/L1',
        'spearman',
        'against',
        'noisy rank',
        'dup/source',
      ],
      rows,
    ),
    ...skipped,
    ...(cal
      ? [
          `Stratified reference at n = ${calN} against exact: relative L2 error ${sci(cal.error!.relativeL2)}, ` +
            `its own relative std. error ${sci(cal.relativeStdErr)} (${cal.seconds.toFixed(1)} s)`,
        ]
      : []),
    '',
    `Ledger: ${r.ledger.entries} entries signed in ${r.ledger.signSeconds} s ` +
      `(${r.ledger.entriesSignedPerSecond} entries/s), verified in ${r.ledger.verifySeconds} s ` +
      `(${r.ledger.entriesVerifiedPerSecond} entries/s), ${(r.ledger.bytes / 2 ** 20).toFixed(1)} MiB of JSON Lines`,
    `total ${r.totalSeconds} s`,
  ].join('\n');
}
