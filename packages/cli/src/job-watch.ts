import { attachSealed, type AnalystClient, type AnalystKeys, type JobView } from '@tessera/sdk';
import { missingEvaluation, modesOfSpec } from './demo/missing-metric.js';
import { ProgressBar } from './ui/progress.js';

export interface WatchOptions {
  quiet?: boolean;
  bar?: boolean;
  /** Stops watching (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** More text for the bar, after loss and AUC. */
  detail?: () => string;
}

/** Follows a job with a live progress bar (round i/n, loss, AUC, elapsed, ETA); resolves with the final view. */
export async function watchWithProgress(
  analyst: AnalystClient,
  jobId: string,
  opts: WatchOptions = {},
): Promise<JobView> {
  let bar: ProgressBar | undefined;
  let last: { done: number; detail: string } | undefined;
  let waiting: string | undefined;
  const draw = () => {
    if (!bar || !last) return;
    const extra = opts.detail?.();
    bar.update(last.done, extra ? `${last.detail}  ${extra}` : last.detail);
  };
  let final: JobView;
  try {
    final = await analyst.watch(
      jobId,
      (job, message) => {
        bar ??= new ProgressBar(job.roundsTotal, `job ${job.id}`, opts.bar === undefined ? {} : { enabled: opts.bar });
        const fit = [...job.history].reverse().find((h) => h.stage === 'fit' && h.status === 'completed');
        // "waiting for participants (1/2 serving customers): ..." stays on the bar until the next event replaces it.
        if (message?.startsWith(WAITING)) waiting = message;
        else if (message && !message.startsWith(`job ${job.id} is `)) waiting = undefined;
        last = {
          done: job.roundsCompleted,
          detail: waiting ?? (fit ? roundDetail(job, fit) : job.status),
        };
        draw();
        if (!opts.quiet && !process.stderr.isTTY && message) process.stderr.write(`${message}\n`);
      },
      undefined,
      opts.signal,
    );
  } finally {
    bar?.finish();
  }
  return final;
}

/**
 * Sealed mode: answers the job's encrypted aggregates with the analyst keys (`attachSealed`) while
 * following it with the progress bar; resolves with the final view once the job ended. A failure to
 * attach (a job that is not sealed, a refused token) stops the watch and rejects.
 */
export async function followSealed(
  analyst: AnalystClient,
  jobId: string,
  keys: AnalystKeys,
  opts: Omit<WatchOptions, 'signal' | 'detail'> & {
    /** The spec as this analyst submitted it: aggregates are checked and decoded against it, not the coordinator's. */
    spec?: object;
  } = {},
): Promise<JobView> {
  const stop = new AbortController();
  let answered = 0;
  let refused = 0;
  const attached = attachSealed(analyst, jobId, keys, {
    signal: stop.signal,
    ...(opts.spec ? { spec: opts.spec } : {}),
    onAggregate: (round, stage, error) => {
      if (error) refused++;
      else answered++;
      if (!opts.quiet && !process.stderr.isTTY) {
        process.stderr.write(
          error
            ? `refused the sealed ${stage} aggregate of round ${round}: ${error}\n`
            : `decrypted the sealed ${stage} aggregate of round ${round}\n`,
        );
      }
    },
  }).catch((e: unknown) => {
    if (!stop.signal.aborted) stop.abort(e instanceof Error ? e : new Error(String(e)));
    throw e;
  });
  attached.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  const job = await watchWithProgress(analyst, jobId, {
    ...opts,
    signal: stop.signal,
    detail: () => `sealed: ${answered} decrypted${refused ? `, ${refused} refused` : ''}`,
  });
  // The coordinator ends the AttachSealed stream when the job ends; do not wait for it forever.
  const grace = setTimeout(() => stop.abort(), 5_000);
  try {
    await attached;
  } finally {
    clearTimeout(grace);
  }
  return job;
}

/** How the coordinator begins the standing message of a job still waiting for its participants. */
const WAITING = 'waiting for participants';

/** A completed round's loss and AUC for the bar; a missing one says why (sealed, DP, too few). */
export function roundDetail(job: JobView, fit: JobView['history'][number]): string {
  const fmt = (v: number | undefined) =>
    v === undefined || !Number.isFinite(v)
      ? missingEvaluation(modesOfSpec(job.spec), fit.contributors).cell
      : v.toFixed(4);
  return `loss ${fmt(fit.metrics.loss)}  AUC ${fmt(fit.metrics.auc)}`;
}
