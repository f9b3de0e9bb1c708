import { describe, expect, it } from 'vitest';
import { decodeShare, generateSigningKeyPair, sign } from '@tessera/crypto';
import { ParticipantNode } from '@tessera/participant';
import { tessera } from '@tessera/proto';
import { completeGraph, SecAggError, ServerAdvertiseKeys, type RoundConfig } from '@tessera/secagg';
import { Connection } from '../../participant/src/connection.js';
import { SecureContribution } from '../../participant/src/secure-contribution.js';
import {
  ADVERTISE_CONTEXT,
  advertisedBytes,
  CONSISTENCY_CONTEXT,
  consistencyBytes,
  encodeSurvivorSet,
} from '../../packages/secagg/src/config.js';
import { fits } from './helpers.js';
import { internals, MODEL_LENGTH, spec, useSecureBench, type Body, type Ref } from './secure-bench.js';

// SecAgg+ input that must be refused: tampered messages from a participant (the coordinator or a peer refuses them
// and the round goes on), and a survivor set that asks for both shares of one participant (the participant refuses
// to sign it, so it never unmasks from it).

const pb = tessera.v1;
/** The participant's index in the secure round its contribution belongs to. */
const indexOf = (c: SecureContribution) => (c as unknown as { state: { index: number } }).state.index;

