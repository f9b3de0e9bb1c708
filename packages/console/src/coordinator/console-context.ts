/** What the coordinator console's routes share: the coordinator they show, and the console's HTTP app. */
import type { Coordinator } from '@tessera/coordinator';
import type { ConsoleApp } from '../http/console-app.js';

export interface CoordinatorConsoleContext {
  coordinator: Coordinator;
  console: ConsoleApp;
}

/** The links in every coordinator console page's header, by role. */
export const OPERATOR_NAV = [
  ['/operator', 'Overview'],
  ['/operator/participants', 'Participants'],
  ['/operator/tokens', 'Enrolment tokens'],
  ['/operator/analysts', 'Analysts'],
  ['/operator/replicas', 'Replicas'],
  ['/operator/ledger', 'Payouts'],
] as const;

export const ANALYST_NAV = [['/jobs', 'My jobs']] as const;

export const navOf = (role: string) => (role === 'operator' ? OPERATOR_NAV : ANALYST_NAV);
