import type * as grpc from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { createStrategy, decodeWideSum, summedUpdatesFrom, type SumDecoding, type WideCodec } from '@tessera/fl';
import { BfvDecryptor, BfvKeyPair, chooseBfvParameters, loadSeal, type BfvParameters } from '@tessera/he';
import { standardisationFrom } from '@tessera/ml';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '@tessera/crypto';
import { analystClient, signAnalystKey, type ChannelSecurity, type tessera } from '@tessera/proto';
import { JOB_SPEC_CONTEXT, type JobSpec } from '@tessera/jobs';
import type { Coordinator } from '../src/index.js';
import { analystChannel } from './grpc-helpers.js';

/**
 * A minimal analyst for coordinator tests: keys, sealed submission and the decrypt-and-answer loop over AttachSealed.
 */
export class TestSealedAnalyst {
  readonly params: BfvParameters;
  readonly keys: BfvKeyPair;
  readonly aggregates: tessera.v1.ISealedAggregate[] = [];
  private readonly client;
  private readonly metadata = new Metadata();
  /** Signs the BFV key instead of the identity when set: a key swapped in by someone else, for refusal tests. */
  readonly keySigner?: SigningKeyPair;

  private constructor(
    coord: Pick<Coordinator, 'address'>,
    security: ChannelSecurity,
    readonly identity: SigningKeyPair,
  ) {
    this.params = chooseBfvParameters({ participants: 1, bitsPerCoordinate: 1 });
    this.keys = BfvKeyPair.generate(this.params);
    this.client = analystClient(coord.address, security);
  }

  /**
   * A sealed analyst registered at the coordinator as `name`, with an identity of its own (or `identity`) and a client
   * certificate.
   */
  static async create(
    coord: Pick<Coordinator, 'address' | 'clientSecurity'> & { options: { dataDir: string } },
    name = 'sealed-analyst',
    identity: SigningKeyPair = generateSigningKeyPair(),
  ): Promise<TestSealedAnalyst> {
    await loadSeal();
    return new TestSealedAnalyst(coord, await analystChannel(coord, name, identity.publicKey), identity);
  }

  submit(spec: object): Promise<tessera.v1.Job> {
    return new Promise((resolve, reject) =>
      this.client.submitJob(
        {
          specJson: JSON.stringify(spec),
          specSignature: sign(
            JOB_SPEC_CONTEXT,
            new TextEncoder().encode(JSON.stringify(spec)),
            this.identity.secretKey,
          ),
          analystKey: this.keys.publicKey,
          sealedParamsJson: JSON.stringify(this.wireParams()),
          analystIdentity: this.identity.publicKey,
          analystSignature: signAnalystKey(
            this.keys.publicKey,
            this.wireParams(),
            (this.keySigner ?? this.identity).secretKey,
          ),
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
