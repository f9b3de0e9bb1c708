import type { Logger } from '@tessera/transport';
import type { ChannelSecurity, tessera } from '@tessera/proto';
import type { SessionRegistry } from '../service/registry.js';
import type { Store } from '../store/store.js';
import { LinkDriver } from './link-driver.js';

export interface MeshOptions {
  store: Store;
  replicaId: string;
  /** Where other replicas reach this one (its listening address). */
  address: string;
  /** How this replica reaches the others: the federation's trust anchor (every replica serves under it). */
  security: ChannelSecurity;
  registry: SessionRegistry;
  /** A replica that has not said it is alive for this long is taken for dead (its links are dropped). */
  ttlMs: number;
  onCancel: (jobId: string, reason: string) => void;
  logger: Logger;
}

/** A replica silent for this many lease lifetimes crashed: its row is removed. */
const FORGET_AFTER_TTLS = 10;
/** Dead replicas are looked for at every this many ticks (three ticks per lease lifetime). */
const FORGET_EVERY_TICKS = 30;

/**
 * The replicas of one federation, found through the shared database: each replica notes itself there with its
 * address and says it is alive at every tick; it keeps a Link to every other live replica (link-driver.ts), through
 * which it drives the participants whose streams that replica holds. With one replica (SQLite, or PostgreSQL alone)
 * the mesh is just this replica.
 */
export class ReplicaMesh {
  private readonly links = new Map<string, LinkDriver>();
  private timer: NodeJS.Timeout | undefined;
  private secret: Uint8Array | undefined;
  private stopped = false;
  private ticks = 0;

  constructor(private readonly o: MeshOptions) {}

  async start(): Promise<void> {
    this.secret = await this.o.store.replicaSecret();
    await this.o.store.registerReplica(this.o.replicaId, this.o.address);
    await this.tick();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        void this.tick()
          .catch((e) => this.o.logger.warn({ reason: (e as Error).message }, `replicas: ${(e as Error).message}`))
          .finally(() => this.schedule());
      },
      Math.max(100, Math.floor(this.o.ttlMs / 3)),
    );
    this.timer.unref?.();
  }

  /** Says this replica is alive, links to replicas that appeared, drops links to those that died. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    await this.o.store.heartbeatReplica(this.o.replicaId, now);
    if (this.ticks++ % FORGET_EVERY_TICKS === 0) await this.forgetDead(now);
    // Never itself: not by id, nor by address (a row left by a crashed process that listened where this one does).
    const live = (await this.o.store.liveReplicas(now - this.o.ttlMs)).filter(
      (r) => r.id !== this.o.replicaId && r.address !== this.o.address,
    );
    const ids = new Set(live.map((r) => r.id));
    for (const [id, link] of this.links)
      if (!ids.has(id)) {
        this.o.logger.warn(
          { replicaId: id },
          `replica ${id} stopped saying it is alive; its participants reconnect to the others`,
        );
        link.stop();
        this.links.delete(id);
      }
    for (const r of live) {
      if (this.links.has(r.id) || this.stopped) continue;
      const link = new LinkDriver(r.id, r.address, {
        replicaId: this.o.replicaId,
        secret: this.secret!,
        security: this.o.security,
        registry: this.o.registry,
        onCancel: this.o.onCancel,
        logger: this.o.logger,
      });
      this.links.set(r.id, link);
      link.start();
    }
  }

  /** Removes the rows of replicas silent for FORGET_AFTER_TTLS lease lifetimes (crashed: they never removed them). */
  private async forgetDead(now: number): Promise<void> {
    const before = now - FORGET_AFTER_TTLS * this.o.ttlMs;
    for (const r of await this.o.store.liveReplicas(0))
      if (r.heartbeatAt < before && r.id !== this.o.replicaId) {
        await this.o.store.removeReplica(r.id);
        this.o.logger.info(
          { replicaId: r.id },
          `replica ${r.id} (${r.address}) forgotten: silent since ${new Date(r.heartbeatAt).toISOString()}`,
        );
      }
  }

  /** A job event of a job this replica drives, for the watchers on every other replica. */
  broadcast(e: tessera.v1.IReplicaJobEvent): void {
    for (const link of this.links.values()) link.event(e);
  }

  get peers(): number {
    return this.links.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const link of this.links.values()) link.stop();
    this.links.clear();
    await this.o.store.removeReplica(this.o.replicaId).catch(() => undefined);
  }
}
