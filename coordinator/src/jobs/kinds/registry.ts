import { JobSpecError } from '@tessera/jobs';
import { catalogueKind } from './catalogue/catalogue-kind.js';
import type { JobKind } from './job-kind.js';
import { overlapKind } from './overlap/overlap-kind.js';
import { queryKind } from './query/query-kind.js';
import { recommendKind } from './recommend/recommend-kind.js';
import { scoreKind } from './score/score-kind.js';
import { trainKind } from './train/train-kind.js';
import { verticalKind } from './vertical/vertical-kind.js';
import { verticalScoreKind } from './vertical/vertical-score-kind.js';

/** Every job kind the coordinator runs, by the spec's `kind` (absent: train). */
const KINDS: ReadonlyMap<string, JobKind> = new Map(
  [trainKind, queryKind, scoreKind, overlapKind, verticalKind, verticalScoreKind, recommendKind, catalogueKind].map(
    (k) => [k.name, k],
  ),
);

/** The kind a spec names, or a JobSpecError naming the known kinds. */
export function jobKindOf(spec: unknown): JobKind {
  const named = (spec as { kind?: unknown } | null)?.kind ?? 'train';
  const kind = typeof named === 'string' ? KINDS.get(named) : undefined;
  if (!kind)
    throw new JobSpecError('kind', `must be one of ${[...KINDS.keys()].join(', ')}, got ${JSON.stringify(named)}`);
  return kind;
}

/** The kind of a stored job. */
export const jobKindOfStored = (specJson: string): JobKind => jobKindOf(JSON.parse(specJson || '{}'));
