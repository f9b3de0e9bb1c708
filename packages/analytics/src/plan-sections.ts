import { canonicalName, type AggregateItem } from './query.js';
import { fail, numericEdges, positiveInt } from './plan-options.js';
import {
  MAX_VECTOR_LENGTH,
  TOPK_DEFAULTS,
  TOPK_SEED,
  type Output,
  type QueryOptions,
  type Section,
} from './plan-types.js';

/** A select item whose result is a section of the vector (HISTOGRAM, QUANTILES, TOP_K), in select order. */
export interface PendingSection {
  item: AggregateItem;
  name: string;
  /** Its output, whose `section` index is set here. */
  outputIndex: number;
}

/**
 * Lays out the sections after the group counters, from sectionsOffset, in select order, and points each section
 * output at its section. Returns the sections and the length of the whole vector.
 */
export function planSections(
  pending: PendingSection[],
  opts: QueryOptions,
  outputs: Output[],
  sectionsOffset: number,
  groupCount: number,
): { sections: Section[]; length: number } {
  const { bounds, domains } = opts;
  let offset = sectionsOffset;
  const sections: Section[] = [];
  const topK = opts.topK ?? {};
  const maxLength = positiveInt(topK.maxLength ?? TOPK_DEFAULTS.maxLength, 'topK.maxLength', 64);
  const depth = positiveInt(topK.depth ?? TOPK_DEFAULTS.depth, 'topK.depth', 16);
  const width = positiveInt(topK.width ?? TOPK_DEFAULTS.width, 'topK.width', 65536);
  if (
    topK.threshold !== undefined &&
    !(typeof topK.threshold === 'number' && topK.threshold > 0 && Number.isFinite(topK.threshold))
  ) {
    fail(`topK.threshold must be a positive number, got ${String(topK.threshold)}`);
  }
  for (const { item, name, outputIndex } of pending) {
    const col = item.column as string;
    const fn = canonicalName(item);
    let s: Section;
    if (item.fn === 'HISTOGRAM') {
      const categorical = opts.bins?.[col] === undefined && domains[col] !== undefined;
      if (categorical) {
        const cats = domains[col];
        if (!Array.isArray(cats) || cats.length === 0 || new Set(cats).size !== cats.length)
          fail(`${fn}: the domain of "${col}" must be a non-empty list of distinct strings`);
        s = { kind: 'categories', name, column: col, offset, length: cats.length, categories: [...cats] };
      } else {
        if (opts.bins?.[col] === undefined && bounds[col] === undefined) {
          fail(
            `${fn} needs bin edges or bounds for a numeric column, or a declared domain (categories) ` +
              `for a categorical one; "${col}" has none`,
          );
        }
        const { edges, clamp } = numericEdges(col, opts, fn);
        s = { kind: 'histogram', name, column: col, offset, length: edges.length - 1, edges, clamp };
      }
    } else if (item.fn === 'QUANTILES') {
      const { edges, clamp } = numericEdges(col, opts, fn);
      const bins = edges.length - 1;
      let leaves = 1;
      let levels = 1;
      while (leaves < bins) {
        leaves *= 2;
        levels++;
      }
      s = { kind: 'quantiles', name, column: col, offset, length: 2 * leaves - 1, edges, clamp, leaves, levels };
    } else {
      const k = positiveInt(item.k, `${fn}: k`, 10000);
      s = {
        kind: 'topk',
        name,
        column: col,
        offset,
        length: maxLength * depth * width,
        k,
        maxLength,
        depth,
        width,
        seed: TOPK_SEED,
      };
    }
    offset += s.length;
    if (offset > MAX_VECTOR_LENGTH)
      fail(
        `the query's vector would have more than ${MAX_VECTOR_LENGTH} entries; ` +
          'use smaller domains, fewer bins or a smaller sketch',
      );
    sections.push(s);
    (outputs[outputIndex] as Extract<Output, { kind: 'section' }>).section = sections.length - 1;
  }
  if (sectionsOffset > MAX_VECTOR_LENGTH || offset > MAX_VECTOR_LENGTH) {
    fail(
      `the query's vector would have more than ${MAX_VECTOR_LENGTH} entries ` +
        `(${groupCount} groups); use smaller domains`,
    );
  }
  return { sections, length: offset };
}
