import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Coordinator, createEnrollmentToken, readTrustAnchor } from '@tessera/coordinator';
import { loadSigningKeyPair } from '@tessera/crypto';
import { toCsv, type RawTable } from '@tessera/data';
import {
  initParticipant,
  loadParticipantConfig,
  ParticipantNode,
  simulatedDropout,
  type DropoutPlan,
} from '@tessera/participant';
import type { AnalystClient, AnalystIdentity, AnalystKeys, ChannelSecurity } from '@tessera/client';
import { connectLocalAnalyst } from './local-analyst.js';
import { ParticipantThread } from './participant-thread.js';
import type { LocalParticipant } from './local-participant.js';
import { WorkerParticipant } from './worker-participant.js';

export type { LocalParticipant } from './local-participant.js';

export interface LocalFederationOptions {
  /** Working directory: coordinator state and one folder per participant. */
  dir: string;
  /** One table per participant; each becomes that participant's local CSV file. */
  shards: readonly RawTable[];
  /** Logical data set name the participants serve (default "customers"). */
  dataset?: string;
  /** 'worker': the participants in worker threads (parallel; see `threads`); 'inline': all in this thread. */
  runtime?: 'worker' | 'inline';
  /**
   * How many worker threads the 'worker' runtime's participants share, participant i in thread i mod threads (default:
   * one per core, os.availableParallelism(); never more than participants).
   */
  threads?: number;
  /** Called each time one more participant has connected and been welcomed: how many of how many. */
  onParticipantReady?: (ready: number, total: number) => void;
  names?: readonly string[];
  log?: (line: string) => void;
  /**
   * An already running coordinator to use instead of starting one; reached with TLS pinned to the anchor in its data
   * directory, or in plaintext when `insecure` (it was started with --insecure).
   */
  coordinator?: { address: string; dataDir: string; insecure?: boolean };
  /**
   * The coordinator address participant i dials (default: the coordinator's): for replicas, a replica each, or a
   * list of them ("127.0.0.1:7071,127.0.0.1:7072").
   */
  participantAddress?: (index: number) => string;
  /**
   * Plaintext on loopback instead of TLS (for comparisons such as the transport benchmark); every channel of the
   * federation uses TLS by default.
   */
  insecure?: boolean;
  /**
   * The weakest secure mode the participants' data set accepts (datasets.NAME.secure; default masked, which also
   * accepts sealed). Plaintext jobs (secure.mode none) need 'none'.
   */
  secure?: 'none' | 'masked' | 'sealed';
  /**
   * The merchants opt in to payout valuation, which sends each node's per-round model updates to the coordinator in
   * plaintext: each node gets a consent policy granting any analyst training and valuation on the data set (with or
   * without differential privacy), and nothing else. Default: no policy, and valuation refused (unless `secure` is
   * 'none').
   */
  valuation?: boolean;
  /**
   * Per participant, in shard order: the text (YAML) of that node's consent policy, written to its folder as
   * policy.yaml (it wins over `valuation` for that node); undefined leaves the node as `valuation` says. For example a
   * member with a `sales` section that forbids one buyer (docs/sales.md).
   */
  policies?: readonly (string | undefined)[];
  /** Simulated dropouts: in every training round this share of participants drops out at a random step. */
  dropouts?: { fraction: number; seed: string };
  /**
   * The identity of the federation's analyst (`analyst`, registered as "local-analyst"): sealed jobs need the analyst
   * keys whose identity it is. Default: a fresh identity.
   */
  analystKeys?: AnalystKeys | AnalystIdentity;
}

type TaskRef = { jobId: string; round: number; stage: number };

class InlineParticipant implements LocalParticipant {
  private readonly node: ParticipantNode;
  constructor(
    readonly name: string,
    readonly id: string,
    readonly configPath: string,
    log: (l: string) => void,
    dropout?: DropoutPlan,
  ) {
    const config = loadParticipantConfig(configPath);
    this.node = new ParticipantNode({
      config,
      identity: loadSigningKeyPair(config.identityKey),
      log,
      ...(dropout ? { dropAt: simulatedDropout(dropout), minBackoffMs: 50, maxBackoffMs: 200 } : {}),
    });
  }
  start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.node.once('ready', () => resolve()));
    this.node.start();
    return ready;
  }
  drop(): void {
    this.node.dropConnection();
  }
  stop(): Promise<void> {
    return this.node.stop();
  }
  nextTask(stage?: number): Promise<TaskRef> {
    return new Promise((resolve) => {
      const on = (ref: TaskRef) => {
        if (stage !== undefined && ref?.stage !== stage) return;
        this.node.off('task', on);
        resolve({ jobId: ref.jobId, round: ref.round ?? 0, stage: ref.stage ?? 0 });
      };
      this.node.on('task', on);
    });
  }
}

/**
 * A whole federation on this machine over real gRPC on loopback: a coordinator on a free port
 * and one participant node per shard, each enrolled with its own token and identity key.
 */
export class LocalFederation {
  private readonly analysts: AnalystClient[] = [];

  private constructor(
    readonly coordinator: Coordinator | undefined,
    readonly address: string,
    readonly analyst: AnalystClient,
    readonly participants: LocalParticipant[],
    readonly dataset: string,
    private readonly coordinatorDir: string,
    private readonly security: ChannelSecurity,
  ) {}

