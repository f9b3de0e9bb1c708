// The vertical demo's human-readable report: who holds what, then federated vs centralised vs guest-only.
import { renderTable } from '../../ui/table.js';
import type { VerticalDemoResult } from './run-vertical-demo.js';
import type { VerticalQuality } from './vertical-baselines.js';

export function printVerticalDemo(r: VerticalDemoResult): void {
  process.stdout.write(verticalDemoReport(r));
}

/** The report printVerticalDemo writes, as text. */
export function verticalDemoReport(r: VerticalDemoResult): string {
  const v = r.vertical;
  const s = v.settings;
  const out: string[] = [];
  out.push(`Tessera vertical demo: ${v.guest.name} (guest) and ${v.host.name} (host) over gRPC on loopback`);
  out.push(
    `data: ${v.data}, split by columns: ${v.guest.name} holds the label and ${v.guest.columns.length} columns ` +
      `(${v.guest.columns.join(', ')}), ${v.host.name} the other ${v.host.columns.length}`,
  );
  out.push(
    `customers: ${v.rows.shared} at both nodes (--overlap ${v.overlap}), ${v.rows.guestOnly} at ${v.guest.name} ` +
      `only, ${v.rows.hostOnly} at ${v.host.name} only; private set intersection found ${v.sharedFound} shared`,
  );
  out.push(
    s.kind === 'secureboost'
      ? `model: SecureBoost, ${s.trees} trees of depth ${s.depth}, ${s.bins} bins, learning rate ${s.learningRate}` +
          ' (gradients encrypted under BFV)'
      : `model: vertical logistic regression, ${s.epochs} epochs, batch ${s.batchSize}, learning rate ` +
          `${s.learningRate}, l2 ${s.l2} (under BFV with masking)`,
  );
  out.push(`baselines: ${v.baseline}`);
  out.push('');
  const row = (name: string, q: VerticalQuality, note: string) => [
    name,
    q.auc,
    q.accuracy,
    q.logLoss,
    `${q.trainRows}/${q.testRows}`,
    note,
  ];
  out.push(
    renderTable(
      ['model (on the held-out shared customers)', 'AUC', 'accuracy', 'log loss', 'train/test', 'note'],
      [
        row('federated (Tessera)', v.federated, 'no row or column left its node'),
        row('centralized (joined data)', v.centralized, 'the ceiling: needs both tables in one place'),
        row(`${v.guest.name} alone (guest-only)`, v.guestOnly, `what ${v.guest.name} gets without ${v.host.name}`),
      ],
    ),
  );
  if (s.kind === 'vertical-logistic')
    out.push(
      'vertical logistic regression trains on the Taylor expansion of the logistic loss (what its encrypted ' +
        'protocol can sum), so it ranks like exact LR (AUC) but its probabilities are less calibrated: expect a ' +
        'higher log loss and a lower accuracy at 0.5 than the baselines, which train on the exact loss',
    );
  out.push('');
  out.push(
    `federated AUC ${v.federated.auc.toFixed(4)} vs centralized ${v.centralized.auc.toFixed(4)} ` +
      `(gap ${(v.centralized.auc - v.federated.auc).toFixed(4)}); vs ${v.guest.name} alone ` +
      `${v.guestOnly.auc.toFixed(4)} (gain ${(v.federated.auc - v.guestOnly.auc).toFixed(4)})`,
  );
  out.push(
    `time: ${v.seconds.total.toFixed(1)} s in all, the job ${v.seconds.job.toFixed(1)} s; the coordinator relayed ` +
      `${(v.relayedBytes / 1e6).toFixed(1)} MB of sealed messages`,
  );
  return `${out.join('\n')}\n`;
}