describe('secure aggregation (SecAgg+) over real gRPC on loopback', () => {
  const bench = useSecureBench();
  const { startNodes, run, expectModelsFromSurvivors } = bench;

  it('rejects bad secure-aggregation input with a reason, counts it; the round goes on for the others', async () => {
    const dataset = 'bad-input';
    const started = await startNodes(dataset, 5);
    const offender = started[4];
    const other = internals(started[0]).opts.identity;
    const rejections: string[] = [];
    offender.on('rejected', (reason: string) => rejections.push(reason));

    // Round r of the job tampers with the offender's fit messages in way r.
    let roundOneAdvert: tessera.v1.IAdvertiseKeys | undefined;
    let offenderIndex = -1;
    let tamperedPeer = -1;
    const genuineSend = internals(offender).send.bind(offender);
    const tamper = (body: Body): Body => {
      const ref = body.advertise?.task ?? body.shareKeys?.task ?? body.masked?.task;
      if (!ref || ref.computation !== pb.Stage.FIT) return body;
      if (body.advertise && ref.round === 1) roundOneAdvert = body.advertise;
      if (body.shareKeys) {
        // The complete graph: the offender addresses everyone but itself.
        const peers = (body.shareKeys.shares ?? []).map((s) => s.peer!);
        offenderIndex = [...Array(peers.length + 1).keys()].find((i) => !peers.includes(i))!;
      }
      const shares = (change: (s: tessera.v1.IEncryptedShare) => tessera.v1.IEncryptedShare): Body => ({
        shareKeys: { ...body.shareKeys, shares: body.shareKeys!.shares!.map((s, i) => (i === 0 ? change(s) : s)) },
      });
      switch (ref.round) {
        case 1: // a masked vector that claims another length
          return body.masked
            ? {
                masked: {
                  ...body.masked,
                  chunk: { ...body.masked.chunk, total: Number(body.masked.chunk!.total) + 1 },
                },
              }
            : body;
        case 2: // a short masked vector
          return body.masked
            ? {
                masked: {
                  ...body.masked,
                  chunk: {
                    ...body.masked.chunk,
                    words: (body.masked.chunk!.words as unknown as Uint32Array).slice(0, -1) as unknown as number[],
                  },
                },
              }
            : body;
        case 3: // a share addressed to an index outside the round
          return body.shareKeys ? shares((s) => ({ ...s, peer: 99 })) : body;
        case 4: // a share addressed to the offender itself
          return body.shareKeys ? shares((s) => ({ ...s, peer: offenderIndex })) : body;
        case 5: // a share ciphertext with one byte flipped: only its recipient can tell
          if (!body.shareKeys) return body;
          return shares((s) => {
            tamperedPeer = s.peer!;
            const ciphertext = Uint8Array.from(s.ciphertext!);
            ciphertext[20] ^= 0x01;
            return { ...s, ciphertext };
          });
        case 6: // round 1's AdvertiseKeys replayed in a later round
          return body.advertise
            ? {
                advertise: {
                  ...body.advertise,
                  encryptionKey: roundOneAdvert!.encryptionKey,
                  maskingKey: roundOneAdvert!.maskingKey,
                  signature: roundOneAdvert!.signature,
                },
              }
            : body;
        case 7: {
          // AdvertiseKeys signed with another participant's identity key
          if (!body.advertise) return body;
          const c = internals(offender).connection!.secure!;
          offenderIndex = indexOf(c);
          const signature = sign(
            ADVERTISE_CONTEXT,
            advertisedBytes(c.config.roundId, offenderIndex, body.advertise.encryptionKey!, body.advertise.maskingKey!),
            other.secretKey,
          );
          return { advertise: { ...body.advertise, signature } };
        }
        default:
          return body;
      }
    };
    internals(offender).send = (body: Body) => genuineSend(tamper(body));

    const { job, events } = await run(spec(dataset, { rounds: 7 }));
    expect(job.status, job.error).toBe('completed');
    const rounds = fits(job);
    expect(rounds.map((r) => [r.round, r.status, r.attempt, r.contributors])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((r) => [r, 'completed', 1, 4]),
    );
    for (const r of rounds) expect(r.metrics).toMatchObject({ threshold: 3, degree: 4, participants: 5 });

    const o = offenderIndex;
    const advertiseKeys = `AdvertiseKeys from participant ${o}`;
    const signatureReason = `${advertiseKeys}: the signature does not verify under its identity key for this round`;
    const expected: [round: number, reason: string][] = [
      [1, `vector length ${MODEL_LENGTH + 2} does not match the expected ${MODEL_LENGTH + 1}`],
      [2, `the masked vector is incomplete: ${MODEL_LENGTH} of ${MODEL_LENGTH + 1} words arrived before done`],
      [3, `ShareKeys from participant ${o}: a share addressed to 99, not in 0..4`],
      [
        4,
        `ShareKeys from participant ${o}: a share addressed to participant ${o}, ` +
          'which is not a neighbour that advertised keys',
      ],
      [6, signatureReason],
      [7, signatureReason],
    ];
    for (const [round, reason] of expected) {
      const r = fits(job, round)[0];
      expect(rejections, `round ${round}`).toContain(reason);
      expect(r.dropped, `round ${round}`).toEqual([offender.id]);
      expect(r.metrics.rejected, `round ${round}`).toBe(1);
      expect(events.find((e) => e.startsWith(`round ${round}/7 completed`))).toContain(
        `dropped ${offender.id}: ${reason}`,
      );
    }
    // Round 1's rejection closed the offender's upload, so its trailing 'done' had no open task either.
    expect(rejections).toContain(`no open task for job ${job.id} round 1 stage masked-input of fit attempt 1`);

    // The tampered ciphertext passes the coordinator (it cannot open it); its recipient refuses the step,
    // naming the sender, and drops out of the round; the round completes for the other four.
    const five = fits(job, 5)[0];
    expect(five.metrics.rejected).toBe(0);
    expect(five.dropped).toHaveLength(1);
    expect(five.dropped[0]).not.toBe(offender.id);
    expect(events.find((e) => e.startsWith('round 5/7 completed'))).toContain(
      `dropped ${five.dropped[0]}: participant ${tamperedPeer}: ` +
        `the share ciphertext from participant ${o} fails authentication (tampered, or from another round)`,
    );

    // Every round's model is exactly the FedAvg of the accepted inputs: no rejected vector reached a sum.
    await expectModelsFromSurvivors(job);
    expect(fits(job, 7)[0].metrics.auc).toBeGreaterThan(0.95);
  });
});

