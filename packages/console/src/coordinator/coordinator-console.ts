/**
 * The coordinator's web console: HTTPS with the gRPC port's certificate, login by one-time links, operator and
 * analyst pages with live progress, /metrics, /healthz and /readyz.
 */
import { analystRefusal, type Coordinator } from '@tessera/coordinator';
import type { Logger } from '@tessera/transport';
import type { Principal } from '../http/sessions.js';
import { createConsoleApp, listenConsole } from '../http/console-app.js';
import { ConsoleError } from '../http/console-error.js';
import { Sessions, type SessionTimes } from '../http/sessions.js';
import { registerAnalystPages } from './analyst-pages.js';
import type { CoordinatorConsoleContext } from './console-context.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerLoginRoutes } from './login-routes.js';
import { registerMetricsRoute, type MetricsSource } from './metrics-route.js';
import { registerOperatorPages } from './operator-pages.js';

export interface CoordinatorConsoleOptions {
  /** host:port to listen on (port 0: a free one), e.g. 127.0.0.1:7071. */
  listen: string;
  /** What /metrics serves (default: the coordinator's own registry). */
  metrics?: MetricsSource;
  /** Session lifetimes (default 15 min idle, 8 h at most). */
  sessions?: SessionTimes;
  /**
   * Plain HTTP on a coordinator without TLS (--insecure): allowed on loopback only, as the coordinator itself.
   * Default false: the console refuses to start without TLS.
   */
  allowPlainHttp?: boolean;
  /** Where the console logs what it could not answer (the service's logger). */
  logger?: Logger;
}

export interface RunningConsole {
  /** https://host:port */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startCoordinatorConsole(
  coordinator: Coordinator,
  o: CoordinatorConsoleOptions,
): Promise<RunningConsole> {
  if (!coordinator.serverTls && !o.allowPlainHttp)
    throw new ConsoleError(
      'BAD_REQUEST',
      "the console serves HTTPS with the coordinator's TLS certificate, and this coordinator runs without TLS " +
        '(--insecure): drop --insecure, or drop --console',
    );
  const c = createConsoleApp({
    tls: coordinator.serverTls,
    clientCaPem: coordinator.serverTls?.clientCaPem,
    sessions: new Sessions(o.sessions),
    principalCheck: (p) => stillAllowed(coordinator, p),
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const ctx: CoordinatorConsoleContext = { coordinator, console: c };
  registerHealthRoutes(ctx);
  registerMetricsRoute(ctx, o.metrics ?? coordinator.metrics.registry);
  registerLoginRoutes(ctx);
  registerOperatorPages(ctx);
  registerAnalystPages(ctx);
  const { url, port } = await listenConsole(c, o.listen);
  return {
    url,
    port,
    close: async () => {
      await c.app.close();
    },
  };
}

/** An analyst revoked (here, on another replica or by the CLI) since logging in may not act: why, or undefined. */
async function stillAllowed(coordinator: Coordinator, p: Principal): Promise<string | undefined> {
  if (p.role !== 'analyst') return undefined;
  const analyst = await coordinator.store.getAnalyst(p.id);
  return analyst ? analystRefusal(analyst) : `analyst ${p.id} is no longer registered at this coordinator`;
}
