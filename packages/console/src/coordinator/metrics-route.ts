/** /metrics: the coordinator's Prometheus metrics in the text exposition format (no login, as scrapers expect). */
import type { CoordinatorConsoleContext } from './console-context.js';

/** What /metrics serves: a prom-client Registry, or anything that renders the exposition format. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export function registerMetricsRoute(ctx: CoordinatorConsoleContext, source: MetricsSource): void {
  ctx.console.app.get('/metrics', async (_request, reply) =>
    reply.type(source.contentType).send(await source.metrics()),
  );
}
