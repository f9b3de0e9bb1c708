// SCHEMA: the columns this node's data set has (under differential privacy, only declared domains).
import { columnProfileToProto, tessera } from '@tessera/proto';
import { schemaReport } from '../local-compute.js';
import { privacyPlanOf } from '../privacy/privacy-plan.js';
import { privateSchemaReport } from '../privacy/private-schema.js';
import { schemaAnswerKey } from '../privacy/train-features.js';
import type { ComputeHandler } from './task-handler.js';

const pb = tessera.v1;

export const schemaTask: ComputeHandler<tessera.v1.ISchemaReport> = {
  kind: 'compute',
  stage: pb.Stage.SCHEMA,
  compute(ctx, { task, checked }) {
    const local = schemaReport(ctx.data, task);
    // A differentially private job learns no row count and no text value that occurs here: only declared domains.
    const spec = checked?.spec;
    const s =
      checked?.own || privacyPlanOf(task)
        ? privateSchemaReport(local, spec?.kind === 'train' ? spec.spec.domains : undefined).schema
        : local;
    // Later stages' features are checked against what this node answered here (train-features.ts).
    ctx.memory.keepSchemaAnswer(schemaAnswerKey(task), s);
    const schema: tessera.v1.ISchemaReport = {
      task: task.ref,
      rows: s.rows,
      columns: s.columns.map((c) => columnProfileToProto(c)),
    };
    return { result: schema, rows: Number(schema.rows ?? 0) };
  },
  // The schema is always answered in the clear (the job agrees on it before any secure round).
  reply: (ctx, _active, schema) => ctx.send({ schema }),
};
