// The sales part's split timing: splitSale (a sale's price among its consenting members) and splitRefund (a refund
// among the members a sale paid) alone, in process, at 10 to 1,000 members.
import { splitRefund, splitSale } from '@tessera/payouts';
import { fixed, median, secondsSince } from '../stats.js';

export interface SplitTiming {
  members: number;
  /** Calls per timed batch. */
  calls: number;
  /** Median over the batches of the seconds per call, in microseconds. */
  saleMicroseconds: number;
  refundMicroseconds: number;
}

/** Members with distinct positive values (noisy row counts of a few hundred), one in 10 refusing the buyer. */
function membersOf(n: number): { participant: string; value: number }[] {
  return Array.from({ length: n }, (_, i) => ({ participant: `member-${i}`, value: 200 + ((i * 7919) % 600) + 0.37 }));
}

/** Median microseconds per call of `f` over `batches` batches of `calls` calls (after one warm-up batch). */
function microseconds(f: () => void, calls: number, batches: number): number {
  const per: number[] = [];
  for (let b = 0; b <= batches; b++) {
    const t = performance.now();
    for (let c = 0; c < calls; c++) f();
    if (b > 0) per.push((secondsSince(t) * 1e6) / calls);
  }
  return fixed(median(per), 2);
}

/** splitSale and splitRefund for each member count: about 20,000 members split per batch, 5 batches. */
export function timeSplits(memberCounts: readonly number[]): SplitTiming[] {
  return memberCounts.map((n) => {
    const members = membersOf(n);
    const refusing = new Set(members.filter((_, i) => i % 10 === 9).map((m) => m.participant));
    const price = 1_000_003;
    const split = splitSale(price, 'EUR', members, refusing);
    const held = split.entries.map((e) => ({ participant: e.participant, remaining: e.amount }));
    const calls = Math.max(20, Math.round(20_000 / n));
    return {
      members: n,
      calls,
      saleMicroseconds: microseconds(() => splitSale(price, 'EUR', members, refusing), calls, 5),
      refundMicroseconds: microseconds(() => splitRefund(250_001, 'EUR', held), calls, 5),
    };
  });
}
