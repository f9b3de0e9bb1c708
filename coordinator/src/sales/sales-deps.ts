/** What selling needs: the store, the connected members (their consent, their receipts) and the signed ledger. */
import type { PayoutLedger } from '../payouts/payout-ledger.js';
import type { SessionRegistry } from '../service/registry.js';
import type { Store } from '../store/store.js';

export interface SalesDeps {
  store: Store;
  registry: SessionRegistry;
  ledger: PayoutLedger;
  /** How long members have to answer a sale (default SALE_CONSENT_MS, 30 s). */
  consentMs?: number;
}
