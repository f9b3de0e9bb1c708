// The synthetic orders as one DuckDB SELECT over range(first, end): every value is a function of the seed and the row
// (or of the customer, merchant or product it draws), so any slice of rows can be generated on its own and the same
// seed always gives the same rows. The draws come from DuckDB's hash(): this is a demo generator, not a privacy
// mechanism and not a cryptographic random source.
import { createHash } from 'node:crypto';
import { CATEGORIES, CHANNELS, DAYS, FIRST_DAY, PRODUCTS_PER_CATEGORY, REGIONS } from './catalogue.js';

/** The population the orders are drawn from. */
export interface OrdersWorld {
  seed: number;
  customers: number;
  merchants: number;
}

/** The columns, in file order, with their DuckDB types (a CSV holds the same values as text). */
export const ORDER_COLUMNS = [
  ['order_id', 'BIGINT'],
  ['customer_id', 'VARCHAR'],
  ['merchant_id', 'VARCHAR'],
  ['product_id', 'VARCHAR'],
  ['category', 'VARCHAR'],
  ['region', 'VARCHAR'],
  ['ordered_at', 'TIMESTAMP'],
  ['quantity', 'INTEGER'],
  ['unit_price', 'DECIMAL(10,2)'],
  ['order_value', 'DECIMAL(12,2)'],
  ['discount', 'DECIMAL(12,2)'],
  ['returned', 'VARCHAR'],
  ['channel', 'VARCHAR'],
] as const;

/**
 * Customer tiers: a few loyal customers place many orders, most customers one or two. Each tier is a share of the
 * customers and the share of orders they place.
 */
const TIERS = [
  { customers: 0.05, orders: 0.3 },
  { customers: 0.25, orders: 0.45 },
  { customers: 0.7, orders: 0.25 },
];

/**
 * A uniform draw in [0, 1) for `key` (a BIGINT expression: a row, customer, merchant or product number) and a named
 * draw: DuckDB's hash of the key plus a 62-bit constant derived from the seed and the draw's name. (hash() over several
 * arguments combines them too weakly: draws with different names would be correlated.)
 */
function uniform(seed: number, key: string, name: string): string {
  return `(hash(${key} + ${drawConstant(seed, name)}) / 18446744073709551616.0)`;
}

/** A standard normal draw (Box-Muller over two uniform draws). */
function normal(seed: number, key: string, name: string): string {
  return (
    `(sqrt(-2 * ln(1 - ${uniform(seed, key, `${name}.1`)})) * ` + `cos(2 * pi() * ${uniform(seed, key, `${name}.2`)}))`
  );
}

/** The constant of a named draw: the first 62 bits of SHA-256(seed, name). */
function drawConstant(seed: number, name: string): string {
  const digest = createHash('sha256').update(`tessera synthetic orders\0${seed}\0${name}`).digest();
  return String(digest.readBigUInt64BE(0) >> 2n);
}

/** Day of the year (0-based) of day `d` of the history (2024 is a leap year). */
const dayOfYear = (d: string) => `(CASE WHEN ${d} < 366 THEN ${d} ELSE ${d} - 366 END)`;

/**
 * How busy day `d` of the history is: a December peak and June trough, Black Friday week, busier weekends, and 20%
 * growth over the two years (day 0 is Monday 1 January 2024).
 */
function dayWeight(d: string): string {
  return (
    `((1 + 0.25 * cos(2 * pi() * (${dayOfYear(d)} - 350) / 365)) * ` +
    `(CASE WHEN ${dayOfYear(d)} BETWEEN 327 AND 333 THEN 1.5 ELSE 1 END) * ` +
    `[0.95, 0.9, 0.9, 0.95, 1.05, 1.25, 1.2][${d} % 7 + 1] * (1 + 0.2 * ${d} / ${DAYS}))`
  );
}

