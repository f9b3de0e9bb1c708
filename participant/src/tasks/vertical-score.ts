// VERTICAL_SCORE: this node's side of scoring shared customers with its part of a trained vertical model.
import { tessera } from '@tessera/proto';
import {
  parseGuestModel,
  parseHostModel,
  scoreVerticalGuest,
  serveVerticalHostScoring,
  type VerticalScores,
} from '@tessera/vertical';
import { checkVerticalScoreTask } from '../vertical/vertical-check.js';
import { alignmentSalt } from '../vertical/vertical-run.js';
import { scoreSummary, writeScores } from '../vertical/score-output.js';
import { readVerticalTable } from '../vertical/vertical-table.js';
import {
  abandonRun,
  checkNotBusy,
  finishRun,
  minSharedOf,
  progressOf,
  startRun,
  verticalNodeOf,
  withBlinder,
} from './vertical.js';
import type { SessionHandler } from './task-handler.js';

export const verticalScoreTask: SessionHandler = {
  kind: 'session',
  stage: tessera.v1.Stage.VERTICAL_SCORE,
  /** As a training run's, and this node must hold its part of the named model (same role, same peer). */
  beforeCharge(ctx, task) {
    checkNotBusy(ctx, task);
    checkVerticalScoreTask(task, verticalNodeOf(ctx));
  },
  /**
   * Reads the id column and the model's own feature columns (the guest reads no label), then runs the joint scoring:
   * the guest keeps a score per shared customer (vertical-scores/JOB.csv beside its ledger) and tells the analyst
   * their count and distribution; the host answers with nothing but the count.
   */
  async start(ctx, task, record) {
    const checked = checkVerticalScoreTask(task, verticalNodeOf(ctx));
    const raw = JSON.parse(checked.modelJson) as unknown;
    const guest = checked.party.role === 'guest';
    const model = guest ? parseGuestModel(raw) : parseHostModel(raw);
    const party = { ...checked.party, features: [...model.featureNames] };
    const table = readVerticalTable(ctx.data, party, ctx.data.servedColumns(party.dataset));
    record(table.ids.length);
    const run = startRun<VerticalScores | undefined>(ctx, task, checked, (link, signal) =>
      withBlinder(table.ids.length, (blinder) => {
        const common = {
          ...(blinder ? { blinder } : {}),
          link,
          table: { ids: table.ids, featureNames: table.featureNames, columns: table.columns },
          salt: alignmentSalt(checked, checked.spec.salt),
          session: checked.session,
          minOverlap: minSharedOf(ctx, checked.spec.minOverlap),
          signal,
          progress: progressOf(ctx, task),
        };
        return guest
          ? scoreVerticalGuest({ ...common, model: model as ReturnType<typeof parseGuestModel> })
          : serveVerticalHostScoring({ ...common, model: model as ReturnType<typeof parseHostModel> }).then(
              () => undefined,
            );
      }),
    );
    await ctx.send({ psi: run.hello() });
    void finishRun(ctx, run, async (scores) => {
      if (!scores) return { task: run.ref, numExamples: 0 };
      const path = writeScores(ctx.ledger.path, run.ref.jobId ?? '', scores.ids, scores.scores);
      ctx.logger.info(
        { participantId: ctx.id, jobId: run.ref.jobId, rows: scores.ids.length },
        `participant ${ctx.id}: scores of ${scores.ids.length} shared customers ` +
          (path ? `written to ${path}` : 'kept in memory only (the ledger is in memory)'),
      );
      const summary = scoreSummary(scores.scores);
      return {
        task: run.ref,
        numExamples: scores.ids.length,
        metrics: [
          { name: 'scored', value: summary.scored },
          { name: 'meanScore', value: summary.meanScore },
        ],
        resultJson: JSON.stringify(summary),
      };
    });
  },
  abandon: abandonRun,
};
