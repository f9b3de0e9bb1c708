import { type Interactions, interactionsFromGroups } from './interactions.js';

export interface LeaveLastOut {
  /** The table without the held-out pairs. */
  train: Interactions;
  /** Each customer's held-out item, or -1 for customers with fewer than two distinct items (not evaluated). */
  heldOut: Int32Array;
}

/**
 * Holds out each customer's latest (customer, item) pair: by timestamp, or by row position when the table has
 * none; ties go to the entry of the larger item index. The held-out item is absent from the customer's training
 * entries.
 */
export function leaveLastOut(data: Interactions): LeaveLastOut {
  const count = data.customerIds.length;
  const heldOut = new Int32Array(count).fill(-1);
  const groups = [];
  for (let c = 0; c < count; c++) {
    const from = data.offsets[c]!;
    const to = data.offsets[c + 1]!;
    let last = -1;
    if (to - from >= 2) {
      last = from;
      for (let e = from + 1; e < to; e++) if (data.times[e]! >= data.times[last]!) last = e;
      heldOut[c] = data.items[last]!;
    }
    const group = { items: [] as number[], strengths: [] as number[], times: [] as number[] };
    for (let e = from; e < to; e++) {
      if (e === last) continue;
      group.items.push(data.items[e]!);
      group.strengths.push(data.strengths[e]!);
      group.times.push(data.times[e]!);
    }
    groups.push(group);
  }
  return { train: interactionsFromGroups(data, groups), heldOut };
}
