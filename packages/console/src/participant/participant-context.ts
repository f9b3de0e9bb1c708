/**
 * What the participant console's routes share: the running node, its config (and the file it came from), the HTTP
 * app and the login links.
 */
import type { ParticipantConfig, ParticipantNode } from '@tessera/participant';
import type { ConsoleApp } from '../http/console-app.js';
import type { LoginLinks } from './login-link.js';

export interface ParticipantConsoleContext {
  node: ParticipantNode;
  config: ParticipantConfig;
  configFile: string;
  console: ConsoleApp;
  links: LoginLinks;
}

/** The links in every page's header. */
export const MERCHANT_NAV = [
  ['/grants', 'Grants'],
  ['/budgets', 'Privacy budgets'],
  ['/audit', 'Audit log'],
  ['/receipts', 'Payout receipts'],
] as const;