/** Day weights above this are clipped (accepted always) by the day draw's rejection step. */
const DAY_WEIGHT_CAP = 1.6;
/** Candidate days per order: the first accepted wins, else the last (rejection sampling in one pass). */
const DAY_CANDIDATES = 3;

/**
 * The SELECT of the orders numbered by column `i` (0-based) of `rows` (a relation), with the columns of ORDER_COLUMNS.
 */
export function ordersSelect(world: OrdersWorld, rows: string): string {
  checkInteger('seed', world.seed);
  checkInteger('customers', world.customers, MIN_CUSTOMERS);
  checkInteger('merchants', world.merchants, 1);
  const u = (key: string, name: string) => uniform(world.seed, key, name);
  const C = world.customers;
  const M = world.merchants;
  const tierSizes = tierSizesOf(C);
  let tierStart = 0;
  let tierCut = 0;
  const tierCase = TIERS.map((t, k) => {
    const pickCustomer = `${tierStart} + floor(${u('i', 'customer')} * ${tierSizes[k]})`;
    tierStart += tierSizes[k]!;
    tierCut += t.orders;
    return k === TIERS.length - 1 ? `ELSE ${pickCustomer}` : `WHEN tier < ${tierCut} THEN ${pickCustomer}`;
  }).join(' ');
  const [mult, offset] = permutationOf(C, world.seed);
  const days = Array.from({ length: DAY_CANDIDATES }, (_, k) => `floor(${u('i', `day${k}`)} * ${DAYS})::BIGINT`);
  const accepted = days
    .slice(0, -1)
    .map((_, k) => `WHEN ${u('i', `accept${k}`)} * ${DAY_WEIGHT_CAP} < ${dayWeight(`d${k}`)} THEN d${k}`)
    .join(' ');
  const names = (xs: readonly { name: string }[]) => `[${xs.map((x) => `'${x.name}'`).join(', ')}]`;
  const numbers = (xs: readonly number[]) => `[${xs.join(', ')}]`;
  const level = `${numbers(CATEGORIES.map((c) => c.level))}[cat + 1]`;
  const more = `${numbers(CATEGORIES.map((c) => c.more))}[cat + 1]`;
  const categoryReturns = `${numbers(CATEGORIES.map((c) => c.returns))}[cat + 1]`;
  const returns = `${categoryReturns} * ${numbers(CHANNELS.map((c) => c.returns))}[channel + 1]`;
  return `
WITH tiered AS (
  SELECT i, ${u('i', 'tier')} AS tier FROM ${rows}
), drawn AS (
  SELECT i, (CASE ${tierCase} END)::BIGINT AS cust FROM tiered
), shopped AS (
  SELECT i, cust,
    (CASE WHEN ${u('i', 'elsewhere')} < 0.1 THEN floor(${u('i', 'merchant')} * ${M})
      ELSE floor(pow(${u('cust', 'home')}, 1.5) * ${M}) END)::BIGINT AS merchant,
    ${pick(u('cust', 'region'), REGIONS)} AS region,
    (CASE WHEN ${u('i', 'habit')} < 0.7 THEN ${pick(u('cust', 'channel'), CHANNELS)}
      ELSE ${pick(u('i', 'channel'), CHANNELS)} END) AS channel,
    ${days.map((d, k) => `${d} AS d${k}`).join(', ')}
  FROM drawn
), chosen AS (
  SELECT i, cust, merchant, region, channel,
    (CASE WHEN ${u('i', 'speciality')} < 0.3 THEN floor(${u('merchant', 'speciality')} * ${CATEGORIES.length})::INTEGER
      ELSE ${pick(u('i', 'category'), CATEGORIES)} END) AS cat,
    (CASE ${accepted} ELSE d${DAY_CANDIDATES - 1} END) AS day,
    (CASE WHEN ${u('i', 'meal')} < 0.4 THEN 12.5 + 1.8 * ${normal(world.seed, 'i', 'lunch')}
      ELSE 20 + 2.2 * ${normal(world.seed, 'i', 'evening')} END) AS hour
  FROM shopped
), priced AS (
  SELECT *,
    ((cat + 1) * 10000 + floor(pow(${u('i', 'product')}, 2) * ${PRODUCTS_PER_CATEGORY}) + 1)::BIGINT AS product,
    (1 + least(19, floor(ln(1 - ${u('i', 'quantity')}) / ln(${more}))))::INTEGER AS quantity,
    (CASE WHEN ${dayOfYear('day')} BETWEEN 327 AND 364 THEN 2 ELSE 1 END) *
      (CASE WHEN channel = 1 THEN 1.3 ELSE 1 END) AS promo,
    ${u('i', 'discount')} AS offer
  FROM chosen
), valued AS (
  SELECT *,
    CAST(greatest(1, round(${level} * exp(0.45 * ${normal(world.seed, 'product', 'price')}))) - 0.01
      AS DECIMAL(10,2)) AS price,
    CAST(CASE WHEN offer < 0.04 * promo THEN 0.20 WHEN offer < 0.1 * promo THEN 0.10
      WHEN offer < 0.22 * promo THEN 0.05 ELSE 0 END AS DECIMAL(3,2)) AS rate
  FROM priced
), totalled AS (
  SELECT *, CAST(quantity * price AS DECIMAL(12,2)) AS gross,
    CAST(round(CAST(quantity * price AS DECIMAL(12,2)) * rate, 2) AS DECIMAL(12,2)) AS discount
  FROM valued
)
SELECT
  i + 1 AS order_id,
  'c' || ((cust * ${mult} + ${offset}) % ${C} + 1) AS customer_id,
  'm' || (merchant + 1) AS merchant_id,
  'p' || product AS product_id,
  ${names(CATEGORIES)}[cat + 1] AS category,
  ${names(REGIONS)}[region + 1] AS region,
  TIMESTAMP '${FIRST_DAY}' + to_days(day::INTEGER) +
    to_seconds(floor((hour - 24 * floor(hour / 24)) * 3600)::BIGINT) AS ordered_at,
  quantity,
  price AS unit_price,
  CAST(gross - discount AS DECIMAL(12,2)) AS order_value,
  discount,
  CASE WHEN ${u('i', 'returned')} < ${returns} * pow(CAST(price AS DOUBLE) / ${level}, 0.3)
    THEN 'yes' ELSE 'no' END AS returned,
  ${names(CHANNELS)}[channel + 1] AS channel
FROM totalled`;
}

