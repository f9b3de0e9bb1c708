// The coordinator accepts a score job only with scoring keys the spec's analyst signed, and at least 2 participants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { loadSeal, ScoringAnalyst } from '@tessera/he';
import { signScoringSetup, type tessera } from '@tessera/proto';
import { AnalystClient, AnalystIdentity } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { coordinatorError } from './adversarial-bench.js';
import { analystChannel } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

describe('score submissions: the scoring keys are signed by the analyst who signs the spec', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  const analyst = AnalystIdentity.generate();
  let setup: tessera.v1.IScoringSetup;
  const spec = {
    kind: 'score',
    dataset: 'customers',
    label: 'churned',
    features: [
      { name: 'visits', kind: 'numeric' },
      { name: 'spend', kind: 'numeric' },
    ],
  };

  /** A client of the registered analyst whose scoring-key signature is `sign`'s (its spec signature is its own). */
  const clientSigning = async (sign: (specJson: string, s: tessera.v1.IScoringSetup) => Uint8Array) =>
    new AnalystClient(
      coord.address,
      {
        identity: analyst.identity,
        signSpec: (s) => analyst.signSpec(s),
        signCall: (m) => analyst.signCall(m),
        signScoringSetup: sign,
      },
      await analystChannel(coord, 'analyst', analyst.identity),
    );

  beforeAll(async () => {
    await loadSeal();
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    const r = ScoringAnalyst.create({ weights: [0.5, 0.01, -1] }).request;
    setup = {
      paramsJson: JSON.stringify(r.params),
      publicKey: r.publicKey,
      galoisKeys: r.galoisKeys,
      encryptedModel: r.encryptedModel,
      features: r.features,
      span: r.span,
    };
  });
  afterAll(async () => {
    await coord?.stop();
    tmp.cleanup();
  });

  it('refuses unsigned keys, keys signed by another identity, and keys signed for another spec', async () => {
    const other = generateSigningKeyPair();
    const cases: [string, (specJson: string, s: tessera.v1.IScoringSetup) => Uint8Array][] = [
      ['unsigned', () => new Uint8Array(0)],
      ['another identity', (j, s) => signScoringSetup(j, s, other.secretKey)],
      ['another spec', (j, s) => analyst.signScoringSetup(j.replace('customers', 'orders'), s)],
    ];
    for (const [what, sign] of cases) {
      const client = await clientSigning(sign);
      try {
        const e = await coordinatorError(client.submit(spec, { scoring: setup }));
        expect(e.code, what).toBe('INVALID_ARGUMENT');
        expect(e.message, what).toMatch(/scoring.signature: the scoring keys are not signed by the analyst identity/);
      } finally {
        client.close();
      }
    }
    const honest = await clientSigning((j, s) => analyst.signScoringSetup(j, s));
    try {
      const e = await coordinatorError(honest.submit({ ...spec, minParticipants: 1 }, { scoring: setup }));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/minParticipants: must be at least 2, got 1/);
      // The same keys, signed by the analyst: accepted (the job then waits for participants).
      const job = await honest.submit({ ...spec, waitForParticipantsSeconds: 1 }, { scoring: setup });
      expect(job.id).toBeTruthy();
    } finally {
      honest.close();
    }
  });
});
