import { ciphertextMaxBytes, CkksEvaluator, loadSeal, ScoreAccumulator } from '@tessera/he';
import { columnProfileToProto, privacyModes, privacyUnits, tessera } from '@tessera/proto';
import { ScoreCollector } from '../../../rounds/score-collector.js';
import { runStage } from '../../../rounds/stage.js';
import type { SealedExchange } from '../../../service/sealed-exchange.js';
import type { SessionRegistry } from '../../../service/registry.js';
import type { JobRecord, Store } from '../../../store/store.js';
import type { JobEvents } from '../../job-events.js';
import { OneRoundRunner } from '../../one-round-runner.js';
import { encodedFeaturesOf, parseScoreSpec, scoreNoise, type ScoreSpec } from '@tessera/jobs';
import type { StoredScoringSetup } from '../../../service/scoring-setup.js';

const pb = tessera.v1;

/**
 * Runs an encrypted-scoring job: every participant serving the data set evaluates the analyst's
 * encrypted model on its rows, per declared segment; the coordinator adds the ciphertexts (it holds
 * no secret key) and hands the encrypted totals to the analyst, who alone decrypts them.
 */
export class ScoreRunner extends OneRoundRunner {
  private readonly spec: ScoreSpec;
  private readonly setup: StoredScoringSetup;

  constructor(
    job: JobRecord,
    store: Store,
    private readonly registry: SessionRegistry,
    events: JobEvents,
    private readonly sealed: SealedExchange,
  ) {
    super(job, store, events, sealed);
    this.spec = parseScoreSpec(JSON.parse(job.specJson));
    this.setup = (JSON.parse(job.contextJson) as { scoring: StoredScoringSetup }).scoring;
  }

  protected async runRound(): Promise<{ message: string }> {
    await loadSeal();
    await this.score();
    return { message: 'completed' };
  }

  private async score(): Promise<void> {
    const s = this.spec;
    const sessions = await this.servingParticipants(this.registry, s);
    const key = { jobId: this.jobId, round: 1, stage: pb.Stage.SCORE };
    const started = performance.now();
    // Per segment, the sum of the ciphertexts: also of the suppression indicators (slot 1 of the count), which only
    // the analyst decrypts.
    const totals = s.segments.map(() => new ScoreAccumulator(this.setup.params));
    // Noised totals: announced as one release (participants derive their own noise from the signed spec).
    const privacyPlan: tessera.v1.IPrivacyPlan | undefined = s.privacy
      ? {
          mode: privacyModes.toProto(s.privacy.mode),
          unit: privacyUnits.toProto('record'),
          noiseMultiplier: scoreNoise(s.privacy, s.minParticipants, encodedFeaturesOf(s)).noiseMultiplier,
          sampleRate: 1,
          rounds: 0,
          fullReleases: 1,
          epsilon: s.privacy.epsilon,
          delta: s.privacy.delta,
        }
      : undefined;
    const checker = new CkksEvaluator(this.setup.params);
    const maxCiphertextBytes = ciphertextMaxBytes(this.setup.params);
    try {
      const b = (x: string) => new Uint8Array(Buffer.from(x, 'base64'));
      const scoring = {
        paramsJson: JSON.stringify(this.setup.params),
        publicKey: b(this.setup.publicKey),
        galoisKeys: b(this.setup.galoisKeys),
        encryptedModel: b(this.setup.encryptedModel),
        features: this.setup.features,
        span: this.setup.span,
        signature: b(this.setup.signature ?? ''),
      };
      const outcome = await runStage({
        key,
        sessions,
        deadlineMs: s.roundTimeoutSeconds * 1000,
        signal: this.abort.signal,
        request: () => ({
          message: {
            task: {
              ...this.analystField(),
              ref: key,
              dataset: s.dataset,
              label: s.label,
              deadlineUnixMs: Date.now() + s.roundTimeoutSeconds * 1000,
              features: s.features.map((f) => columnProfileToProto(f)),
              scoring,
              segmentBy: s.segmentBy ?? '',
              segments: s.segments,
              ...(privacyPlan ? { privacyPlan } : {}),
            },
          },
        }),
        collector: (_session, settle) =>
          new ScoreCollector(key, settle, s.segments.length, maxCiphertextBytes, (segments) => {
            try {
              // Every ciphertext must load under the job's parameters before any is added.
              for (const c of segments) {
                checker.add(c.score, c.score);
                checker.add(c.count, c.count);
              }
            } catch (e) {
              return `an encrypted score does not load under the job's parameters: ${(e as Error).message}`;
            }
            for (const [i, c] of segments.entries()) totals[i]!.add(c); // the collector checked one per segment
            return undefined;
          }),
      });
      const seconds = (performance.now() - started) / 1000;
      const dropped = [...outcome.failures.keys()];
      await this.noteRefusals('score', outcome);
      if (outcome.results.size < s.minParticipants) {
        const reason =
          `${outcome.results.size} of ${sessions.length} participants answered, ` +
          `fewer than minParticipants = ${s.minParticipants}` +
          (dropped.length ? ` (${[...outcome.failures].map(([id, why]) => `${id}: ${why}`).join('; ')})` : '');
        await this.store.addRound({
          jobId: this.jobId,
          round: 1,
          stage: 'score',
          attempt: 1,
          status: 'failed',
          contributors: outcome.results.size,
          dropped,
          metrics: {},
          seconds,
          error: reason,
          finishedAt: Date.now(),
        });
        throw new Error(reason);
      }
      await this.store.addRound({
        jobId: this.jobId,
        round: 1,
        stage: 'score',
        attempt: 1,
        status: 'completed',
        contributors: outcome.results.size,
        dropped,
        metrics: {},
        seconds,
        error: '',
        finishedAt: Date.now(),
      });
      await this.sealed.request(
        {
          jobId: this.jobId,
          round: 1,
          stage: 'score',
          length: s.segments.length,
          survivors: outcome.results.size,
          chunks: totals.flatMap((t) => {
            const r = t.result();
            return [r.score, r.count];
          }),
          decodeJson: JSON.stringify({ segments: s.segments }),
        },
        this.abort.signal,
        { what: 'the scores', publish: (m) => this.events.publish(this.jobId, m) },
      );
    } finally {
      checker.dispose();
      for (const t of totals) t.dispose();
    }
  }
}
