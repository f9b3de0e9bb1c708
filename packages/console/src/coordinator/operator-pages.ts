/**
 * The operator's pages: who is online, jobs by state, enrolment tokens, analysts, replicas and their leases, and the
 * payout ledger.
 */
import type { CoordinatorConsoleContext } from './console-context.js';
import { registerAnalystsPage } from './operator/analysts-page.js';
import { registerLedgerPage } from './operator/ledger-page.js';
import { registerOverviewPage } from './operator/overview-page.js';
import { registerParticipantsPage } from './operator/participants-page.js';
import { registerReplicasPage } from './operator/replicas-page.js';
import { registerTokensPage } from './operator/tokens-page.js';

export function registerOperatorPages(ctx: CoordinatorConsoleContext): void {
  registerOverviewPage(ctx);
  registerParticipantsPage(ctx);
  registerTokensPage(ctx);
  registerAnalystsPage(ctx);
  registerReplicasPage(ctx);
  registerLedgerPage(ctx);
}
