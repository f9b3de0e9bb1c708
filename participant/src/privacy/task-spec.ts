import { sha256Hex, verify } from '@tessera/crypto';
import {
  JOB_SPEC_CONTEXT,
  JobSpecError,
  parseCatalogueSpec,
  parseJobSpec,
  parseOverlapSpec,
  parseQuerySpec,
  parseRecommendSpec,
  parseScoreSpec,
  parseVerticalScoreSpec,
  parseVerticalSpec,
  type CatalogueJobSpec,
  type JobSpec,
  type OverlapSpec,
  type QuerySpec,
  type RecommendJobSpec,
  type ScoreSpec,
  type VerticalScoreSpec,
  type VerticalSpec,
} from '@tessera/jobs';
import type { QueryPlan } from '@tessera/analytics';
import type { tessera } from '@tessera/proto';

/** A privacy refusal: the task is less private than the job's signed spec or this node's policy allows. */
export class PrivacyRefusal extends Error {
  constructor(message: string) {
    super(message.startsWith('privacy') ? message : `privacy check: ${message}`);
    this.name = 'PrivacyRefusal';
  }
}

/** The job spec a task carries, parsed here with the same parser the coordinator uses. */
export type TaskSpec =
  | { kind: 'train'; spec: JobSpec; signed: boolean; analyst: string }
  | { kind: 'query'; spec: QuerySpec; plan: QueryPlan; signed: boolean; analyst: string }
  | { kind: 'score'; spec: ScoreSpec; signed: boolean; analyst: string }
  | { kind: 'overlap'; spec: OverlapSpec; signed: boolean; analyst: string }
  | { kind: 'vertical'; spec: VerticalSpec; signed: boolean; analyst: string }
  | { kind: 'vertical-score'; spec: VerticalScoreSpec; signed: boolean; analyst: string }
  | { kind: 'recommend'; spec: RecommendJobSpec; signed: boolean; analyst: string }
  | { kind: 'catalogue'; spec: CatalogueJobSpec; signed: boolean; analyst: string }
  | { kind: 'other'; signed: boolean; analyst: string };

const cache = new Map<string, TaskSpec>();

/**
 * The spec of the task's job, or undefined when the task carries none (a coordinator that does not
 * send it, or a test driving a node by hand). A signature that is present must verify under the
 * task's analyst identity over the exact spec text, or the task is refused: a coordinator cannot
 * then change any parameter the analyst signed. An unsigned spec is still the job as submitted, as
 * far as the coordinator says; this node's own policy (budgets, DP required) bounds what it can ask.
 */
export function taskSpecOf(task: tessera.v1.ITask): TaskSpec | undefined {
  const text = task.specJson ?? '';
  if (!text) return undefined;
  const signature = task.specSignature ?? new Uint8Array(0);
  const identity = task.analystIdentity ?? new Uint8Array(0);
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  const key = `${sha256Hex(new TextEncoder().encode(text))}/${hex(signature)}/${hex(identity)}`;
  const kept = cache.get(key);
  if (kept) return kept;
  const analyst = Buffer.from(identity).toString('hex');
  if (
    signature.length > 0 &&
    (identity.length !== 32 || !verify(JOB_SPEC_CONTEXT, new TextEncoder().encode(text), signature, identity))
  ) {
    throw new PrivacyRefusal(
      `the job spec's signature does not verify under the analyst identity ${analyst.slice(0, 16) || '(none)'}…: ` +
        'the spec was changed after the analyst signed it; refused before reading any data',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PrivacyRefusal('the task carries a job spec that is not JSON; refused before reading any data');
  }
  const kind = (parsed as { kind?: unknown } | null)?.kind;
  let out: TaskSpec;
  try {
    if (kind === 'query') {
      const { spec, plan } = parseQuerySpec(parsed);
      out = { kind: 'query', spec, plan, signed: signature.length > 0, analyst };
    } else if (kind === 'score') {
      out = { kind: 'score', spec: parseScoreSpec(parsed), signed: signature.length > 0, analyst };
    } else if (kind === 'overlap') {
      out = { kind: 'overlap', spec: parseOverlapSpec(parsed), signed: signature.length > 0, analyst };
    } else if (kind === 'vertical') {
      out = { kind: 'vertical', spec: parseVerticalSpec(parsed), signed: signature.length > 0, analyst };
    } else if (kind === 'vertical-score') {
      out = { kind: 'vertical-score', spec: parseVerticalScoreSpec(parsed), signed: signature.length > 0, analyst };
    } else if (kind === 'recommend') {
      out = { kind: 'recommend', spec: parseRecommendSpec(parsed), signed: signature.length > 0, analyst };
    } else if (kind === 'catalogue') {
      out = { kind: 'catalogue', spec: parseCatalogueSpec(parsed), signed: signature.length > 0, analyst };
    } else if (kind === undefined || kind === 'train') {
      out = { kind: 'train', spec: parseJobSpec(parsed), signed: signature.length > 0, analyst };
    } else {
      out = { kind: 'other', signed: signature.length > 0, analyst };
    }
  } catch (e) {
    if (e instanceof JobSpecError)
      throw new PrivacyRefusal(`the task's job spec is invalid (${e.message}); refused before reading any data`);
    throw e;
  }
  if (cache.size > 256) cache.clear();
  cache.set(key, out);
  return out;
}
