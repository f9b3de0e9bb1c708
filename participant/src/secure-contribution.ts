import { encodeShare } from '@tessera/crypto';
import { PrivacyRefusal } from './privacy/task-spec.js';
import type { BfvParameters } from '@tessera/he';
import { type tessera, verifyAnalystKey } from '@tessera/proto';
import {
  ClientAdvertiseKeys,
  ClientConsistencyCheck,
  ClientUnmask,
  completeGraph,
  harary,
  type ClientMaskedInput,
  type ClientShareKeys,
  type RoundConfig,
} from '@tessera/secagg';

type State = ClientAdvertiseKeys | ClientShareKeys | ClientMaskedInput | ClientConsistencyCheck | ClientUnmask | 'done';

/**
 * This participant's side of one SecAgg+ round, driven by the coordinator's messages:
 * advertise keys -> share keys -> masked input -> consistency check -> unmask. Each step is accepted
 * only in its state (the secagg client classes), so an out-of-order request is refused. The node ends
 * the contribution on any refusal (tasks/secure-aggregation.ts), so a coordinator that showed an
 * inconsistent survivor set gets no second try.
 */
export class SecureContribution {
  private state: State;
  readonly config: RoundConfig;
  /** Sealed mode: the masked vector is sent encrypted under this analyst key, with these parameters. */
  readonly sealed: { params: BfvParameters; analystKey: Uint8Array } | undefined;

  constructor(
    readonly ref: tessera.v1.ITaskRef,
    setup: tessera.v1.ISecureSetup,
    private readonly words: Uint32Array,
    identitySecretKey: Uint8Array,
    analyst?: {
      key?: Uint8Array | null;
      identity?: Uint8Array | null;
      signature?: Uint8Array | null;
      trusted?: readonly string[];
    },
    /**
     * Distributed DP: this node helps unmask only a sum of at least this many survivors (its noise share is sized for
     * them); an exact recommend round: its whole cohort.
     */
    private readonly minSurvivors = 0,
  ) {
    const n = (setup.participantIds ?? []).length;
    const degree = Number(setup.degree ?? n - 1);
    this.config = {
      roundId: setup.roundId ?? new Uint8Array(0),
      n,
      threshold: Number(setup.threshold ?? 0),
      graph: degree >= n - 1 ? completeGraph(n) : harary(n, degree, setup.graphSeed ?? new Uint8Array(0)),
      modulus: Number(setup.modulus ?? 2 ** 32),
      dimension: words.length,
      identityKeys: setup.identityKeys ?? [],
    };
    this.state = new ClientAdvertiseKeys(this.config, Number(setup.index ?? 0), identitySecretKey);
    const sealedDegree = Number(setup.sealedDegree ?? 0);
    if (sealedDegree > 0) {
      const analystKey = analyst?.key;
      if (!analystKey?.length) throw new Error("a sealed round needs the analyst's public key with the task");
      const params = {
        polyModulusDegree: sealedDegree,
        coeffModulusBits: [...(setup.sealedCoeffBits ?? [])],
        plainModulus: Number(setup.modulus),
      };
      const identity = analyst?.identity ?? new Uint8Array(0);
      if (
        identity.length !== 32 ||
        !verifyAnalystKey(analystKey, params, analyst?.signature ?? new Uint8Array(0), identity)
      ) {
        throw new Error(
          'the analyst key of this sealed round is not signed by the analyst identity it came with: ' +
            'refusing to encrypt under it',
        );
      }
      const who = Buffer.from(identity).toString('hex');
      if (analyst?.trusted?.length && !analyst.trusted.includes(who)) {
        throw new Error(
          `the sealed round's analyst ${who} is not among this node's trustedAnalysts: ` +
            'refusing to encrypt under its key',
        );
      }
      this.sealed = { params: { ...params, slots: sealedDegree, securityLevel: 128 }, analystKey };
    }
  }

  advertise(): tessera.v1.IAdvertiseKeys {
    if (!(this.state instanceof ClientAdvertiseKeys)) throw new Error('keys were already advertised in this round');
    const a = this.state.advertise();
    return { encryptionKey: a.encryptionKey, maskingKey: a.maskingKey, signature: a.signature };
  }

  shareKeys(m: tessera.v1.INeighbourKeys): tessera.v1.IShareKeys {
    if (!(this.state instanceof ClientAdvertiseKeys)) throw new Error('neighbour keys arrived out of order');
    const indices = m.indices ?? [];
    const keys = m.keys ?? [];
    const next = this.state.receiveKeys(
      keys.map((k, i) => ({
        index: indices[i] ?? -1,
        encryptionKey: k.encryptionKey ?? new Uint8Array(0),
        maskingKey: k.maskingKey ?? new Uint8Array(0),
        signature: k.signature ?? new Uint8Array(0),
      })),
    );
    this.state = next;
    const out = next.shareKeys();
    return { shares: out.shares.map((s) => ({ peer: s.to, ciphertext: s.ciphertext })) };
  }

  mask(m: tessera.v1.ISharesForYou): Uint32Array {
    const s = this.state;
    if (typeof s === 'string' || !('receiveShares' in s)) throw new Error('shares arrived out of order');
    const masked = s.receiveShares(
      (m.shares ?? []).map((x) => ({ from: x.peer ?? -1, ciphertext: x.ciphertext ?? new Uint8Array(0) })),
    );
    const { message, next } = masked.mask(this.words);
    this.words.fill(0);
    this.state = next;
    return message.y;
  }

  /** Signs the survivor set the coordinator shows: the only set this node will unmask from. */
  consistency(m: tessera.v1.IConsistencyCheck): tessera.v1.IConsistencySignature {
    const s = this.state;
    if (!(s instanceof ClientConsistencyCheck)) throw new Error('a consistency check arrived out of order');
    const survivors = (m.survivors ?? []).length;
    if (survivors < this.minSurvivors) {
      this.state = 'done';
      throw new PrivacyRefusal(
        `privacy check: the consistency check names ${survivors} survivors, ` +
          `fewer than the survivor floor ${this.minSurvivors} of this release (a private sum: what this node's ` +
          'noise share is sized for; an exact recommend round: its whole cohort, so that no two sums differ by one ' +
          'node), so this node does not help release it',
      );
    }
    const { message, next } = s.sign({ survivors: m.survivors ?? [], dropped: m.dropped ?? [] });
    this.state = next;
    return { signature: message.signature };
  }

  /** Unmasks from the signed set, after checking that t of this node's neighbourhood signed the same set. */
  unmask(m: tessera.v1.IUnmaskRequest): tessera.v1.IUnmaskShares {
    const s = this.state;
    if (!(s instanceof ClientUnmask)) throw new Error('an unmask request arrived out of order');
    const { message } = s.unmask({
      signatures: (m.signatures ?? []).map((x) => ({
        signer: x.signer ?? -1,
        signature: x.signature ?? new Uint8Array(0),
      })),
    });
    this.state = 'done';
    return {
      selfMaskShares: message.selfMaskShares.map((x) => ({ owner: x.of, share: encodeShare(x.share) })),
      maskingKeyShares: message.maskingKeyShares.map((x) => ({ owner: x.of, share: encodeShare(x.share) })),
    };
  }
}