describe('a participant asked for both shares of one participant', () => {
  /**
   * Three SecureContributions (n = 3, t = 2) driven by the in-process SecAgg+ server through MaskedInput; participant 2
   * drops.
   */
  function threeAtUnmask() {
    const n = 3;
    const roundId = new Uint8Array(32).fill(9);
    const identities = Array.from({ length: n }, () => generateSigningKeyPair());
    const identityKeys = identities.map((k) => k.publicKey);
    const ref: Ref = {
      jobId: 'job-x',
      round: 1,
      stage: pb.Stage.ADVERTISE_KEYS,
      computation: pb.Stage.FIT,
      attempt: 1,
    };
    const inputs = [
      [1, 2, 3, 4],
      [10, 20, 30, 40],
      [100, 200, 300, 400],
    ].map((w) => Uint32Array.from(w));
    const contributions = inputs.map(
      (w, index) =>
        new SecureContribution(
          ref,
          {
            roundId,
            index,
            participantIds: ['a', 'b', 'c'],
            identityKeys,
            threshold: 2,
            degree: n - 1,
            graphSeed: new Uint8Array(32),
            modulus: 2 ** 32,
            computation: pb.Stage.FIT,
          },
          w.slice(),
          identities[index].secretKey,
        ),
    );
    const config: RoundConfig = { roundId, n, threshold: 2, graph: completeGraph(n), dimension: 4, identityKeys };
    const advertise = new ServerAdvertiseKeys(config);
    contributions.forEach((c, index) =>
      advertise.receive({
        index,
        ...(c.advertise() as { encryptionKey: Uint8Array; maskingKey: Uint8Array; signature: Uint8Array }),
      }),
    );
    const shareKeys = advertise.close();
    contributions.forEach((c, index) => {
      const keys = shareKeys.forwardedKeys(index);
      const out = c.shareKeys({
        indices: keys.map((k) => k.index),
        keys: keys.map((k) => ({ encryptionKey: k.encryptionKey, maskingKey: k.maskingKey, signature: k.signature })),
      });
      shareKeys.receive({ index, shares: out.shares!.map((s) => ({ to: s.peer!, ciphertext: s.ciphertext! })) });
    });
    const masked = shareKeys.close();
    const ys = contributions.map((c, index) =>
      c.mask({ shares: masked.sharesFor(index).map((x) => ({ peer: x.from, ciphertext: x.ciphertext })) }),
    );
    masked.receive({ index: 0, y: ys[0] });
    masked.receive({ index: 1, y: ys[1] });
    return { contributions, inputs, check: masked.close(), ref, roundId, identities };
  }

  /** A ParticipantNode whose connection holds contribution `c`; what it sends is collected in `sent`. */
  function nodeWith(c: SecureContribution) {
    const node = new ParticipantNode({
      config: {
        name: 'n0',
        coordinator: '127.0.0.1:1',
        participantId: 'p-n0',
        identityKey: '(in memory)',
        datasets: {},
      },
      identity: generateSigningKeyPair(),
    });
    const sent: Body[] = [];
    internals(node).send = async (body: Body) => {
      sent.push(body);
    };
    // A connection whose stream is never written to: the node's send is replaced above.
    const connection = new Connection({} as never, node.id, generateSigningKeyPair().secretKey);
    connection.secure = c;
    internals(node).connection = connection;
    const deliver = (m: tessera.v1.ICoordinatorMessage) =>
      internals(node).onMessage(connection, pb.CoordinatorMessage.create(m));
    return { sent, connection, deliver };
  }

  const refusal = (f: () => unknown): SecAggError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(SecAggError);
      return e as SecAggError;
    }
    throw new Error('expected a refusal');
  };

  it('SecureContribution refuses to sign a survivor set that would reveal both shares of one participant', () => {
    const {
      contributions: [c0, c1],
      inputs,
      check,
    } = threeAtUnmask();
    const honest = check.consistencyRequest();
    expect(honest).toEqual({ survivors: [0, 1], dropped: [2] });

    // Participant 2 listed both as a survivor and as dropped: its self-mask and its masking key would both come out.
    let e = refusal(() => c0.consistency({ survivors: [0, 1, 2], dropped: [2] }));
    expect(e.code).toBe('both-shares-requested');
    expect(e.message).toBe('participant 0: participant 2 is listed both as a survivor and as dropped');
    // Listing the answering participant itself as dropped (it sent its masked input) is refused the same way.
    e = refusal(() => c1.consistency({ survivors: [0, 2], dropped: [1] }));
    expect(e.code).toBe('both-shares-requested');
    // An unmask request before the survivor set is signed has nowhere to land.
    expect(() => c0.unmask({ signatures: [] })).toThrow('an unmask request arrived out of order');

    // The refusals changed nothing: the honest set is signed, and the sum comes out.
    const signatures = [c0, c1].map((c, index) => {
      const { signature } = c.consistency({ survivors: [...honest.survivors], dropped: [...honest.dropped] });
      check.receive({ index, signature: signature! });
      return { signer: index, signature: signature! };
    });
    const unmask = check.close();
    expect(unmask.unmaskRequest(0).signatures).toEqual([signatures[1]]);
    const answers = [c0, c1].map((c, index) => ({
      index,
      reply: c.unmask({ signatures: [...unmask.unmaskRequest(index).signatures] }),
    }));
    for (const { index, reply } of answers) {
      expect(reply.selfMaskShares!.map((s) => s.owner)).toEqual([0, 1]);
      expect(reply.maskingKeyShares!.map((s) => s.owner)).toEqual([2]);
      unmask.receive({
        index,
        selfMaskShares: reply.selfMaskShares!.map((s) => ({ of: s.owner!, share: decodeShare(s.share!) })),
        maskingKeyShares: reply.maskingKeyShares!.map((s) => ({ of: s.owner!, share: decodeShare(s.share!) })),
      });
    }
    expect([...unmask.finish()]).toEqual([...inputs[0]].map((v, i) => v + inputs[1][i]));

    // Having signed and unmasked from that set, participant 0 signs no other (which would reveal 2's self-mask share).
    expect(() => c0.consistency({ survivors: [0, 1, 2], dropped: [] })).toThrow(
      'a consistency check arrived out of order',
    );
  });

  it('a ParticipantNode answers such a request with a refusal naming the reason, and sends no shares', async () => {
    const {
      contributions: [c0],
      ref,
    } = threeAtUnmask();
    const { sent, connection, deliver } = nodeWith(c0);
    const checkRef = { ...ref, stage: pb.Stage.CONSISTENCY_CHECK };
    await deliver({ consistencyCheck: { task: checkRef, survivors: [0, 1, 2], dropped: [2] } });
    expect(sent).toHaveLength(1);
    expect(sent[0].consistency).toBeUndefined();
    expect(sent[0].unmask).toBeUndefined();
    expect(sent[0].refused).toMatchObject({
      task: checkRef,
      reason: 'participant 0: participant 2 is listed both as a survivor and as dropped',
    });
    expect(connection.secure).toBeUndefined();
  });

  it('a ParticipantNode shown a signature over another survivor set refuses to unmask, naming the signer', async () => {
    const {
      contributions: [c0],
      ref,
      roundId,
      identities,
    } = threeAtUnmask();
    const { sent, connection, deliver } = nodeWith(c0);
    const checkRef = { ...ref, stage: pb.Stage.CONSISTENCY_CHECK };
    await deliver({ consistencyCheck: { task: checkRef, survivors: [0, 1], dropped: [2] } });
    expect(sent[0].consistency?.signature).toHaveLength(64);
    // The coordinator told participant 1 that 2 survived too: 1's (genuine) signature is over that other set.
    const bytes = consistencyBytes(roundId, 1, encodeSurvivorSet([0, 1, 2], []));
    const other = sign(CONSISTENCY_CONTEXT, bytes, identities[1].secretKey);
    const unmaskRef = { ...ref, stage: pb.Stage.UNMASK };
    await deliver({ unmaskRequest: { task: unmaskRef, signatures: [{ signer: 1, signature: other }] } });
    expect(sent).toHaveLength(2);
    expect(sent[1].unmask).toBeUndefined();
    expect(sent[1].refused).toMatchObject({
      task: unmaskRef,
      reason:
        "participant 0: participant 1's consistency signature does not verify over the survivor set this " +
        'participant signed: the coordinator told participants different survivor sets, or altered the ' +
        'signature; not unmasking',
    });
    expect(connection.secure).toBeUndefined();
  });
});
