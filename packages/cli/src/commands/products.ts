import type { Command } from 'commander';
import { connectionOptions } from '../context.js';
import { withAnalyst, withConnection, type Conn } from './job.js';
import { parseCurrency, parseMinorUnits } from '../sales/amount-flag.js';
import { renderProduct, renderProducts, renderSale, renderSales, type MemberNames } from '../sales/render-sales.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The members' names for the text form; without them (the list could not be read) the ids alone are printed. */
async function memberNames(analyst: { participants(): Promise<{ id: string; name: string }[]> }): Promise<MemberNames> {
  try {
    return new Map((await analyst.participants()).map((p) => [p.id, p.name]));
  } catch {
    return new Map();
  }
}

function registerAdd(cmd: Command): void {
  withConnection(cmd.command('add'))
    .description('list finished jobs (reports, queries, training jobs) of yours as a product for sale')
    .requiredOption('--job <id>', 'a finished job of the product (repeat --job for several)', collect)
    .requiredOption('--name <name>', 'the product name buyers and members see (members may name it in policies)')
    .requiredOption('--price <amount>', 'the list price in minor units (cents, fen), a whole number')
    .requiredOption('--currency <code>', 'ISO 4217 currency code, e.g. EUR, CNY')
    .option(
      '--valuation <method>',
      "how each sale is split: job (the jobs' own valuation: noisy row counts of a report, a DP training job's " +
        'records, the Shapley family of an exact one) or equal (equal shares of the contributors)',
      'job',
    )
    .option('--description <text>', 'what the product is')
    .option('--json', 'print the product: {id, name, jobs, price, currency, valuation, methods, members, sales, ...}')
    .addHelpText(
      'after',
      `
A product's members are its jobs' contributors. Per job each member's share is its value over the sum of the
positive values; a member's weight in the product is the mean of its shares over the jobs.

Examples:
  $ tessera products add --job job-3f2a9c1b7e44 --name "Market insight" --price 120000 --currency CNY
  $ tessera products add --job job-3f2a9c1b7e44 --job job-77b0e1c2d9a1 --name "Insight + model" \\
      --price 250000 --currency EUR --valuation equal --description "report and churn model" --json
${connectionOptions}`,
    )
    .action(
      async (
        o: Conn & {
          job: string[];
          name: string;
          price: string;
          currency: string;
          valuation: string;
          description?: string;
        },
      ) => {
        const price = parseMinorUnits('--price', o.price);
        const currency = parseCurrency(o.currency);
        if (o.valuation !== 'job' && o.valuation !== 'equal')
          throw new UsageError(`--valuation must be job or equal, got "${o.valuation}"`);
        if (!o.name.trim()) throw new UsageError('--name must not be empty');
        await withAnalyst(o, async (analyst) => {
          const product = await analyst.addProduct({
            jobs: o.job,
            name: o.name,
            price,
            currency,
            valuation: o.valuation as 'job' | 'equal',
            ...(o.description !== undefined ? { description: o.description } : {}),
          });
          if (o.json) printJson(product);
          else process.stdout.write(renderProduct(product, [], await memberNames(analyst)));
        });
      },
    );
}

function registerList(cmd: Command): void {
  withConnection(cmd.command('list'))
    .description('your products: price, valuation, members and sales so far')
    .option('--json', 'print [{id, name, price, currency, members, sales: {count, gross, refunded, net}, ...}]')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera products list
  $ tessera products list --json
${connectionOptions}`,
    )
    .action(async (o: Conn) => {
      await withAnalyst(o, async (analyst) => {
        const products = await analyst.listProducts();
        if (o.json) printJson(products);
        else process.stdout.write(renderProducts(products));
      });
    });
}

function registerShow(cmd: Command): void {
  withConnection(cmd.command('show'))
    .description("a product: its jobs, its members' values and shares, what valuation released, and its sales")
    .argument('<product>', 'the product id (prod-...)')
    .option('--json', 'print {product, sales}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera products show prod-5d1c9e0a7b3f2e64
  $ tessera products show prod-5d1c9e0a7b3f2e64 --json
${connectionOptions}`,
    )
    .action(async (id: string, o: Conn) => {
      await withAnalyst(o, async (analyst) => {
        const product = await analyst.getProduct(id);
        const sales = await analyst.listSales(id);
        if (o.json) printJson({ product, sales });
        else process.stdout.write(renderProduct(product, sales, await memberNames(analyst)));
      });
    });
}

