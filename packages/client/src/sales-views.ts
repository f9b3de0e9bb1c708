import { arrayAt, numberAt, objectAt, parseWireJson, stringAt, type JsonObject } from '@tessera/jobs';
import type { ProductView, RefundView, SaleEntry, SaleRefusal, SaleView } from '@tessera/payouts';

// The product and sale views from the coordinator's JSON (Product.json, Sale.json), checked field by field where the
// CLI and the SDK read them: a coordinator that answers something else fails naming the field, not later.

function entriesAt(o: JsonObject, key: string, where: string): SaleEntry[] {
  return arrayAt(o, key, where).map((e, i) => {
    const at = `${where}.${key}[${i}]`;
    const x = objectAt(e, at);
    return {
      participant: stringAt(x, 'participant', at),
      amount: numberAt(x, 'amount', at),
      share: numberAt(x, 'share', at),
      seq: numberAt(x, 'seq', at),
      hash: stringAt(x, 'hash', at),
    };
  });
}

function refusalsAt(o: JsonObject, where: string): SaleRefusal[] {
  return arrayAt(o, 'refusals', where).map((r, i) => {
    const at = `${where}.refusals[${i}]`;
    const x = objectAt(r, at);
    const kind = stringAt(x, 'kind', at);
    return {
      participant: stringAt(x, 'participant', at),
      reason: stringAt(x, 'reason', at),
      kind: kind === 'unavailable' ? 'unavailable' : 'policy',
    };
  });
}

function refundsAt(o: JsonObject, where: string): RefundView[] {
  return arrayAt(o, 'refunds', where).map((r, i) => {
    const at = `${where}.refunds[${i}]`;
    const x = objectAt(r, at);
    return {
      id: stringAt(x, 'id', at),
      amount: numberAt(x, 'amount', at),
      reason: stringAt(x, 'reason', at),
      createdAt: stringAt(x, 'createdAt', at),
      entries: entriesAt(x, 'entries', at),
      seq: numberAt(x, 'seq', at),
    };
  });
}

/** A product from the coordinator's Product.json. */
export function productViewFromJson(text: string, where = 'product'): ProductView {
  const o = objectAt(parseWireJson(text, where), where);
  const members = arrayAt(o, 'members', where).map((m, i) => {
    const at = `${where}.members[${i}]`;
    const x = objectAt(m, at);
    return {
      ...(x as object),
      participant: stringAt(x, 'participant', at),
      value: numberAt(x, 'value', at),
      share: numberAt(x, 'share', at),
      jobs: Array.isArray(x.jobs) ? (x.jobs as ProductView['members'][number]['jobs']) : [],
    };
  });
  const sales = objectAt(o.sales ?? { count: 0, gross: 0, refunded: 0, net: 0 }, `${where}.sales`);
  return {
    ...(o as object),
    id: stringAt(o, 'id', where),
    name: stringAt(o, 'name', where),
    jobs: arrayAt(o, 'jobs', where).map(String),
    price: numberAt(o, 'price', where),
    currency: stringAt(o, 'currency', where),
    members,
    sales: {
      count: numberAt(sales, 'count', `${where}.sales`),
      gross: numberAt(sales, 'gross', `${where}.sales`),
      refunded: numberAt(sales, 'refunded', `${where}.sales`),
      net: numberAt(sales, 'net', `${where}.sales`),
    },
  } as ProductView;
}

/** A sale (with its refunds) from the coordinator's Sale.json. */
export function saleViewFromJson(text: string, where = 'sale'): SaleView {
  const o = objectAt(parseWireJson(text, where), where);
  return {
    ...(o as object),
    id: stringAt(o, 'id', where),
    product: stringAt(o, 'product', where),
    buyer: stringAt(o, 'buyer', where),
    amount: numberAt(o, 'amount', where),
    currency: stringAt(o, 'currency', where),
    entries: entriesAt(o, 'entries', where),
    refusals: refusalsAt(o, where),
    refunds: refundsAt(o, where),
    net: numberAt(o, 'net', where),
  } as SaleView;
}
