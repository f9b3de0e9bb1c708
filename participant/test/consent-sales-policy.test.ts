import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { describePolicy } from '../src/consent/describe-policy.js';
import { parseConsentPolicy, PolicyError, type ConsentPolicy } from '../src/consent/policy.js';
import { starterPolicyText } from '../src/consent/starter-policy.js';
import { saleDecision, type Sale } from '../src/sales/sale-rules.js';

const NOW = Date.parse('2026-11-22T08:00:00Z');
const base = () => ({
  analysts: {},
  grants: [{ id: 'q', analysts: ['*'], purposes: ['query'], expires: '2027-06-30' }],
});
const parse = (sales: unknown): ConsentPolicy =>
  parseConsentPolicy({ ...base(), ...(sales === undefined ? {} : { sales }) }, '/srv/node/policy.yaml', {
    datasets: ['customers'],
    now: NOW,
  });
/** The PolicyError a `sales` section gets, as its message. */
const refusalOf = (sales: unknown): string => {
  try {
    parse(sales);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as Error).message;
  }
  throw new Error(`sales ${JSON.stringify(sales)} was accepted`);
};

const sale = (over: Partial<Sale> = {}): Sale => ({
  saleId: 'sale-00112233aabbccdd',
  productId: 'prod-0011223344556677',
  productName: 'churn-report',
  jobs: ['job-1'],
  buyer: 'northbank',
  buyerClass: 'bank',
  amount: 125_000,
  currency: 'EUR',
  seller: 'acme-insights',
  ...over,
});

