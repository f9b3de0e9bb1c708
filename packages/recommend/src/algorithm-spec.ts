import type { RecommendAlgorithm } from './algorithm.js';
import { alsAlgorithm } from './als.js';
import { bprAlgorithm } from './bpr.js';

/** What a recommend job chooses: the algorithm and its settings (defaults in DEFAULT_ALS and DEFAULT_BPR). */
export interface RecommendSpec {
  /** Default 'als': higher HR@10 in fewer rounds on the synthetic federation (see the package README). */
  algorithm?: 'als' | 'bpr';
  k: number;
  lambda?: number;
  /** ALS only: confidence weight. */
  alpha?: number;
  /** BPR only: the coordinator's step size. */
  itemRate?: number;
  /** Per-customer L2 bound on the item update (record-level DP). */
  clip?: number;
}

export const DEFAULT_RECOMMEND_ALGORITHM = 'als';
/** Rounds that reach the plateau on the synthetic federation: ALS converges in about 10, BPR needs about 100. */
export const DEFAULT_ROUNDS = { als: 10, bpr: 100 } as const;

export function algorithmFromSpec(spec: RecommendSpec): RecommendAlgorithm {
  const algorithm = spec.algorithm ?? DEFAULT_RECOMMEND_ALGORITHM;
  const common = {
    k: spec.k,
    ...(spec.lambda === undefined ? {} : { lambda: spec.lambda }),
    ...(spec.clip === undefined ? {} : { clip: spec.clip }),
  };
  if (algorithm === 'als')
    return alsAlgorithm({ ...common, ...(spec.alpha === undefined ? {} : { alpha: spec.alpha }) });
  if (algorithm === 'bpr') {
    return bprAlgorithm({ ...common, ...(spec.itemRate === undefined ? {} : { itemRate: spec.itemRate }) });
  }
  throw new RangeError(`algorithm "${String(algorithm)}" is not known; use "als" or "bpr"`);
}
