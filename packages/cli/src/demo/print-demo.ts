import type { DemoResult } from './demo-result.js';
import { renderTable } from '../ui/table.js';
import { missingEvaluation, missingTrainLoss, type MissingMetric } from './missing-metric.js';
import { STRATEGY_FLAGS, type StrategyOption } from './demo-strategy.js';
import type { DemoTask } from './demo-task.js';
import { headline, type Quality } from './quality.js';

type History = DemoResult['history'][number];

/** The quality columns of the comparison table, by task. */
const QUALITY_COLUMNS: Record<DemoTask, [string, (q: Quality) => number | undefined][]> = {
  binary: [
    ['AUC', (q) => q.auc],
    ['accuracy', (q) => q.accuracy],
    ['log loss', (q) => q.logLoss],
  ],
  multiclass: [
    ['accuracy', (q) => q.accuracy],
    ['macro F1', (q) => q.macroF1],
    ['log loss', (q) => q.logLoss],
  ],
  regression: [
    ['RMSE', (q) => q.rmse],
    ['MAE', (q) => q.mae],
    ['R²', (q) => q.r2],
  ],
};

/** The per-round federated evaluation columns, by task (from the job's history). */
const ROUND_COLUMNS: Record<DemoTask, [string, (h: History) => number | undefined][]> = {
  binary: [['AUC', (h) => h.auc]],
  multiclass: [['accuracy', (h) => h.accuracy]],
  regression: [
    ['RMSE', (h) => h.rmse],
    ['R²', (h) => h.r2],
  ],
};

/**
 * The demo's human-readable report: the per-round table, the comparison with centralised and local-only training,
 * and the privacy, secure-aggregation and payout lines.
 */
export function printDemo(r: DemoResult): void {
  process.stdout.write(demoReport(r));
}

