import type { AnalystClient, JobView } from '@tessera/sdk';
import { ProgressBar } from './ui/progress.js';

/** Follows a job with a live progress bar (round i/n, loss, AUC, elapsed, ETA); resolves with the final view. */
export async function watchWithProgress(analyst: AnalystClient, jobId: string, opts: { quiet?: boolean; bar?: boolean } = {}): Promise<JobView> {
  let bar: ProgressBar | undefined;
  const final = await analyst.watch(jobId, (job, message) => {
    bar ??= new ProgressBar(job.roundsTotal, `job ${job.id}`, opts.bar === undefined ? {} : { enabled: opts.bar });
    const last = [...job.history].reverse().find((h) => h.stage === 'fit' && h.status === 'completed');
    const detail = last ? `loss ${fmt(last.metrics.loss)}  AUC ${fmt(last.metrics.auc)}` : job.status;
    bar.update(job.roundsCompleted, detail);
    if (!opts.quiet && !process.stderr.isTTY && message) process.stderr.write(`${message}\n`);
  });
  bar?.finish();
  return final;
}

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4));
