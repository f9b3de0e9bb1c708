/** What the participant console's routes share: the running node, its config, the HTTP app and the login link. */
import type { ParticipantConfig, ParticipantNode } from '@tessera/participant';
import type { ConsoleApp } from '../http/console-app.js';
import type { LoginLink } from './login-link.js';

export interface ParticipantConsoleContext {
  node: ParticipantNode;
  config: ParticipantConfig;
  console: ConsoleApp;
  link: LoginLink;
}

/** The links in every page's header. */
export const MERCHANT_NAV = [
  ['/grants', 'Grants'],
  ['/budgets', 'Privacy budgets'],
  ['/audit', 'Audit log'],
  ['/receipts', 'Payout receipts'],
] as const;
