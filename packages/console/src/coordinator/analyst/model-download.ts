/** /jobs/:id/model: the training job's model file as a download (model-<job id>.json), for `tessera model score`. */
import type { CoordinatorConsoleContext } from '../console-context.js';
import { jobDataOf } from './job-data.js';
import { modelFileOf } from './model-file-of.js';
import { requireOwnJob } from './own-job.js';

export function registerModelDownload({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/jobs/:id/model', async (request, reply) => {
    const { job } = await requireOwnJob(c, coordinator, request);
    const model = await modelFileOf(coordinator, await jobDataOf(coordinator, job));
    const file = `model-${job.id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(`${JSON.stringify(model, null, 2)}\n`);
  });
}