/** The report printDemo writes, as text. */
export function demoReport(r: DemoResult): string {
  const out: string[] = [];
  out.push(`Tessera demo: ${r.participants} participants, ${r.rounds} rounds over gRPC on loopback`);
  out.push(`data: ${r.data}; split: ${r.split}; a held-out test split no participant saw`);
  if (r.model) out.push(modelLine(r.model, r.strategy));
  out.push(
    r.secure.mode === 'masked'
      ? `aggregation: SecAgg+ masking (threshold ${r.secure.threshold}, ${r.secure.degree} neighbours each): ` +
          `the coordinator saw only sums; ${r.secure.dropped} dropouts recovered`
      : r.secure.mode === 'sealed'
        ? `aggregation: sealed (SecAgg+ under the analyst's BFV key, threshold ${r.secure.threshold}): ` +
          'the coordinator added ciphertexts, ' +
          `only the analyst decrypted the sums; ${r.secure.dropped} dropouts recovered`
        : `aggregation: plaintext (--secure none): the coordinator saw every update; ${r.secure.dropped} dropouts`,
  );
  if (r.privacy.mode !== 'none') {
    out.push(
      `differential privacy: ${r.privacy.mode}, ${r.privacy.unit} level, ` +
        `epsilon ${r.privacy.epsilon.toFixed(3)} spent at delta ${r.privacy.delta} ` +
        `(noise multiplier ${r.privacy.noiseMultiplier?.toFixed(3)}, clip ${r.privacy.clip})`,
    );
  }
  if (r.altered?.noisy)
    out.push(`data quality: ${r.altered.noisy}'s labels are scrambled (--noisy-participant): its data is pure noise`);
  if (r.altered?.duplicate)
    out.push(
      `data quality: ${r.altered.duplicate.participant} holds a copy of ${r.altered.duplicate.copyOf}'s ` +
        'rows (--duplicate-participant)',
    );
  out.push('');
  const task = r.model?.task ?? 'binary';
  const columns = QUALITY_COLUMNS[task];
  const row = (name: string, q: Quality, extra = '') => [name, ...columns.map(([, of]) => of(q) ?? Number.NaN), extra];
  out.push(
    renderTable(
      ['model (on the global test split)', ...columns.map(([title]) => title), 'note'],
      [
        row('federated (Tessera)', r.federated, 'raw rows never left the participants'),
        row('centralized (pooled data)', r.centralized, 'the ceiling: needs all data in one place'),
        ...r.localOnly.map((l) => row(`${l.participant} alone`, l, `${l.rows} rows`)),
        row('mean of local-only models', r.localOnlyMean, 'what each merchant gets without federation'),
      ],
    ),
  );
  out.push('');
  // A missing metric says why in its cell; each reason used is spelled out once under the table.
  const notes = new Set<string>();
  const metric = (v: number | undefined, missing: () => MissingMetric): string | number => {
    if (v !== undefined && Number.isFinite(v)) return v;
    const m = missing();
    notes.add(m.note);
    return m.cell;
  };
  // A node that dropped out is absent until it has reconnected: say so, so that the columns add up.
  const absent = r.history.some((h) => h.absent > 0);
  out.push(
    renderTable(
      [
        'round',
        'train loss',
        'federated eval loss',
        ...ROUND_COLUMNS[task].map(([title]) => title),
        'contributors',
        'dropped',
        ...(absent ? ['absent'] : []),
        'seconds',
      ],
      r.history.map((h) => [
        h.round,
        metric(h.trainLoss, () => missingTrainLoss(r, h.contributors)),
        metric(h.loss, () => missingEvaluation(r, h.contributors)),
        ...ROUND_COLUMNS[task].map(([, of]) => metric(of(h), () => missingEvaluation(r, h.contributors))),
        h.contributors,
        h.dropped,
        ...(absent ? [h.absent] : []),
        h.seconds,
      ]),
    ),
  );
  out.push(...notes);
  if (task === 'regression')
    out.push('losses: half the mean squared error, in label units (participants train on the label scaled to [-1, 1])');
  if (absent)
    out.push(
      `absent: not connected when the round began (a node that dropped out reconnects after its backoff); ` +
        `contributors + dropped + absent = ${r.participants} participants`,
    );
  out.push('');
  const h = headline(task);
  const [fed, central, local] = [r.federated, r.centralized, r.localOnlyMean].map(h.of) as [number, number, number];
  out.push(
    `federated ${h.name} ${fed.toFixed(4)} vs centralized ${central.toFixed(4)} ` +
      `(gap ${(central - fed).toFixed(4)}); ` +
      `vs local-only mean ${local.toFixed(4)} ` +
      `(gain ${(fed - local).toFixed(4)})`,
  );
  out.push(
    `time: ${r.timing.totalSeconds.toFixed(1)} s in all, median round ${r.timing.roundSecondsMedian.toFixed(3)} s`,
  );
  if (r.payouts) {
    const p = r.payouts;
    out.push('');
    out.push(
      `payout: ${p.pool} ${p.currency} (minor units) split by ${p.method} value of each contribution ` +
        '(log loss on the held-out split)',
    );
    out.push(
      renderTable(
        ['participant', 'value', 'share', `amount (${p.currency})`],
        p.entries.map((e) => [e.name, e.value, e.share, e.amount]),
      ),
    );
    out.push(
      `ledger head ${p.ledgerHead}, signed by coordinator key ${p.coordinatorPublicKey}` +
        (p.ledgerFile
          ? `\nexported to ${p.ledgerFile}; check it with: ` +
            `tessera ledger verify ${p.ledgerFile} --key ${p.coordinatorPublicKey}`
          : ''),
    );
  }
  return `${out.join('\n')}\n`;
}

/** What was trained: the model, its task and the strategy. */
function modelLine(m: NonNullable<DemoResult['model']>, strategy: DemoResult['strategy']): string {
  const layers = m.hidden ? ` [${m.hidden.join(', ')}]` : '';
  const task =
    m.task === 'multiclass'
      ? `multiclass (${m.classes?.length} classes)`
      : m.task === 'regression'
        ? `regression (label range ${m.labelRange?.join(' to ')}; metrics in label units)`
        : 'binary';
  const options = Object.entries(strategy?.options ?? {})
    .map(([k, v]) => `${STRATEGY_FLAGS[k as StrategyOption] ?? k} ${v}`)
    .join(', ');
  const name = strategy?.name ?? 'fedavg';
  return `model: ${m.kind}${layers}, ${task}; strategy ${name}${options ? ` (${options})` : ''}; ${m.optimiser}`;
}