/** A 0-based index into `xs` drawn by the uniform `u` with each item's share. */
function pick(u: string, xs: readonly { share: number }[]): string {
  let cut = 0;
  const whens = xs.slice(0, -1).map((x, k) => {
    cut += x.share;
    return `WHEN ${u} < ${cut.toFixed(6)} THEN ${k}`;
  });
  return `(CASE ${whens.join(' ')} ELSE ${xs.length - 1} END)`;
}

/** The fewest customers a world has (each tier needs some). */
export const MIN_CUSTOMERS = 10;

/** How many customers are in each tier (each at least 1; the last takes the rest). */
function tierSizesOf(customers: number): number[] {
  const head = TIERS.slice(0, -1).map((t) => Math.max(1, Math.floor(customers * t.customers)));
  return [...head, customers - head.reduce((a, b) => a + b, 0)];
}

/**
 * An affine permutation of 0..customers-1 (index * mult + offset mod customers), so that customer ids do not reveal
 * the tier: `mult` is a prime that does not divide `customers`.
 */
function permutationOf(customers: number, seed: number): [number, number] {
  const mult = customers % 1_000_003 === 0 ? 1_000_033 : 1_000_003;
  const c = BigInt(customers);
  const offset = Number((((BigInt(seed) * 7919n) % c) + c) % c);
  return [mult, offset];
}

function checkInteger(what: string, n: number, min = Number.MIN_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${what} must be an integer of at least ${min}`);
}
