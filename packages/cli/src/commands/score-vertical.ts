// `tessera score --vertical`: the guest and host of a vertical job score the customers they share, jointly.
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { analystConnection } from '../context.js';
import { printVerticalScore } from './vertical-output.js';

export interface VerticalScoreOptions {
  job?: string;
  model?: string;
  dataset?: string;
  hostDataset?: string;
  idColumn?: string;
  hostIdColumn?: string;
  sealed?: boolean;
  coordinator?: string;
  keys?: string;
  dataDir?: string;
  tlsFingerprint?: string;
  insecure?: boolean;
  json?: boolean;
}

interface Party {
  participant: string;
  role: 'guest' | 'host';
  dataset: string;
  idColumn: string;
}

/**
 * Submits a vertical-score job built from the trained vertical job's parties (the guest's data set and id column, and
 * the host's, replaced where the flags say), follows it with progress on stderr, and prints the summary the analyst
 * receives; the scores stay with the guest.
 */
export async function scoreVertical(o: VerticalScoreOptions): Promise<void> {
  if (!o.job)
    throw new UsageError('--vertical needs --job ID: the completed vertical job whose model scores (tessera job list)');
  if (o.model)
    throw new UsageError(
      '--model is a model file for encrypted scoring; a vertical model stays with its parties: name the job with --job',
    );
  if (o.sealed)
    throw new UsageError('--sealed is encrypted scoring of a horizontal model; leave it out with --vertical');
  const { AnalystClient, runVerticalScore } = await import('@tessera/sdk');
  const { address, identity, security } = await analystConnection(o);
  const client = new AnalystClient(address, identity, security);
  try {
    const trained = await client.get(o.job);
    if (trained.spec.kind !== 'vertical')
      throw new UsageError(
        `job ${o.job} is a ${String(trained.spec.kind ?? 'train')} job; --vertical scores with a vertical job`,
      );
    if (trained.status !== 'completed')
      throw new UsageError(`vertical job ${o.job} is ${trained.status}; only a completed job's model can score`);
    const parties = (trained.spec.parties as Party[]).map((p) =>
      p.role === 'guest'
        ? { ...p, dataset: o.dataset ?? p.dataset, idColumn: o.idColumn ?? p.idColumn }
        : { ...p, dataset: o.hostDataset ?? p.dataset, idColumn: o.hostIdColumn ?? o.idColumn ?? p.idColumn },
    );
    const { job, result } = await runVerticalScore(
      client,
      {
        name: `score with ${trained.name}`,
        model: o.job,
        parties: parties.map(({ participant, role, dataset, idColumn }) => ({ participant, role, dataset, idColumn })),
      },
      (_job, message) => {
        if (!o.json && message) process.stderr.write(`${message}\n`);
      },
    );
    if (o.json) return printJson({ jobId: job.id, ...result });
    printVerticalScore(result);
  } finally {
    client.close();
  }
}
