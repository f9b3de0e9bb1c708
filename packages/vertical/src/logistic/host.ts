/**
 * A host's states in vertical logistic regression: it holds some features and its own weights, and only the
 * guest's public key. HostVlrSetup -> (guest's setup) -> HostVlrReady -> (shareScores) -> HostVlrAwaitingStep ->
 * (guest's step, other hosts' shares) -> HostVlrAwaitingSums -> (guest's masked sums) -> HostVlrReady for the next
 * step, or HostVlrTrained after the last. The host's partial predictor u_host leaves it only encrypted (score shares
 * to other hosts) or multiplied into ciphertexts the guest sees only under uniform masks.
 */
import type { Matrix } from '@tessera/ml';
import {
  blockMasks,
  blockSums,
  centred,
  encodeFixed,
  FEATURE_CLIP,
  fixedPointPlan,
  RESIDUAL_CLIP,
  subMod,
  type FixedPointPlan,
} from './fixed-point.js';
import type { VlrGuestStep, VlrHostHello, VlrHostMasked, VlrMaskedSums, VlrScoreShare, VlrSetup } from './messages.js';
import { minimumBatchRows, VlrBatches } from './schedule.js';
import { expectMessage, VlrState } from './state.js';
import { VlrHostCipher } from './vlr-cipher.js';
import { checkVlrParameters } from './vlr-seal.js';

interface HostContext {
  readonly host: number;
  readonly data: Matrix;
  readonly setup: VlrSetup;
  readonly batches: VlrBatches;
  readonly cipher: VlrHostCipher;
  readonly plan: FixedPointPlan;
  /** The host's weights (no bias: the guest holds it). Never leave the host. */
  readonly weights: Float64Array;
}

/** Before training: says hello and waits for the guest's setup. */
export class HostVlrSetup extends VlrState {
  constructor(
    private readonly host: number,
    private readonly data: Matrix,
  ) {
    super();
    if (!Number.isInteger(host) || host < 0) throw new Error(`host index must be a non-negative integer, got ${host}`);
    if (data.n < 1 || data.d < 1) throw new Error(`host ${host} needs rows and features, got n=${data.n} d=${data.d}`);
  }

  hello(): VlrHostHello {
    return { kind: 'vlr-host-hello', host: this.host, rows: this.data.n, features: this.data.d };
  }

  /** Checks the guest's setup against this host's data and loads the public key. Needs loadVlrSeal(). */
  receiveSetup(setup: VlrSetup): HostVlrReady {
    expectMessage(setup.kind === 'vlr-setup' && setup.host === this.host, `expected host ${this.host}'s vlr-setup`);
    checkVlrParameters(setup.params);
    if (setup.rows !== this.data.n) throw new Error(`setup.rows is ${setup.rows}, this host has ${this.data.n} rows`);
    if (setup.hostFeatures[this.host] !== this.data.d)
      throw new Error(`setup.hostFeatures[${this.host}] is ${setup.hostFeatures[this.host]}, expected ${this.data.d}`);
    const batches = new VlrBatches(
      this.data.n,
      setup.schedule,
      minimumBatchRows(setup.guestColumns, setup.hostFeatures),
    );
    const expected = fixedPointPlan(setup.params.plainModulus, batches.maxRows, setup.hostFeatures.length);
    if (setup.fixedPoint.residualBits + setup.fixedPoint.featureBits > expected.residualBits + expected.featureBits)
      throw new Error(
        `setup.fixedPoint uses ${setup.fixedPoint.residualBits} + ${setup.fixedPoint.featureBits} fraction bits, ` +
          `more than the ${expected.residualBits + expected.featureBits} that fit: the sums could wrap`,
      );
    this.leave();
    const cipher = new VlrHostCipher(setup.params, setup.publicKey);
    const context: HostContext = {
      host: this.host,
      data: this.data,
      setup,
      batches,
      cipher,
      plan: setup.fixedPoint,
      weights: new Float64Array(this.data.d),
    };
    return new HostVlrReady(context, 0);
  }
}

/** Ready for step `step`: computes its partial predictor on the step's rows. */
export class HostVlrReady extends VlrState {
  constructor(
    private readonly context: HostContext,
    readonly step: number,
  ) {
    super();
  }

  /** Encrypts 0.25 u_host under the guest's key for every other host (none when this is the only host). */
  shareScores(): { state: HostVlrAwaitingStep; messages: VlrScoreShare[] } {
    this.leave();
    const { data, batches, cipher, plan, weights, setup, host } = this.context;
    const p = cipher.params.plainModulus;
    const rows = batches.rowsOf(this.step);
    const b = rows.length;
    const scoreWords = new Float64Array(b);
    for (let i = 0; i < b; i++) {
      const row = rows[i]!; // i < b
      let u = 0;
      for (let j = 0; j < data.d; j++) u += weights[j]! * data.x[row * data.d + j]!;
      scoreWords[i] = encodeFixed(0.25 * u, RESIDUAL_CLIP, plan.residualBits, p);
    }
    const messages: VlrScoreShare[] = [];
    setup.hostFeatures.forEach((features, to) => {
      if (to === host) return;
      const chunks = cipher.encrypt(replicate(scoreWords, features));
      messages.push({ kind: 'vlr-score-share', step: this.step, from: host, to, chunks });
    });
    return { state: new HostVlrAwaitingStep(this.context, this.step, rows, scoreWords), messages };
  }

