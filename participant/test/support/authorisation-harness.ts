// A participant node on its own forging coordinator, for the analyst-authorisation tests.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '@tessera/crypto';
import { JOB_SPEC_CONTEXT } from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import { BREAST_CANCER } from '../../../coordinator/test/grpc-helpers.js';
import {
  LocalData,
  ParticipantNode,
  parseConsentPolicy,
  type ParticipantConfig,
  type PrivacyLedger,
} from '../../src/index.js';
import { RogueCoordinator } from './rogue-coordinator.js';

export const DATASET = 'patients';
export const FEATURES = readFileSync(BREAST_CANCER, 'utf8')
  .split('\n')[0]!
  .trim()
  .split(',')
  .filter((c) => c !== 'benign');
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The job spec text and the analyst's signature over it, as `tessera job submit` sends them. */
export const signed = (spec: object, by: SigningKeyPair) => {
  const text = JSON.stringify(spec);
  return { text, signature: sign(JOB_SPEC_CONTEXT, new TextEncoder().encode(text), by.secretKey) };
};

/** The node's own data, counting every time a computation opens a table: a refusal before any read leaves it at 0. */
export class CountingData extends LocalData {
  reads = 0;
  override table(name: string) {
    this.reads += 1;
    return super.table(name);
  }
}

export interface HarnessOptions extends Partial<ParticipantConfig> {
  consentPolicy?: object;
  plaintextAllowed?: boolean;
  /** Rewrites the breast-cancer CSV's lines (header first) before the node serves it. */
  csv?: (lines: string[]) => string[];
}

/** A participant node on its own forging coordinator (a real gRPC server on loopback). */
export class Harness {
  readonly me = generateSigningKeyPair();
  readonly rogue = new RogueCoordinator(this.me.publicKey);
  node!: ParticipantNode;
  ledger!: PrivacyLedger;
  data!: CountingData;
  private attempt = 0;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly extra: HarnessOptions,
  ) {}

  async start(): Promise<void> {
    const path = join(this.dir, `${this.name}.csv`);
    const { consentPolicy, plaintextAllowed, csv, ...extra } = this.extra;
    if (csv) {
      const lines = readFileSync(BREAST_CANCER, 'utf8').trim().split(/\r?\n/);
      writeFileSync(path, `${csv(lines).join('\n')}\n`);
    } else copyFileSync(BREAST_CANCER, path);
    await this.rogue.start();
    const config: ParticipantConfig = {
      name: this.name,
      coordinator: this.rogue.address,
      insecure: true, // the rogue coordinator listens in plaintext on loopback: what it forges is the point
      participantId: 'me',
      identityKey: '(in memory)',
      ledger: join(this.dir, `${this.name}.sqlite`),
      datasets: {
        [DATASET]: { type: 'csv', path, exclude: [], ...(plaintextAllowed ? ({ secure: 'none' } as object) : {}) },
      },
      ...extra,
    };
    this.data = new CountingData(config.datasets);
    this.node = new ParticipantNode({
      config,
      identity: this.me,
      data: this.data,
      ...(consentPolicy ? { policy: parseConsentPolicy(consentPolicy, 'policy.yaml', { datasets: [DATASET] }) } : {}),
    });
    this.ledger = this.node.ledger;
    const ready = new Promise<void>((resolve) => this.node.once('ready', () => resolve()));
    this.node.start();
    await ready;
  }

  async stop(): Promise<void> {
    await this.node.stop();
    await this.rogue.stop();
  }

  /** A secure round's setup for this node among n (index 0), with `change` applied. */
  secure(computation: number, n: number, change: Partial<tessera.v1.ISecureSetup> = {}): tessera.v1.ISecureSetup {
    this.attempt += 1;
    const ids = ['me', ...Array.from({ length: n - 1 }, (_, i) => `p${i + 2}`)];
    return {
      roundId: new Uint8Array(32).fill(this.attempt),
      index: 0,
      participantIds: ids,
      identityKeys: ids.map((_, i) => (i === 0 ? this.me.publicKey : generateSigningKeyPair().publicKey)),
      threshold: 4,
      degree: n - 1,
      modulus: 2 ** 32,
      computation,
      ...change,
    };
  }

  /** Sends a task (and its model); resolves with the node's answer, the refusal kind, and the audited reason. */
  async offer(task: tessera.v1.ITask) {
    const before = this.refusals().length;
    const answer = this.rogue.answerTo(task.ref!);
    this.rogue.send({ task });
    const length = Number(task.modelLength ?? 0);
    if (length > 0)
      this.rogue.send({
        model: { task: task.ref, chunk: { offset: 0, total: length, values: new Array(length).fill(0) } },
      });
    const a = await answer;
    const logged = this.refusals();
    return { ...a, audited: logged.length > before ? logged.at(-1)!.reason : undefined };
  }

  refusals() {
    return this.ledger.auditLog().filter((e) => e.kind === 'refusal');
  }

  uses() {
    return this.ledger.auditLog().filter((e) => e.kind === 'use');
  }

  nextAttempt(): number {
    this.attempt += 1;
    return this.attempt;
  }
}
