/**
 * The guest's states in vertical logistic regression: it holds the label, some features and the BFV key pair.
 * GuestVlrSetup -> (hosts' hellos) -> GuestVlrReady -> (startStep) -> GuestVlrAwaitingMasked -> (hosts' masked
 * ciphertexts) -> GuestVlrReady for the next step, or GuestVlrTrained after the last. Residuals use the Taylor
 * expansion of the logistic loss at 0 (labels y in {-1, +1}): r = 0.25 u - 0.5 y, so r splits into the guest's
 * piece 0.25 u_guest - 0.5 y and each host's 0.25 u_host, and the guest never needs u_host in the clear.
 */
import type { LabeledData } from '@tessera/ml';
import { blockSums, centred, encodeFixed, FEATURE_CLIP, fixedPointPlan, RESIDUAL_CLIP } from './fixed-point.js';
import type { FixedPointPlan } from './fixed-point.js';
import type { VlrGuestStep, VlrHostHello, VlrHostMasked, VlrMaskedSums, VlrSchedule, VlrSetup } from './messages.js';
import { minimumBatchRows, VlrBatches } from './schedule.js';
import { expectMessage, VlrState } from './state.js';
import { VlrGuestCipher } from './vlr-cipher.js';
import { vlrParameters } from './vlr-seal.js';

/** What the guest's states share across steps. */
interface GuestContext {
  readonly data: LabeledData;
  readonly schedule: VlrSchedule;
  readonly batches: VlrBatches;
  readonly cipher: VlrGuestCipher;
  readonly plan: FixedPointPlan;
  readonly hostFeatures: readonly number[];
  /** The guest's weights then its bias (the layout of @tessera/ml's logistic model). */
  readonly weights: Float64Array;
}

/** Before training: waits for every host's hello. */
export class GuestVlrSetup extends VlrState {
  constructor(
    private readonly data: LabeledData,
    private readonly schedule: VlrSchedule,
  ) {
    super();
    if (data.n < 1 || data.d < 1) throw new Error(`the guest needs rows and features, got n=${data.n} d=${data.d}`);
    for (let i = 0; i < data.n; i++)
      if (data.y[i] !== 0 && data.y[i] !== 1) throw new Error(`label of row ${i} must be 0 or 1, got ${data.y[i]}`);
  }

  /** Checks the hosts' shapes, makes the key pair and answers each host with the setup. Needs loadVlrSeal(). */
  receiveHellos(hellos: readonly VlrHostHello[]): { state: GuestVlrReady; messages: VlrSetup[] } {
    expectMessage(hellos.length >= 1, 'at least one host hello is needed');
    hellos.forEach((h, i) => {
      expectMessage(h.kind === 'vlr-host-hello' && h.host === i, `hello ${i} must be host ${i}'s vlr-host-hello`);
      if (h.rows !== this.data.n)
        throw new Error(`host ${i} has ${h.rows} rows, the guest ${this.data.n}: align the rows first`);
      if (!Number.isInteger(h.features) || h.features < 1)
        throw new Error(`host ${i} must hold at least one feature, got ${h.features}`);
    });
    const hostFeatures = hellos.map((h) => h.features);
    const batches = new VlrBatches(this.data.n, this.schedule, minimumBatchRows(this.data.d + 1, hostFeatures));
    this.leave();
    const params = vlrParameters();
    const plan = fixedPointPlan(params.plainModulus, batches.maxRows, hellos.length);
    const cipher = new VlrGuestCipher(params);
    const context: GuestContext = {
      data: this.data,
      schedule: this.schedule,
      batches,
      cipher,
      plan,
      hostFeatures,
      weights: new Float64Array(this.data.d + 1),
    };
    const messages = hellos.map(
      (h): VlrSetup => ({
        kind: 'vlr-setup',
        host: h.host,
        params,
        publicKey: cipher.publicKey,
        rows: this.data.n,
        hostFeatures,
        guestColumns: this.data.d + 1,
        schedule: this.schedule,
        fixedPoint: plan,
      }),
    );
    return { state: new GuestVlrReady(context, 0), messages };
  }
}

/** Ready to start step `step`. */
export class GuestVlrReady extends VlrState {
  constructor(
    private readonly context: GuestContext,
    readonly step: number,
  ) {
    super();
  }

