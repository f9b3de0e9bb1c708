import type { Random } from '@tessera/crypto';
import type { CustomerFactors, ItemFactors } from './factors.js';
import type { Interactions } from './interactions.js';

/**
 * Matrix factorisation in the federated shape. A round: every merchant runs `localCustomerStep` (its customers'
 * factors, kept locally) and then `localItemUpdate` (one vector of `updateLength(items)` numbers); a secure sum adds
 * the vectors; the coordinator runs `applyItemUpdate` on the sum. Only the summed vector leaves a merchant's hands.
 */
export interface RecommendAlgorithm {
  readonly name: 'als' | 'bpr';
  readonly k: number;
  /** The length of every merchant's item update for a catalogue of `items` items. */
  updateLength(items: number): number;
  /** The merchant's customers' factors given the current item factors (`previous`: last round's, if any). */
  localCustomerStep(
    items: ItemFactors,
    data: Interactions,
    previous: CustomerFactors | undefined,
    rng: Random,
  ): CustomerFactors;
  /** The merchant's contribution to the item side, each customer's part clipped to `clip` in L2 when set. */
  localItemUpdate(items: ItemFactors, customers: CustomerFactors, data: Interactions, rng: Random): Float64Array;
  /** The coordinator's step, pure: the new item factors from the current ones and the summed updates. */
  applyItemUpdate(items: ItemFactors, sum: Float64Array): ItemFactors;
}

/** The scale that brings a contribution of squared norm `squares` within L2 norm `clip` (1 when it already is). */
export function clipScale(squares: number, clip: number | undefined): number {
  if (clip === undefined) return 1;
  const norm = Math.sqrt(squares);
  return norm > clip ? clip / norm : 1;
}

export function checkClip(clip: number | undefined): void {
  if (clip !== undefined && !(Number.isFinite(clip) && clip > 0)) {
    throw new RangeError(`clip = ${clip} is not a positive number; give the per-customer L2 bound, or omit it`);
  }
}
