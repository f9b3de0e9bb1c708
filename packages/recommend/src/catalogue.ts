/** The items every merchant scores, in one agreed order: item `ids[i]` has the dense index i in every factor matrix. */
export interface ItemCatalogue {
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

/** A catalogue from distinct, non-empty item ids (a public catalogue, or the privately agreed union). */
export function itemCatalogue(ids: readonly string[], source = 'catalogue'): ItemCatalogue {
  if (ids.length === 0) throw new RangeError(`${source}: the item catalogue is empty; declare at least two items`);
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || id === '') {
      throw new RangeError(`${source} entry ${i + 1}: item id ${JSON.stringify(id)} is not a non-empty string`);
    }
    if (index.has(id)) {
      throw new RangeError(`${source} entry ${i + 1}: item id "${id}" is listed twice; list each item once`);
    }
    index.set(id, i);
  });
  return { ids: [...ids], index };
}