  /** Encrypts this step's guest residual pieces (replicated per host feature) and guest columns for every host. */
  startStep(): { state: GuestVlrAwaitingMasked; messages: VlrGuestStep[] } {
    this.leave();
    const { data, batches, cipher, plan, hostFeatures, weights } = this.context;
    const p = cipher.params.plainModulus;
    const rows = batches.rowsOf(this.step);
    const b = rows.length;
    const d = data.d;
    const residual = new Float64Array(b);
    const residualWords = new Float64Array(b);
    const columns = new Float64Array((d + 1) * b);
    for (let i = 0; i < b; i++) {
      const row = rows[i]!; // i < b = rows.length
      let u = weights[d]!;
      for (let k = 0; k < d; k++) {
        const x = data.x[row * d + k]!; // row < n, k < d
        u += weights[k]! * x;
        columns[k * b + i] = encodeFixed(x, FEATURE_CLIP, plan.featureBits, p);
      }
      columns[d * b + i] = encodeFixed(1, FEATURE_CLIP, plan.featureBits, p);
      const r = 0.25 * u - 0.5 * (2 * data.y[row]! - 1);
      residual[i] = Math.max(-RESIDUAL_CLIP, Math.min(RESIDUAL_CLIP, r));
      residualWords[i] = encodeFixed(r, RESIDUAL_CLIP, plan.residualBits, p);
    }
    const guestFeatures = cipher.encrypt(columns);
    const messages = hostFeatures.map((features, host): VlrGuestStep => {
      const replicated = new Float64Array(features * b);
      for (let j = 0; j < features; j++) replicated.set(residualWords, j * b);
      return {
        kind: 'vlr-guest-step',
        step: this.step,
        host,
        rows: b,
        residual: cipher.encrypt(replicated),
        guestFeatures,
      };
    });
    return { state: new GuestVlrAwaitingMasked(this.context, this.step, rows, residual), messages };
  }

  dispose(): void {
    this.context.cipher.dispose();
  }
}

/** Waiting for every host's masked ciphertexts of step `step`. */
export class GuestVlrAwaitingMasked extends VlrState {
  constructor(
    private readonly context: GuestContext,
    readonly step: number,
    private readonly rows: Uint32Array,
    private readonly residual: Float64Array,
  ) {
    super();
  }

  /**
   * Decrypts each host's masked gradient ciphertexts and returns their slot sums per host feature (still masked by
   * the host); decrypts the guest-column terms, whose zero-sum masks cancel in the sums, and takes its own step.
   */
  receive(masked: readonly VlrHostMasked[]): {
    state: GuestVlrReady | GuestVlrTrained;
    messages: VlrMaskedSums[];
  } {
    const { data, batches, cipher, plan, hostFeatures, weights, schedule } = this.context;
    expectMessage(masked.length === hostFeatures.length, `expected ${hostFeatures.length} vlr-host-masked messages`);
    masked.forEach((m, h) => {
      expectMessage(
        m.kind === 'vlr-host-masked' && m.host === h && m.step === this.step,
        `message ${h} must be host ${h}'s vlr-host-masked for step ${this.step}`,
      );
    });
    this.leave();
    const p = cipher.params.plainModulus;
    const b = this.rows.length;
    const d = data.d;
    const scale = 2 ** (plan.residualBits + plan.featureBits);
    const cross = new Float64Array(d + 1);
    const messages = masked.map((m, h): VlrMaskedSums => {
      const features = hostFeatures[h]!; // masked.length = hostFeatures.length
      const gradient = cipher.decrypt(m.gradient, features * b, `host ${h}'s masked gradient`);
      const sums = Array.from(blockSums(gradient, features, b, p));
      const term = blockSums(cipher.decrypt(m.guestTerm, (d + 1) * b, `host ${h}'s guest term`), d + 1, b, p);
      for (let k = 0; k <= d; k++) cross[k]! += centred(term[k]!, p) / scale;
      return { kind: 'vlr-masked-sums', step: this.step, host: h, sums };
    });
    const gradient = new Float64Array(d + 1);
    for (let i = 0; i < b; i++) {
      const row = this.rows[i]!;
      const r = this.residual[i]!;
      for (let k = 0; k < d; k++) gradient[k]! += r * data.x[row * d + k]!;
      gradient[d]! += r;
    }
    for (let k = 0; k <= d; k++) {
      const penalty = k < d ? schedule.l2 * weights[k]! : 0;
      weights[k]! -= schedule.learningRate * ((gradient[k]! + cross[k]!) / b + penalty);
    }
    const next = this.step + 1;
    if (next < batches.totalSteps) return { state: new GuestVlrReady(this.context, next), messages };
    cipher.dispose();
    return { state: new GuestVlrTrained(weights.slice()), messages };
  }

  dispose(): void {
    this.context.cipher.dispose();
  }
}

/** Training finished: the guest's weights and bias (last). The key pair has been freed. */
export class GuestVlrTrained {
  constructor(readonly weights: Float64Array) {}

  /** Joint scores: the guest's partial predictor plus the hosts' partial predictors for the same rows. */
  score(
    x: LabeledData | { x: Float64Array; n: number; d: number },
    hostPartials: readonly Float64Array[],
  ): Float64Array {
    const d = this.weights.length - 1;
    if (x.d !== d) throw new Error(`the guest model has ${d} features, the rows ${x.d}`);
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let u = this.weights[d]!;
      for (let k = 0; k < d; k++) u += this.weights[k]! * x.x[i * d + k]!;
      for (const partial of hostPartials) u += partial[i]!;
      out[i] = 1 / (1 + Math.exp(-u));
    }
    return out;
  }
}
