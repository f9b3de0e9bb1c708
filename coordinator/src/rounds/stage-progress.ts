/** At most one progress line per stage this often (a stage of 200 participants would otherwise give 200 lines). */
export const STAGE_PROGRESS_INTERVAL_MS = 2_000;

/**
 * A runStage `onProgress` that tells the job's watchers how far a stage is: "<label> <done>/<total> <noun>", such as
 * "round 1/2: fit 150/200 uploads". The first line comes once the stage has taken `intervalMs`, then at most one per
 * `intervalMs`, and the last count once more when the stage took that long: a quick stage says nothing.
 */
export function stageProgress(
  publish: (line: string) => void,
  label: string,
  noun: string,
  intervalMs = STAGE_PROGRESS_INTERVAL_MS,
): (done: number, total: number) => void {
  let last = performance.now();
  let said = false;
  return (done, total) => {
    const now = performance.now();
    if (done < total ? now - last < intervalMs : !said && now - last < intervalMs) return;
    last = now;
    said = true;
    publish(`${label} ${done}/${total} ${noun}`);
  };
}

/** "round 1/2: fit" for a stage of a round, the stage alone ("statistics") for one before the rounds (round 0). */
export function stageLabel(stage: string, round: number, rounds: number): string {
  return round > 0 ? `round ${round}/${rounds}: ${stage}` : stage;
}
