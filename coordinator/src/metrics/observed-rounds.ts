import type { RoundRecord, Store } from '../store/store.js';

/** completeRound's arguments after the round record. */
type CompleteRest = Parameters<Store['completeRound']> extends [RoundRecord, ...infer R] ? R : never;

/**
 * The store as a job runner sees it, telling `onRound` of every round record once it is written: each stage attempt of
 * every job kind goes through addRound or completeRound, so the round metrics need no hook in the runners. A write the
 * store refuses (a lost lease) is not told.
 */
export function observedRounds(store: Store, onRound: (round: RoundRecord) => void): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'addRound')
        return async (round: RoundRecord) => {
          await target.addRound(round);
          onRound(round);
        };
      if (property === 'completeRound')
        return async (round: RoundRecord, ...rest: CompleteRest) => {
          await target.completeRound(round, ...rest);
          onRound(round);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