  /**
   * Another analyst of this federation, registered under `name` (with these keys' identity, or a fresh one): it sees
   * only its own jobs, as analysts of a real coordinator do. Closed with the federation.
   */
  async addAnalyst(name: string, identity?: AnalystKeys | AnalystIdentity): Promise<AnalystClient> {
    const client = await connectLocalAnalyst({
      dataDir: this.coordinatorDir,
      address: this.address,
      security: this.security,
      name,
      ...(identity ? { identity } : {}),
    });
    this.analysts.push(client);
    return client;
  }

  static async start(o: LocalFederationOptions): Promise<LocalFederation> {
    const log = o.log ?? (() => undefined);
    const dataset = o.dataset ?? 'customers';
    const coordinatorDir = o.coordinator?.dataDir ?? join(o.dir, 'coordinator');
    const coordinator = o.coordinator
      ? undefined
      : await Coordinator.start({
          dataDir: coordinatorDir,
          listen: '127.0.0.1:0',
          log,
          ...(o.insecure !== undefined ? { insecure: o.insecure } : {}),
        });
    const address = o.coordinator?.address ?? coordinator!.address;
    const security = coordinator?.clientSecurity ?? securityOfRunning(o.coordinator!);
    const participants: LocalParticipant[] = [];
    const threads: ParticipantThread[] = [];
    const threadCount = Math.max(1, Math.min(o.shards.length, o.threads ?? availableParallelism()));
    const starts: Promise<void>[] = [];
    let ready = 0;
    const onReady = () => o.onParticipantReady?.(++ready, o.shards.length);
    try {
      for (const [i, shard] of o.shards.entries()) {
        const name = o.names?.[i] ?? `merchant-${i + 1}`;
        const dir = join(o.dir, name);
        mkdirSync(dir, { recursive: true });
        const csv = join(dir, `${dataset}.csv`);
        writeFileSync(csv, toCsv(shard));
        const token = await createEnrollmentToken(coordinatorDir, name);
        // A simulation that owns all the data: no consent policy (each node warns so in its log), unless the
        // merchants opt in to valuation.
        const own = o.policies?.[i];
        const policy = own !== undefined ? writePolicy(dir, own) : o.valuation ? valuationPolicy(dir, dataset) : false;
        const { configPath, participantId } = await initParticipant({
          dir,
          coordinator: o.participantAddress?.(i) ?? address,
          token,
          ...(security.mode === 'insecure' ? { insecure: true } : {}),
          name,
          datasets: { [dataset]: { type: 'csv', path: csv, ...(o.secure ? { secure: o.secure } : {}) } },
          policy,
        });
        // The same owner holds every shard, so each node lets any other count an audience overlap against it.
        appendFileSync(configPath, 'overlap:\n  countingPeers: ["*"]\n');
        const dropout =
          o.dropouts && o.dropouts.fraction > 0
            ? { ...o.dropouts, participants: o.shards.length, position: i }
            : undefined;
        const p =
          o.runtime === 'inline'
            ? new InlineParticipant(name, participantId, configPath, log, dropout)
            : new WorkerParticipant(name, participantId, configPath, log, dropout, threadFor(threads, i, threadCount));
        participants.push(p);
        // Started (and counted) as it is made: a node connects while the others enrol.
        const started = (p as InlineParticipant | WorkerParticipant).start().then(onReady);
        started.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
        starts.push(started);
      }
      await Promise.all(starts);
    } catch (e) {
      await Promise.all(participants.map((p) => p.stop().catch(() => undefined)));
      await coordinator?.stop();
      throw e;
    }
    // The federation's analyst is registered directly, as the operator of a coordinator on this machine can.
    const analyst = await connectLocalAnalyst({
      dataDir: coordinatorDir,
      address,
      security,
      name: 'local-analyst',
      ...(o.analystKeys ? { identity: o.analystKeys } : {}),
    });
    return new LocalFederation(coordinator, address, analyst, participants, dataset, coordinatorDir, security);
  }

  async stop(): Promise<void> {
    this.analyst.close();
    for (const a of this.analysts.splice(0)) a.close();
    await Promise.all(this.participants.map((p) => p.stop().catch(() => undefined)));
    await this.coordinator?.stop();
  }
}

/** Participant i's thread: thread i mod count, started on first use. */
function threadFor(threads: ParticipantThread[], i: number, count: number): ParticipantThread {
  const k = i % count;
  threads[k] ??= new ParticipantThread();
  return threads[k];
}

/** A node's own consent policy text, written to its folder; its path. */
function writePolicy(dir: string, text: string): string {
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, text);
  return path;
}

/** A consent policy that grants any analyst training and payout valuation on `dataset` for a year; its path. */
function valuationPolicy(dir: string, dataset: string): string {
  const path = join(dir, 'policy.yaml');
  const expires = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  writeFileSync(
    path,
    '# The merchant opts in to payouts: valuation discloses its per-round model updates, without noise.\n' +
      `datasets:\n  ${JSON.stringify(dataset)}: { allowWithoutPrivacy: true }\n` +
      'grants:\n  - id: train-and-valuation\n    analysts: ["*"]\n    purposes: [train, valuation]\n' +
      `    jobKinds: [train]\n    expires: ${expires}\n`,
  );
  return path;
}

/** A coordinator not started here: plaintext if it says so, else TLS pinned to its data directory's anchor. */
function securityOfRunning(c: { dataDir: string; insecure?: boolean }): ChannelSecurity {
  if (c.insecure) return { mode: 'insecure' };
  const anchorPem = readTrustAnchor(c.dataDir);
  if (!anchorPem)
    throw new Error(
      `no TLS trust anchor in ${c.dataDir}/tls (the coordinator writes it at start): start it first, or pass ` +
        'coordinator.insecure for one started with --insecure',
    );
  return { mode: 'tls', anchorPem };
}
