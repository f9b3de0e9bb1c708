import type * as grpc from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { createStrategy, decodeWideSum, summedUpdatesFrom, type SumDecoding, type WideCodec } from '@tessera/fl';
import { BfvDecryptor, BfvKeyPair, chooseBfvParameters, loadSeal, type BfvParameters } from '@tessera/he';
import { standardisationFrom } from '@tessera/ml';
import { generateSigningKeyPair } from '@tessera/crypto';
import { analystClient, signAnalystKey, type tessera } from '@tessera/proto';
import type { JobSpec } from '@tessera/jobs';
import type { Dial } from './grpc-helpers.js';

/**
 * A minimal analyst for coordinator tests: keys, sealed submission and the decrypt-and-answer loop over AttachSealed.
 */
export class TestSealedAnalyst {
  readonly params: BfvParameters;
  readonly keys: BfvKeyPair;
  readonly identity = generateSigningKeyPair();
  readonly aggregates: tessera.v1.ISealedAggregate[] = [];
  private readonly client;
  private readonly metadata = new Metadata();

  private constructor(coord: Dial, token: string) {
    this.params = chooseBfvParameters({ participants: 1, bitsPerCoordinate: 1 });
    this.keys = BfvKeyPair.generate(this.params);
    this.client = analystClient(coord.address, coord.clientSecurity);
    this.metadata.set('authorization', `Bearer ${token}`);
  }

  static async create(coord: Dial, token: string): Promise<TestSealedAnalyst> {
    await loadSeal();
    return new TestSealedAnalyst(coord, token);
  }

  submit(spec: object): Promise<tessera.v1.Job> {
    return new Promise((resolve, reject) =>
      this.client.submitJob(
        {
          specJson: JSON.stringify(spec),
          analystKey: this.keys.publicKey,
          sealedParamsJson: JSON.stringify(this.wireParams()),
          analystIdentity: this.identity.publicKey,
          analystSignature: signAnalystKey(this.keys.publicKey, this.wireParams(), this.identity.secretKey),
        },
        this.metadata,
        (err: grpc.ServiceError | null, res: tessera.v1.Job) => (err ? reject(err) : resolve(res)),
      ),
    );
  }

  wireParams() {
    return {
      polyModulusDegree: this.params.polyModulusDegree,
      coeffModulusBits: [...this.params.coeffModulusBits],
      plainModulus: Number(this.params.plainModulus),
    };
  }

  /** Attaches to a job and answers every aggregate until the coordinator ends the stream. */
  attach(jobId: string, spec: JobSpec): Promise<void> {
    const call = this.client.attachSealed(this.metadata) as grpc.ClientDuplexStream<
      tessera.v1.ISealedReply,
      tessera.v1.SealedAggregate
    >;
    const decryptor = new BfvDecryptor(this.params, this.keys.secretKeyBytes());
    const strategy = createStrategy({
      name: spec.strategy.name,
      fractionFit: spec.strategy.fractionFit,
      serverLearningRate: spec.strategy.serverLearningRate,
      minFitParticipants: spec.minParticipants,
      ...(spec.seed !== undefined ? { seed: `${spec.seed}/${jobId}` } : {}),
    });
    return new Promise<void>((resolve, reject) => {
      call.on('data', (a: tessera.v1.SealedAggregate) => {
        this.aggregates.push(a);
        const sum = decryptor.decrypt(a.chunks, a.length);
        const decode = JSON.parse(a.decodeJson) as { wide?: WideCodec; features?: number; decoding?: SumDecoding };
        let values: number[];
        if (a.stage === 'statistics') {
          const d = decode.features!;
          const stats = decodeWideSum(sum, a.survivors, decode.wide!);
          const s = standardisationFrom({
            count: stats[0],
            sum: stats.slice(1, d + 1),
            sumSquares: stats.slice(d + 1),
          });
          values = [stats[0], ...s.mean, ...s.std];
        } else {
          const global = Float64Array.from(a.model);
          values = [
            ...strategy.aggregateFit(a.round, global, summedUpdatesFrom(sum, decode.decoding!, global, a.survivors)),
          ];
        }
        call.write({ jobId, round: a.round, stage: a.stage, values });
      });
      call.on('end', () => {
        decryptor.dispose();
        resolve();
      });
      call.on('error', (e) => {
        decryptor.dispose();
        reject(e);
      });
      call.write({ jobId, attach: true });
    });
  }

  close(): void {
    this.client.close();
  }
}
