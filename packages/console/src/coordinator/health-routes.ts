/** /healthz (the process answers) and /readyz (store reachable, schema current, gRPC listening); no login. */
import type { CoordinatorConsoleContext } from './console-context.js';

export function registerHealthRoutes({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/healthz', async (_request, reply) => reply.type('application/json').send({ status: 'ok' }));
  c.app.get('/readyz', async (_request, reply) => {
    const r = await coordinator.readiness();
    return reply
      .status(r.ready ? 200 : 503)
      .type('application/json')
      .send({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  });
}