function registerSell(cmd: Command): void {
  withConnection(cmd.command('sell'))
    .description(
      "sell a product: each member's node consents or refuses (its sales policy); the price is split exactly " +
        'among those that consent and written to the ledger',
    )
    .argument('<product>', 'the product id (prod-...)')
    .requiredOption('--buyer <name>', "the buyer's identity (members' policies may name it)")
    .option('--buyer-class <class>', 'the buyer\'s class, e.g. bank (policies name it as "class:bank")')
    .option('--amount <amount>', 'the price in minor units (default: the list price)')
    .option('--currency <code>', "the price's currency: must be the product's")
    .option('--note <text>', 'a note kept with the sale (an invoice number, say)')
    .option('--json', 'print the sale: {id, buyer, amount, currency, entries, refusals, refunds, net, seq, ...}')
    .addHelpText(
      'after',
      `
A member that refuses (its policy forbids this buyer, class or product, or it forbids sales) or that does not
answer in time is left out before the split and listed with its reason; if none consents nothing is sold.

Examples:
  $ tessera products sell prod-5d1c9e0a7b3f2e64 --buyer acme-bank --buyer-class bank
  $ tessera products sell prod-5d1c9e0a7b3f2e64 --buyer shopco --amount 80000 --currency CNY --note "PO 1187" --json
${connectionOptions}`,
    )
    .action(
      async (
        id: string,
        o: Conn & { buyer: string; buyerClass?: string; amount?: string; currency?: string; note?: string },
      ) => {
        const amount = o.amount === undefined ? undefined : parseMinorUnits('--amount', o.amount, 1);
        const currency = o.currency === undefined ? undefined : parseCurrency(o.currency);
        if (!o.buyer.trim()) throw new UsageError('--buyer must not be empty');
        await withAnalyst(o, async (analyst) => {
          const sale = await analyst.sellProduct({
            product: id,
            buyer: o.buyer,
            ...(o.buyerClass !== undefined ? { buyerClass: o.buyerClass } : {}),
            ...(amount !== undefined ? { amount } : {}),
            ...(currency !== undefined ? { currency } : {}),
            ...(o.note !== undefined ? { note: o.note } : {}),
          });
          if (o.json) printJson(sale);
          else process.stdout.write(renderSale(sale, await memberNames(analyst)));
        });
      },
    );
}

function registerRefund(cmd: Command): void {
  withConnection(cmd.command('refund'))
    .description("refund (part of) a sale: negative ledger entries, split by what each member's payout has left")
    .argument('<sale>', 'the sale id (sale-...)')
    .requiredOption('--amount <amount>', 'the refund in minor units, at most what is left of the sale')
    .option('--reason <text>', 'why, kept with the refund')
    .option('--json', 'print the sale with its refunds')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera products refund sale-0c4f1e9a2b7d3e58 --amount 20000 --reason "partial delivery"
  $ tessera products refund sale-0c4f1e9a2b7d3e58 --amount 20000 --json
${connectionOptions}`,
    )
    .action(async (id: string, o: Conn & { amount: string; reason?: string }) => {
      const amount = parseMinorUnits('--amount', o.amount, 1);
      await withAnalyst(o, async (analyst) => {
        const sale = await analyst.refundSale({
          sale: id,
          amount,
          ...(o.reason !== undefined ? { reason: o.reason } : {}),
        });
        if (o.json) printJson(sale);
        else process.stdout.write(renderSale(sale, await memberNames(analyst)));
      });
    });
}

function registerSales(cmd: Command): void {
  withConnection(cmd.command('sales'))
    .description('the sales of a product, or of all your products: buyer, price, refunds, who was paid and refused')
    .argument('[product]', 'a product id (default: every product of yours)')
    .option('--json', 'print [sale, ...]')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera products sales
  $ tessera products sales prod-5d1c9e0a7b3f2e64 --json
${connectionOptions}`,
    )
    .action(async (id: string | undefined, o: Conn) => {
      await withAnalyst(o, async (analyst) => {
        const sales = await analyst.listSales(id ?? '');
        if (o.json) printJson(sales);
        else process.stdout.write(renderSales(sales));
      });
    });
}

export function registerProducts(program: Command): void {
  const cmd = program
    .command('products')
    .description('data-trust sales: list finished jobs as products, sell them, refund sales (docs/sales.md)')
    .addHelpText(
      'after',
      `
Each sale's price is split exactly among the product's contributors that consent, as signed ledger entries;
a refund writes negative entries. Members check theirs with tessera payouts statement.

Examples:
  $ tessera products add --job job-3f2a9c1b7e44 --name "Market insight" --price 120000 --currency CNY
  $ tessera products list
  $ tessera products sell prod-5d1c9e0a7b3f2e64 --buyer acme-bank --buyer-class bank
  $ tessera products refund sale-0c4f1e9a2b7d3e58 --amount 20000 --reason "partial delivery"
  $ tessera products sales --json`,
    );
  registerAdd(cmd);
  registerList(cmd);
  registerShow(cmd);
  registerSell(cmd);
  registerRefund(cmd);
  registerSales(cmd);
}