  dispose(): void {
    this.context.cipher.dispose();
  }
}

/** Waiting for the guest's step ciphertexts (and the other hosts' score shares). */
export class HostVlrAwaitingStep extends VlrState {
  constructor(
    private readonly context: HostContext,
    readonly step: number,
    private readonly rows: Uint32Array,
    private readonly scoreWords: Float64Array,
  ) {
    super();
  }

  /**
   * Completes the encrypted residual r = (guest piece) + sum of 0.25 u_host, multiplies it by its features slot by
   * slot and masks every slot uniformly; multiplies the guest's encrypted columns by 0.25 u_host under zero-sum
   * masks. Keeps the per-feature mask sums to remove later.
   */
  receive(
    step: VlrGuestStep,
    shares: readonly VlrScoreShare[],
  ): { state: HostVlrAwaitingSums; message: VlrHostMasked } {
    const { data, cipher, plan, setup, host } = this.context;
    const b = this.rows.length;
    expectMessage(
      step.kind === 'vlr-guest-step' && step.step === this.step && step.host === host && step.rows === b,
      `expected the guest's vlr-guest-step ${this.step} for host ${host} over ${b} rows`,
    );
    const others = setup.hostFeatures.length - 1;
    expectMessage(shares.length === others, `expected ${others} vlr-score-share messages`);
    const from = new Set(shares.map((s) => s.from));
    for (const s of shares)
      expectMessage(
        s.kind === 'vlr-score-share' && s.step === this.step && s.to === host && s.from !== host,
        `a score share for host ${host} at step ${this.step}`,
      );
    expectMessage(from.size === others, 'one score share from every other host');
    this.leave();
    const p = cipher.params.plainModulus;
    const f = data.d;
    const featureWords = new Float64Array(f * b);
    for (let i = 0; i < b; i++) {
      const row = this.rows[i]!;
      for (let j = 0; j < f; j++)
        featureWords[j * b + i] = encodeFixed(data.x[row * f + j]!, FEATURE_CLIP, plan.featureBits, p);
    }
    const masks = blockMasks(p, f, b, false);
    const maskSums = blockSums(masks, f, b, p);
    const gradient = cipher.affine(
      [step.residual, ...shares.map((s) => s.chunks)],
      f * b,
      replicate(this.scoreWords, f),
      featureWords,
      masks,
      `the guest's residual for step ${this.step}`,
    );
    const g = setup.guestColumns;
    const guestTerm = cipher.affine(
      [step.guestFeatures],
      g * b,
      undefined,
      replicate(this.scoreWords, g),
      blockMasks(p, g, b, true),
      `the guest's columns for step ${this.step}`,
    );
    return {
      state: new HostVlrAwaitingSums(this.context, this.step, b, maskSums),
      message: { kind: 'vlr-host-masked', step: this.step, host, gradient, guestTerm },
    };
  }

  dispose(): void {
    this.context.cipher.dispose();
  }
}

/** Waiting for the guest's masked sums: removes its masks and takes its gradient step. */
export class HostVlrAwaitingSums extends VlrState {
  constructor(
    private readonly context: HostContext,
    readonly step: number,
    private readonly rows: number,
    private readonly maskSums: Float64Array,
  ) {
    super();
  }

  receive(sums: VlrMaskedSums): HostVlrReady | HostVlrTrained {
    const { cipher, plan, weights, setup, batches, host } = this.context;
    expectMessage(
      sums.kind === 'vlr-masked-sums' && sums.step === this.step && sums.host === host,
      `expected vlr-masked-sums for host ${host} at step ${this.step}`,
    );
    expectMessage(sums.sums.length === weights.length, `expected ${weights.length} masked sums`);
    this.leave();
    const p = cipher.params.plainModulus;
    const scale = 2 ** (plan.residualBits + plan.featureBits);
    const { learningRate, l2 } = setup.schedule;
    for (let j = 0; j < weights.length; j++) {
      const sum = centred(subMod(sums.sums[j]!, this.maskSums[j]!, p), p) / scale;
      weights[j]! -= learningRate * (sum / this.rows + l2 * weights[j]!);
    }
    const next = this.step + 1;
    if (next < batches.totalSteps) return new HostVlrReady(this.context, next);
    cipher.dispose();
    return new HostVlrTrained(host, weights.slice());
  }

  dispose(): void {
    this.context.cipher.dispose();
  }
}

/** Training finished: the host's weights, which stay with the host. */
export class HostVlrTrained {
  constructor(
    readonly host: number,
    readonly weights: Float64Array,
  ) {}

  /** This host's partial predictor w_host · x for rows to score (what joint scoring reveals to the guest). */
  partialScores(x: Matrix): Float64Array {
    if (x.d !== this.weights.length)
      throw new Error(`host ${this.host} has ${this.weights.length} features, got ${x.d}`);
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) for (let j = 0; j < x.d; j++) out[i]! += this.weights[j]! * x.x[i * x.d + j]!;
    return out;
  }
}

function replicate(words: Float64Array, copies: number): Float64Array {
  const out = new Float64Array(words.length * copies);
  for (let c = 0; c < copies; c++) out.set(words, c * words.length);
  return out;
}
