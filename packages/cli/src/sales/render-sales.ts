import type { ProductView, SaleView } from '@tessera/sdk';

type ProductRelease = NonNullable<ProductView['releases']>[number];
import { renderTable } from '../ui/table.js';

// Products and sales as text for a person; --json prints the views themselves.

const pct = (share: number) => `${(share * 100).toFixed(2)}%`;

/** Participant ids to names (the coordinator's participant list); empty when they could not be asked. */
export type MemberNames = ReadonlyMap<string, string>;

/** A member as a person reads it: "merchant-1 (p-...)" when its name is known, else its id. */
const who = (names: MemberNames, id: string) => {
  const name = names.get(id);
  return name && name !== id ? `${name} (${id})` : id;
};

/** One job's valuation as the analyst weighs it: how it was released, its noise, its epsilon, the report's noise. */
export function renderRelease(r: ProductRelease, kind: string): string {
  const parts = [r.note || r.method];
  if (r.noiseStd > 0) parts.push(`noise std of a member's value ${Number(r.noiseStd.toPrecision(3))} rows`);
  if (r.epsilon > 0) parts.push(`epsilon ${r.epsilon}${r.delta !== null ? ` at delta ${r.delta}` : ''} of its own`);
  if (r.reportNoiseFactor !== undefined)
    parts.push(`the report's own noise x${r.reportNoiseFactor.toFixed(3)} for it (no extra epsilon)`);
  return `  ${r.job} (${kind}, ${r.method}): ${parts.join('; ')}`;
}

/** One line per product. */
export function renderProducts(products: readonly ProductView[]): string {
  if (products.length === 0) return 'no products yet: list finished jobs with tessera products add --job ID ...\n';
  const rows = products.map((p) => [
    p.id,
    p.name,
    `${p.price} ${p.currency}`,
    p.valuation === 'equal' ? 'equal' : p.methods.join('+') || 'job',
    p.members.length,
    p.sales.count,
    p.sales.net,
  ]);
  return `${renderTable(['product', 'name', 'price', 'valuation', 'members', 'sales', 'net'], rows)}\n`;
}

/** A product: its jobs, members and shares, what its valuation released, and its sales so far. */
export function renderProduct(p: ProductView, sales: readonly SaleView[] = [], names: MemberNames = new Map()): string {
  const methods = p.valuation === 'equal' ? 'equal shares' : p.methods.join(', ') || "the jobs' own valuation";
  const epsilon =
    p.valuationEpsilon > 0
      ? `the valuation released counts at epsilon ${p.valuationEpsilon}` +
        (p.valuationDelta !== null ? `, delta ${p.valuationDelta}` : '')
      : 'the valuation spent no epsilon of its own';
  const members = renderTable(
    ['member', 'value', 'share', ...(p.jobs.length > 1 ? ['per job'] : [])],
    p.members.map((m) => [
      who(names, m.participant),
      m.value,
      pct(m.share),
      ...(p.jobs.length > 1 ? [m.jobs.map((j) => `${j.job}: ${Number(j.value.toFixed(4))}`).join(', ')] : []),
    ]),
  );
  const out = [
    `product ${p.id} "${p.name}": ${p.price} ${p.currency} (minor units), split by ${methods}`,
    ...(p.description ? [p.description] : []),
    `jobs: ${p.jobs.map((j, i) => `${j} (${p.kinds[i] ?? 'job'})`).join(', ')}; ${epsilon}`,
    ...(p.releases?.length
      ? [
          "what each job's valuation released and cost:",
          ...p.releases.map((r) => renderRelease(r, p.kinds[p.jobs.indexOf(r.job)] ?? 'job')),
        ]
      : []),
    members,
    `sales: ${p.sales.count}, gross ${p.sales.gross}, refunded ${p.sales.refunded}, net ${p.sales.net} ${p.currency}`,
  ];
  if (sales.length) out.push(renderSales(sales).trimEnd());
  return `${out.join('\n')}\n`;
}

/** One line per sale. */
export function renderSales(sales: readonly SaleView[]): string {
  if (sales.length === 0) return 'no sales yet\n';
  const rows = sales.map((s) => [
    s.id,
    s.productName || s.product,
    s.buyer + (s.buyerClass ? ` (${s.buyerClass})` : ''),
    `${s.amount} ${s.currency}`,
    s.refunds.reduce((t, r) => t + r.amount, 0),
    s.net,
    s.entries.length,
    s.refusals.length,
    s.createdAt,
  ]);
  return `${renderTable(['sale', 'product', 'buyer', 'price', 'refunded', 'net', 'paid', 'refused', 'at'], rows)}\n`;
}

/** A sale: the split among the consenting members, who was left out and why, refunds, and the ledger entries. */
export function renderSale(s: SaleView, names: MemberNames = new Map()): string {
  const split = renderTable(
    ['member', 'share', `amount (${s.currency})`, 'ledger seq'],
    s.entries.map((e) => [who(names, e.participant), pct(e.share), e.amount, e.seq]),
  );
  const out = [
    `sale ${s.id} of "${s.productName || s.product}" to ${s.buyer}${s.buyerClass ? ` (${s.buyerClass})` : ''}: ` +
      `${s.amount} ${s.currency} (minor units), ledger seq ${s.seq}`,
    split,
  ];
  if (s.refusals.length)
    out.push(
      `left out of this sale (${s.refusals.length}):`,
      ...s.refusals.map((r) => `  ${who(names, r.participant)} (${r.kind}): ${r.reason}`),
    );
  else out.push('no member refused this sale');
  for (const r of s.refunds) {
    out.push(`refund ${r.id}: -${r.amount} ${s.currency}${r.reason ? ` (${r.reason})` : ''}, ledger seq ${r.seq}`);
    out.push(
      renderTable(
        ['member', `amount (${s.currency})`, 'ledger seq'],
        r.entries.map((e) => [who(names, e.participant), e.amount, e.seq]),
      ),
    );
  }
  out.push(`net ${s.net} ${s.currency}; ledger head ${s.ledgerHead}; coordinator key ${s.coordinatorPublicKey}`);
  return `${out.join('\n')}\n`;
}
