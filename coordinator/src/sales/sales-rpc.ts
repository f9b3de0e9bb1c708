/**
 * The six sales calls of AnalystService (the service authenticates the analyst and calls these): requests to
 * product, sale and refund inputs, views to messages (JSON), and a SalesError to its gRPC status with its message.
 * An analyst sees and sells its own products only; another's is NOT_FOUND, as a missing one.
 */
import * as grpc from '@grpc/grpc-js';
import { tessera } from '@tessera/proto';
import type { PayoutLedger } from '../payouts/payout-ledger.js';
import type { AnalystRecord } from '../store/store.js';
import { addProduct } from './product-listing.js';
import { refundSale } from './refund.js';
import { consentWindow } from './sale-consent.js';
import { sellProduct } from './sale-settlement.js';
import { SalesError, type SalesErrorCode } from './sales-error.js';
import type { SalesDeps } from './sales-deps.js';
import { listSaleViews, ownProduct, productView } from './sale-views.js';

const STATUS: Record<SalesErrorCode, grpc.status> = {
  'invalid-argument': grpc.status.INVALID_ARGUMENT,
  'not-found': grpc.status.NOT_FOUND,
  'failed-precondition': grpc.status.FAILED_PRECONDITION,
};

const grpcError = (code: grpc.status, details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });

/** A SalesError as its gRPC status (the message names the field); anything else as it is. */
export function salesStatus(e: unknown): unknown {
  return e instanceof SalesError ? grpcError(STATUS[e.code], e.message) : e;
}

/** A call's deadline, as grpc gives it (sales are settled before it). */
type Call = { getDeadline(): Date | number };

type Handler<Req, Res> = (req: Req, analyst: AnalystRecord, call?: Call) => Promise<Res>;

export interface SalesHandlers {
  addProduct: Handler<tessera.v1.AddProductRequest, tessera.v1.Product>;
  listProducts: Handler<tessera.v1.ListProductsRequest, tessera.v1.ListProductsResponse>;
  getProduct: Handler<tessera.v1.ProductRef, tessera.v1.Product>;
  sellProduct: Handler<tessera.v1.SellProductRequest, tessera.v1.Sale>;
  refundSale: Handler<tessera.v1.RefundSaleRequest, tessera.v1.Sale>;
  listSales: Handler<tessera.v1.ListSalesRequest, tessera.v1.ListSalesResponse>;
}

const product = (view: object) => tessera.v1.Product.create({ json: JSON.stringify(view) });
const sale = (view: object) => tessera.v1.Sale.create({ json: JSON.stringify(view) });

/** The handlers; without a ledger (a coordinator that keeps none) selling and refunding are UNIMPLEMENTED. */
export function salesHandlers(deps: Omit<SalesDeps, 'ledger'> & { ledger?: PayoutLedger }): SalesHandlers {
  const { store } = deps;
  const withLedger = (): SalesDeps => {
    if (!deps.ledger) throw grpcError(grpc.status.UNIMPLEMENTED, 'this coordinator keeps no payout ledger');
    return { ...deps, ledger: deps.ledger };
  };
  const mapped =
    <Req, Res>(fn: Handler<Req, Res>): Handler<Req, Res> =>
    (req, analyst, call) =>
      fn(req, analyst, call).catch((e: unknown) => {
        throw salesStatus(e);
      });
  return {
    addProduct: mapped(async (req, analyst) =>
      product(
        await addProduct(store, analyst.name, {
          jobs: req.jobs ?? [],
          name: req.name ?? '',
          price: req.price ?? 0,
          currency: req.currency ?? '',
          valuation: req.valuation ?? '',
          description: req.description ?? '',
        }),
      ),
    ),
    listProducts: mapped(async (_req, analyst) => {
      const records = await store.listProducts(analyst.name);
      const views = await Promise.all(records.map((r) => productView(store, r)));
      return tessera.v1.ListProductsResponse.create({ products: views.map(product) });
    }),
    getProduct: mapped(async (req, analyst) =>
      product(await productView(store, await ownProduct(store, req.productId ?? '', analyst.name))),
    ),
    sellProduct: mapped(async (req, analyst, call) =>
      sale(
        await sellProduct({ ...withLedger(), consentMs: consentWindow(call?.getDeadline()) }, analyst.name, {
          productId: req.productId ?? '',
          buyer: req.buyer ?? '',
          buyerClass: req.buyerClass ?? '',
          amount: req.amount ?? 0,
          hasAmount: req.hasAmount ?? false,
          currency: req.currency ?? '',
          note: req.note ?? '',
        }),
      ),
    ),
    refundSale: mapped(async (req, analyst) =>
      sale(
        await refundSale(withLedger(), analyst.name, {
          saleId: req.saleId ?? '',
          amount: req.amount ?? 0,
          reason: req.reason ?? '',
        }),
      ),
    ),
    listSales: mapped(async (req, analyst) => {
      if (req.productId) await ownProduct(store, req.productId, analyst.name);
      const views = await listSaleViews(store, {
        owner: analyst.name,
        ...(req.productId ? { productId: req.productId } : {}),
      });
      return tessera.v1.ListSalesResponse.create({ sales: views.map(sale) });
    }),
  };
}
