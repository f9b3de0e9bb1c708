/** /healthz (the process answers) and /metrics (the node's Prometheus metrics, when it has some); no login. */
import type { MetricsSource } from '../coordinator/metrics-route.js';
import { ConsoleError } from '../http/console-error.js';
import type { ParticipantConsoleContext } from './participant-context.js';

export function registerParticipantHealthRoutes(
  { node, console: c }: ParticipantConsoleContext,
  metrics: MetricsSource | undefined,
): void {
  c.app.get('/healthz', async (_request, reply) =>
    reply.type('application/json').send({ status: 'ok', participant: node.id }),
  );
  c.app.get('/metrics', async (_request, reply) => {
    if (!metrics)
      throw new ConsoleError('NOT_FOUND', 'this participant node keeps no Prometheus metrics (no registry was given)');
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });
}