describe('the consent policy `sales` section', () => {
  it('parses allowed, buyers, excludeBuyers and products, with their defaults', () => {
    expect(parse({ allowed: true }).sales).toEqual({
      allowed: true,
      buyers: ['*'],
      excludeBuyers: [],
      products: ['*'],
    });
    expect(
      parse({
        allowed: true,
        buyers: ['northbank', 'class:insurer'],
        excludeBuyers: ['class:broker'],
        products: ['churn-report', 'prod-0011223344556677'],
      }).sales,
    ).toEqual({
      allowed: true,
      buyers: ['northbank', 'class:insurer'],
      excludeBuyers: ['class:broker'],
      products: ['churn-report', 'prod-0011223344556677'],
    });
    expect(parse({ allowed: false }).sales?.allowed).toBe(false);
    expect(parse(undefined).sales).toBeUndefined();
  });

  it('refuses each mistake naming the file and the field', () => {
    const cases: [unknown, RegExp][] = [
      ['yes', /^\/srv\/node\/policy\.yaml: sales: must be a mapping like \{ allowed: true/],
      [
        { allowed: true, buyer: ['x'] },
        /: sales\.buyer: unknown field; known fields: allowed, buyers, excludeBuyers, prod/,
      ],
      [
        { buyers: ['*'] },
        /: sales\.allowed: is required: true to allow sales .* false to refuse every sale, got undef/,
      ],
      [{ allowed: 'yes' }, /: sales\.allowed: is required: .* got "yes"/],
      [{ allowed: true, buyers: [] }, /: sales\.buyers: must be a non-empty list of buyer names, "class:NAME" /],
      [{ allowed: true, buyers: 'northbank' }, /: sales\.buyers: must be a non-empty list .* got "northbank"/],
      [{ allowed: true, buyers: ['a', ''] }, /: sales\.buyers: must be a non-empty list/],
      [{ allowed: true, buyers: ['a', 'a'] }, /: sales\.buyers: lists "a" twice/],
      [{ allowed: true, buyers: ['class:'] }, /: sales\.buyers: "class:" names no class; write "class:NAME"/],
      [{ allowed: true, excludeBuyers: [3] }, /: sales\.excludeBuyers: must be a list of buyer names/],
      [{ allowed: true, excludeBuyers: ['*'] }, /: sales\.excludeBuyers: lists "\*", .* write sales\.allowed: false/],
      [{ allowed: true, products: [] }, /: sales\.products: must be a non-empty list of product names or ids/],
      [{ allowed: true, products: ['r', 'r'] }, /: sales\.products: lists "r" twice/],
    ];
    for (const [sales, message] of cases) expect(refusalOf(sales)).toMatch(message);
    // The root names sales among its known fields.
    expect(() => parseConsentPolicy({ ...base(), sale: {} }, 'p.yaml', { datasets: [], now: NOW })).toThrow(
      /^p\.yaml: sale: unknown field; known fields: analysts, datasets, grants, sales$/,
    );
  });

  it('says in plain words what it allows', () => {
    const say = (sales: unknown) => describePolicy(parse(sales), {}).filter((l) => l.includes('sale'));
    expect(say(undefined)).toEqual([
      "sales: no sales section, so no product built from this node's data is sold " +
        '(add sales.allowed: true to allow sales)',
    ]);
    expect(say({ allowed: false })).toEqual([
      "sales: no product built from this node's data is sold (sales.allowed: false)",
    ]);
    expect(say({ allowed: true })).toEqual(["sales: products built from this node's data may be sold to any buyer"]);
    expect(
      say({ allowed: true, buyers: ['northbank', 'class:insurer'], excludeBuyers: ['class:broker'], products: ['r'] }),
    ).toEqual([
      "sales: products built from this node's data may be sold to buyer northbank and buyers of class insurer, " +
        'never to buyers of class broker, as product r only',
    ]);
  });

  it('the starter policy shows the choice and allows no sale until the owner says so', () => {
    const text = starterPolicyText({
      now: new Date(NOW),
      expires: '2027-11-22',
      datasets: { customers: { identifiers: [], allowWithoutPrivacy: false } },
    });
    expect(text).toMatch(/\nsales:\n {2}# .*\n {2}allowed: false\n/);
    const policy = parseConsentPolicy(parseYaml(text), 'policy.yaml', { datasets: ['customers'], now: NOW });
    expect(policy.sales).toEqual({ allowed: false, buyers: ['*'], excludeBuyers: [], products: ['*'] });
    expect(saleDecision(policy, sale()).allowed).toBe(false);
    // Turning it on is the one edit the comment asks for.
    const on = parseConsentPolicy(parseYaml(text.replace('allowed: false', 'allowed: true')), 'policy.yaml', {
      datasets: ['customers'],
      now: NOW,
    });
    expect(saleDecision(on, sale()).allowed).toBe(true);
  });
});

describe('the decision on a sale', () => {
  const F = '/srv/node/policy.yaml';
  const decide = (sales: unknown, s: Sale = sale()) => saleDecision(parse(sales), s);

  it('allows every sale on a node without a policy, and none under a policy without a sales section', () => {
    expect(saleDecision(undefined, sale())).toEqual({
      allowed: true,
      reason: 'this node has no consent policy: every sale is allowed',
    });
    expect(decide(undefined)).toEqual({
      allowed: false,
      reason:
        `consent: sale sale-00112233aabbccdd refused: the consent policy ${F} has no sales section: ` +
        'add sales.allowed: true to allow sales',
    });
  });

  it('refuses every sale under allowed: false', () => {
    expect(decide({ allowed: false, buyers: ['northbank'] })).toEqual({
      allowed: false,
      reason:
        `consent: sale sale-00112233aabbccdd refused: the consent policy ${F} does not allow sales ` +
        '(sales.allowed: false); set it to true to allow them',
    });
  });

  it('matches buyers by name, by class and by "*"; excludeBuyers wins', () => {
    expect(decide({ allowed: true }).allowed).toBe(true);
    expect(decide({ allowed: true, buyers: ['northbank'] })).toEqual({
      allowed: true,
      reason: `allowed by the consent policy ${F}: sales.buyers "northbank", sales.products "*"`,
    });
    expect(decide({ allowed: true, buyers: ['class:bank'] }).allowed).toBe(true);
    expect(decide({ allowed: true, buyers: ['class:bank'] }, sale({ buyerClass: '' })).reason).toBe(
      `consent: sale sale-00112233aabbccdd refused: buyer "northbank" (no class given) is not among sales.buyers ` +
        `("class:bank") in the consent policy ${F}: add "northbank" to sell to it`,
    );
    expect(decide({ allowed: true, buyers: ['southbank', 'class:insurer'] }).reason).toBe(
      'consent: sale sale-00112233aabbccdd refused: buyer "northbank" (class bank) is not among sales.buyers ' +
        `("southbank", "class:insurer") in the consent policy ${F}: add "northbank" or "class:bank" to sell to it`,
    );
    // A class is not a name: "bank" names a buyer called bank, not the class.
    expect(decide({ allowed: true, buyers: ['bank'] }).allowed).toBe(false);
    expect(decide({ allowed: true, excludeBuyers: ['northbank'] }).reason).toBe(
      'consent: sale sale-00112233aabbccdd refused: buyer "northbank" (class bank) is excluded by ' +
        `sales.excludeBuyers ("northbank") in the consent policy ${F}`,
    );
    expect(decide({ allowed: true, buyers: ['northbank'], excludeBuyers: ['class:bank'] }).reason).toMatch(
      /buyer "northbank" \(class bank\) is excluded by sales\.excludeBuyers \("class:bank"\)/,
    );
    expect(decide({ allowed: true, excludeBuyers: ['class:broker'] }).allowed).toBe(true);
  });

  it('matches the product by name or id, or "*"', () => {
    expect(decide({ allowed: true, products: ['churn-report'] }).allowed).toBe(true);
    expect(decide({ allowed: true, products: ['prod-0011223344556677'] }).allowed).toBe(true);
    expect(decide({ allowed: true, products: ['basket-model', 'prod-ffff'] })).toEqual({
      allowed: false,
      reason:
        'consent: sale sale-00112233aabbccdd refused: product "churn-report" (prod-0011223344556677) is not ' +
        `among sales.products ("basket-model", "prod-ffff") in the consent policy ${F}: add its name or id to sell it`,
    });
  });
});
