// What this node checks of a SCORE task before it encrypts anything: the analyst's signed keys, the segments.
import type { RawTable } from '@tessera/data';
import type { ScoreSpec } from '@tessera/jobs';
import { type tessera, verifyScoringSetup } from '@tessera/proto';
import { uniquePerRow } from './consent/identifier-columns.js';
import { type ConsentPolicy, DEFAULT_MIN_GROUP_SIZE, datasetRules } from './consent/policy.js';
import { PrivacyRefusal, taskSpecOf } from './privacy/task-spec.js';
import { QueryGuardRefusal } from './query-guard.js';

/** The spec of a score task, whose analyst signed both it and the scoring keys; or a PrivacyRefusal. */
export function signedScoreSpec(task: tessera.v1.ITask, trustedAnalysts: readonly string[]): ScoreSpec {
  const spec = taskSpecOf(task);
  if (spec?.kind !== 'score')
    throw new PrivacyRefusal(
      'a score task must carry its score job spec (to check the scoring keys against); refused before reading any data',
    );
  if (!spec.signed)
    throw new PrivacyRefusal(
      "the score job's spec carries no analyst signature, so no analyst vouches for its scoring keys; " +
        'refusing to encrypt under them',
    );
  const identity = task.analystIdentity ?? new Uint8Array(0);
  if (!task.scoring || !verifyScoringSetup(task.specJson ?? '', task.scoring, identity)) {
    throw new PrivacyRefusal(
      `the scoring keys of this task are not signed by the analyst ${spec.analyst.slice(0, 16)}… who signed the ` +
        'job spec (ScoringSetup.signature over that spec and the keys): they may be the coordinator’s own; ' +
        'refusing to encrypt under them',
    );
  }
  if (trustedAnalysts.length && !trustedAnalysts.includes(spec.analyst))
    throw new PrivacyRefusal(
      `the score job's analyst ${spec.analyst} is not among this node's trustedAnalysts: refusing to encrypt under ` +
        'its keys',
    );
  return spec.spec;
}

/** What the owner's policy says of scoring one data set. */
export interface ScoreRules {
  /** Exact totals: a segment with fewer of this node's rows is sent as 0 (suppressed). */
  minSegmentRows: number;
  identifierColumns: readonly string[];
  /** The owner allows identifier columns as group keys (datasets.NAME.allowIdentifierQueries). */
  allowIdentifierSegments: boolean;
}

/**
 * The policy's rules for scoring `dataset`: its minGroupSize (default 20, also without a policy),
 * identifierColumns and allowIdentifierQueries, the same rules as for its queries.
 */
export function scoreRulesOf(policy: ConsentPolicy | undefined, dataset: string): ScoreRules {
  if (!policy) return { minSegmentRows: DEFAULT_MIN_GROUP_SIZE, identifierColumns: [], allowIdentifierSegments: false };
  const r = datasetRules(policy, dataset);
  return {
    minSegmentRows: r.minGroupSize,
    identifierColumns: r.identifierColumns,
    allowIdentifierSegments: r.allowIdentifierQueries,
  };
}

/**
 * Refuses segments by a column that identifies rows: one the owner lists as an identifier, or one
 * whose values are unique per row in this data set (its segments would be single customers),
 * unless the owner allows identifier group keys.
 */
export function checkSegmentColumn(task: tessera.v1.ITask, table: RawTable, rules: ScoreRules): void {
  const column = task.segmentBy ?? '';
  if (!column || rules.allowIdentifierSegments) return;
  const dataset = task.dataset ?? '';
  const why = rules.identifierColumns.includes(column)
    ? 'the data owner lists it as an identifier'
    : uniquePerRow(table, column)
      ? 'its values are unique per row in this data set, so each segment would be a single customer'
      : undefined;
  if (why)
    throw new QueryGuardRefusal(
      `scoring refused by the data owner's rules: it segments by column "${column}", and ${why}; segment by a ` +
        `coarser column (the data owner can allow it with datasets.${dataset}.allowIdentifierQueries: true in this ` +
        "node's consent policy)",
    );
}
