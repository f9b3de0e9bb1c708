import { describe, expect, it } from 'vitest';
import { stageLabel, stageProgress } from '../src/rounds/stage-progress.js';

describe('stage progress lines', () => {
  it('says "<label> <done>/<total> <noun>" once a stage has taken the interval', async () => {
    const lines: string[] = [];
    const progress = stageProgress((l) => lines.push(l), stageLabel('fit', 1, 2), 'uploads', 20);
    progress(1, 200); // too soon: nothing yet
    await new Promise((r) => setTimeout(r, 30));
    progress(150, 200);
    progress(151, 200); // within the interval of the last line: left out
    progress(200, 200); // the last count, since the stage said something before
    expect(lines).toEqual(['round 1/2: fit 150/200 uploads', 'round 1/2: fit 200/200 uploads']);
  });

  it('keeps a quick stage quiet, and names a stage before the rounds alone', () => {
    const lines: string[] = [];
    const progress = stageProgress((l) => lines.push(l), stageLabel('statistics', 0, 2), 'answered', 60_000);
    for (let i = 1; i <= 5; i++) progress(i, 5);
    expect(lines).toEqual([]);
    expect(stageLabel('statistics', 0, 2)).toBe('statistics');
  });
});
