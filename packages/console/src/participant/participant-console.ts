/**
 * A participant's local page (tessera participant start --console): plain HTTP on loopback only, for the merchant who
 * runs the node. Login by one-time links signed with the node's console secret (tessera participant console-link
 * mints them while the node runs; login-link.ts); pages for the grants (with Revoke), the privacy budgets,
 * the audit log with its chain verified and the payout receipts; /metrics and /healthz without login.
 */
import type { ParticipantConfig, ParticipantNode } from '@tessera/participant';
import type { RunningConsole } from '../coordinator/coordinator-console.js';
import type { MetricsSource } from '../coordinator/metrics-route.js';
import { createConsoleApp, listenConsole } from '../http/console-app.js';
import { ConsoleError } from '../http/console-error.js';
import { Sessions, type SessionTimes } from '../http/sessions.js';
import { registerAuditPage } from './audit-page.js';
import { registerBudgetsPage } from './budgets-page.js';
import { registerGrantsPage } from './grants-page.js';
import { registerParticipantHealthRoutes } from './health-routes.js';
import { removeConsoleUrl, writeConsoleUrl } from './console-files.js';
import { LoginLinks } from './login-link.js';
import { registerParticipantLoginRoutes } from './login-routes.js';
import { checkLoopbackHost, checkLoopbackListen } from './loopback.js';
import type { ParticipantConsoleContext } from './participant-context.js';
import { registerReceiptsPage } from './receipts-page.js';

/** Where `--console` listens when given without a value. */
export const DEFAULT_PARTICIPANT_CONSOLE = '127.0.0.1:7072';

export interface ParticipantConsoleOptions {
  /** host:port on loopback (127.0.0.1, ::1 or localhost; port 0: a free one), e.g. 127.0.0.1:7072. */
  listen: string;
  /** The participant config file: its directory keeps console-secret (made if missing) and console-url. */
  configFile: string;
  /** What /metrics serves; default the node's own registry (node.metrics.registry) when it has one. */
  metrics?: MetricsSource;
  /** Session lifetimes (default 15 min idle, 8 h at most). */
  sessions?: SessionTimes;
  /** The clock of the login link and the sessions (tests). */
  now?: () => number;
}

export interface RunningParticipantConsole extends RunningConsole {
  /** A one-time login link made at start: http://127.0.0.1:PORT/login/TOKEN. */
  loginUrl: string;
  /** When it stops working, in milliseconds since the epoch. */
  loginExpiresAt: number;
  /** A new one-time link (as tessera participant console-link mints it); earlier ones keep working. */
  newLoginLink(): { url: string; expiresAt: number };
}

export async function startParticipantConsole(
  node: ParticipantNode,
  config: ParticipantConfig,
  o: ParticipantConsoleOptions,
): Promise<RunningParticipantConsole> {
  checkLoopbackListen(o.listen);
  if (!config.ledger || config.ledger === ':memory:')
    throw new ConsoleError(
      'BAD_REQUEST',
      `participant ${config.participantId}: ledger: the console reads grants, budgets and the audit log from the ` +
        "node's ledger file and writes revocations there, and this node keeps its ledger in memory: " +
        'set ledger: ./ledger.sqlite in the participant config',
    );
  const now = o.now ?? Date.now;
  const c = createConsoleApp({ sessions: new Sessions({ ...o.sessions, now }) });
  c.app.addHook('onRequest', async (request) => checkLoopbackHost(request.headers.host));
  const links = new LoginLinks(o.configFile, now);
  const ctx: ParticipantConsoleContext = { node, config, configFile: o.configFile, console: c, links };
  const own = (node as unknown as { metrics?: { registry?: MetricsSource } }).metrics?.registry;
  registerParticipantHealthRoutes(ctx, o.metrics ?? own);
  registerParticipantLoginRoutes(ctx);
  registerGrantsPage(ctx);
  registerBudgetsPage(ctx);
  registerAuditPage(ctx);
  registerReceiptsPage(ctx);
  const { url, port } = await listenConsole(c, o.listen);
  try {
    writeConsoleUrl(o.configFile, url);
  } catch (e) {
    await c.app.close();
    throw e;
  }
  const newLoginLink = () => {
    const { token, expiresAt } = links.issue();
    return { url: `${url}/login/${token}`, expiresAt };
  };
  const first = newLoginLink();
  return {
    url,
    port,
    loginUrl: first.url,
    loginExpiresAt: first.expiresAt,
    newLoginLink,
    close: async () => {
      removeConsoleUrl(o.configFile, url);
      await c.app.close();
    },
  };
}
