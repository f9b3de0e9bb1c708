// Runs the vertical demo: a guest ("bank") and a host ("platform") node over gRPC, one vertical job, and the
// plaintext centralised and guest-only baselines on the same training and test customers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFederation, runVertical } from '@tessera/sdk';
import { UsageError } from '../../ui/errors.js';
import {
  heldOutRows,
  verticalBaselines,
  type VerticalModelSettings,
  type VerticalQuality,
} from './vertical-baselines.js';
import { loadVerticalData } from './vertical-data.js';

export const VERTICAL_DEMO_MODELS = ['vertical-logistic', 'secureboost'] as const;
export type VerticalDemoModel = (typeof VERTICAL_DEMO_MODELS)[number];

/** The node names of the demo: the guest holds the label, the host other columns of the same customers. */
export const GUEST_NAME = 'bank';
export const HOST_NAME = 'platform';

export interface VerticalDemoOptions {
  data: string;
  label: string;
  guestColumns?: string[];
  overlap: number;
  seed: string;
  /** Share of the shared customers held out for evaluation, in (0, 0.5]. */
  testFraction: number;
  model: VerticalModelSettings;
  runtime: 'worker' | 'inline';
  /** Keep the federation's files here instead of a temporary directory. */
  keep?: string;
  /** Progress lines (alignment, epochs or trees, job events); default none. */
  progress?: (line: string) => void;
}

export interface VerticalDemoResult {
  vertical: {
    model: VerticalModelSettings['kind'];
    /** The share of rows at both nodes asked for (--overlap), and the resulting counts. */
    overlap: number;
    rows: { total: number; shared: number; guestOnly: number; hostOnly: number };
    data: string;
    guest: { name: string; columns: string[] };
    host: { name: string; columns: string[] };
    settings: VerticalModelSettings;
    /** How the baselines were trained, in words. */
    baseline: string;
    federated: VerticalQuality;
    centralized: VerticalQuality;
    guestOnly: VerticalQuality;
    /** Customers both nodes found by PSI (equals rows.shared). */
    sharedFound: number;
    relayedBytes: number;
    seconds: { job: number; total: number };
  };
}

/** Checks what the protocol would refuse mid-run, so that the demo says so up front with the flag to change. */
function checkRunnable(o: VerticalDemoOptions, guestColumns: number, hostColumns: number, trainRows: number): void {
  if (o.model.kind !== 'vertical-logistic') return;
  // Every step needs at least twice the widest party's column count (the guest's include its bias).
  const minRows = 2 * Math.max(guestColumns + 1, hostColumns);
  if (o.model.batchSize < minRows)
    throw new UsageError(
      `--batch-size ${o.model.batchSize} is too small for ${guestColumns} guest and ${hostColumns} host columns: ` +
        `each step needs at least ${minRows} rows (twice the widest party's columns); give --batch-size ${minRows} ` +
        'or more',
    );
  if (trainRows < minRows)
    throw new UsageError(
      `only ${trainRows} shared customers are left to train on; vertical logistic regression needs at least ` +
        `${minRows} here: raise --overlap or use a larger --data file`,
    );
}

export async function runVerticalDemo(o: VerticalDemoOptions): Promise<VerticalDemoResult> {
  const started = performance.now();
  const say = o.progress ?? (() => undefined);
  if (!(o.testFraction > 0 && o.testFraction <= 0.5))
    throw new UsageError(`--test-fraction must be in (0, 0.5] for a vertical job, got ${o.testFraction}`);
  const data = loadVerticalData({
    data: o.data,
    label: o.label,
    ...(o.guestColumns ? { guestColumns: o.guestColumns } : {}),
    overlap: o.overlap,
    seed: o.seed,
  });
  const split = heldOutRows(data, o.seed, o.testFraction);
  checkRunnable(o, data.guestColumns.length, data.hostColumns.length, split.train.length);
  if (split.test.length === 0 || split.train.length < 2)
    throw new UsageError(
      `the ${data.shared.length} shared customers leave ${split.test.length} to test and ${split.train.length} to ` +
        'train; raise --overlap or --test-fraction, or use a larger --data file',
    );
  const dataset = 'customers';
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'tessera-vertical-demo-'));
  const names = new Map<string, string>();
  // Participants log their vertical progress as "participant <id>: vertical <job> <phase>: <detail>".
  const log = (line: string) => {
    const m = /^participant (\S+): vertical \S+ (\w+): (.*)$/.exec(line);
    if (m) say(`${names.get(m[1]!) ?? m[1]} ${m[2]}: ${m[3]}`);
  };
  say(
    `starting a coordinator, ${GUEST_NAME} (guest: ${data.label} and ${data.guestColumns.length} columns, ` +
      `${data.guestTable.rows.length} customers) and ${HOST_NAME} (host: ${data.hostColumns.length} columns, ` +
      `${data.hostTable.rows.length} customers)`,
  );
  let fed: LocalFederation | undefined;
  let outcome: Awaited<ReturnType<typeof runVertical>>;
  const jobStarted = performance.now();
  try {
    fed = await LocalFederation.start({
      dir,
      shards: [data.guestTable, data.hostTable],
      names: [GUEST_NAME, HOST_NAME],
      dataset,
      runtime: o.runtime,
      log,
    });
    const [guest, host] = fed.participants as [(typeof fed.participants)[0], (typeof fed.participants)[0]];
    names.set(guest.id, guest.name);
    names.set(host.id, host.name);
    const spec = {
      name: `vertical demo (${o.model.kind})`,
      kind: 'vertical',
      parties: [
        {
          participant: guest.id,
          dataset,
          idColumn: data.idColumn,
          role: 'guest',
          label: data.label,
          features: data.guestColumns,
        },
        { participant: host.id, dataset, idColumn: data.idColumn, role: 'host', features: data.hostColumns },
      ],
      minOverlap: Math.min(100, data.shared.length),
      testFraction: o.testFraction,
      seed: o.seed,
      model: o.model,
      waitForParticipantsSeconds: 60,
      timeoutSeconds: 3600,
    };
    outcome = await runVertical(fed.analyst, spec, (_job, message) => say(`job: ${message}`));
  } finally {
    await fed?.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  const jobSeconds = (performance.now() - jobStarted) / 1000;
  const v = outcome.result.vertical;
  say('training the plaintext baselines (centralised and guest-only) on the same customers');
  const { centralized, guestOnly } = verticalBaselines(data, o.model, o.seed, o.testFraction);
  return {
    vertical: {
      model: o.model.kind,
      overlap: o.overlap,
      rows: {
        total: data.ids.length,
        shared: data.shared.length,
        guestOnly: data.guestOnly,
        hostOnly: data.hostOnly,
      },
      data: data.description,
      guest: { name: GUEST_NAME, columns: data.guestColumns },
      host: { name: HOST_NAME, columns: data.hostColumns },
      settings: o.model,
      baseline:
        o.model.kind === 'secureboost'
          ? 'plaintext GBDT (the algorithm SecureBoost runs), same trees, depth, bins, learning rate, lambda and ' +
            'min child weight'
          : 'plaintext logistic regression by mini-batch SGD with the same epochs, batch size, learning rate and l2 ' +
            '(its batches differ: the federation visits rows in its aligned order)',
      federated: v.federated,
      centralized,
      guestOnly,
      sharedFound: v.overlap,
      relayedBytes: v.relayedBytes,
      seconds: { job: jobSeconds, total: (performance.now() - started) / 1000 },
    },
  };
}
