// A sale as the coordinator sends it to a contributor (Task.sale), and the SALE task carrying it.
import { tessera } from '@tessera/proto';

const pb = tessera.v1;

/** A SALE task for `sale` (the ref's job id is the sale id unless `jobId` says otherwise). */
export const saleTaskOf = (sale: tessera.v1.ISaleTask, jobId = sale.saleId ?? ''): tessera.v1.ITask => ({
  ref: { jobId, round: 1, stage: pb.Stage.SALE },
  sale,
});

export const SALE: tessera.v1.ISaleTask = {
  saleId: 'sale-00112233aabbccdd',
  productId: 'prod-0011223344556677',
  productName: 'churn-report',
  jobs: ['job-1', 'job-2'],
  buyer: 'northbank',
  buyerClass: 'bank',
  amount: 125_000,
  currency: 'EUR',
  seller: 'acme-insights',
};
