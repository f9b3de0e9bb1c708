// A worker process of the load harness (child_process.fork): runs its share of the simulated participants as real
// ParticipantNodes (signed messages, TLS with the node's client certificate, the real task code and SecAgg+ client),
// sharing one parsed LocalData per shard, and counts the messages they exchange with the coordinator.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadSigningKeyPair } from '@tessera/crypto';
import { CHANNEL_OPTIONS } from '@tessera/proto';
import { loadParticipantConfig, ParticipantNode } from '@tessera/sdk';
import { procMemory } from '../proc-memory.js';
import type { ParentMessage, WorkerMessage, WorkerStart } from './worker-protocol.js';

/**
 * A real node runs alone on its machine; here hundreds share a core, and a SecAgg+ step that reaches all of them
 * at once (share keys, unmask) keeps this event loop busy for many seconds, past gRPC's 10 s keepalive timeout,
 * which would drop every stream whose ping answer waits behind the others' work. The simulated nodes wait longer.
 */
export const SIMULATED_KEEPALIVE_TIMEOUT_MS = 600_000;
(CHANNEL_OPTIONS as Record<string, number>)['grpc.keepalive_timeout_ms'] = SIMULATED_KEEPALIVE_TIMEOUT_MS;

const nodes: ParticipantNode[] = [];
/** Messages the nodes signed and sent, and coordinator messages they received, since the last reset. */
const counts = { sent: 0, received: 0 };
let problems = 0;
/** The longest stall of this worker's event loop: one past gRPC's keepalive timeout (10 s) drops its streams. */
const stalls = monitorEventLoopDelay({ resolution: 20 });
stalls.enable();

const post = (m: WorkerMessage) => process.send?.(m);

/** Up to 20 problem lines per worker go to the parent (refusals, rejections, connection trouble). */
function report(line: string): void {
  if (line.includes(' received ')) {
    counts.received += 1; // the node's debug line for every coordinator message
    return;
  }
  if (/ (started|finished|connected to|stopping) /.test(line) || line.includes('warning: no consent policy')) return;
  if (problems++ < 20) post({ type: 'problem', line });
}

/**
 * Counts every message a node signs: ParticipantNode.send is its one outlet (hello, task answers, SecAgg+ steps,
 * uploads). The wrapper only counts; the message goes out unchanged.
 */
function countSends(node: ParticipantNode): void {
  const outlet = node as unknown as { send: (body: unknown) => Promise<void> };
  const send = outlet.send.bind(node);
  if (typeof send !== 'function') throw new Error('ParticipantNode has no send method to count messages on');
  outlet.send = (body) => {
    counts.sent += 1;
    return send(body);
  };
}

async function start(o: WorkerStart): Promise<void> {
  const before = procMemory(process.pid).rssKiB;
  const shared = new Map<number, ParticipantNode['data']>();
  const ready: Promise<void>[] = [];
  for (const [k, path] of o.configPaths.entries()) {
    const config = loadParticipantConfig(path);
    const shard = o.shards[k] ?? 0;
    const address = o.addresses[k % o.addresses.length];
    const data = shared.get(shard);
    const node = new ParticipantNode({
      config: address ? { ...config, coordinator: address } : config,
      identity: loadSigningKeyPair(config.identityKey),
      ...(data ? { data } : {}),
      logLevel: 'debug',
      log: report,
    });
    countSends(node);
    shared.set(shard, node.data);
    ready.push(new Promise((resolve) => node.once('ready', () => resolve())));
    nodes.push(node);
    node.start();
    // Connect in small batches so that thousands of TLS handshakes do not all queue at once.
    if (ready.length % 50 === 0) await Promise.all(ready.slice(-50));
  }
  await Promise.all(ready);
  global.gc?.();
  post({
    type: 'ready',
    participants: nodes.length,
    rssBeforeKiB: before,
    rssAfterKiB: procMemory(process.pid).rssKiB,
  });
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'start')
    start(m).catch((e: unknown) => post({ type: 'failed', error: e instanceof Error ? e.message : String(e) }));
  else if (m.type === 'reset') {
    counts.sent = 0;
    counts.received = 0;
    stalls.reset();
  } else if (m.type === 'counts') {
    const { rssKiB, hwmKiB } = procMemory(process.pid);
    post({ type: 'counts', ...counts, rssKiB, hwmKiB, maxStallSeconds: stalls.max / 1e9 });
  } else if (m.type === 'stop')
    void Promise.all(nodes.splice(0).map((n) => n.stop().catch(() => undefined))).then(() => {
      post({ type: 'stopped' });
      process.disconnect?.();
    });
});
// The parent going away ends this worker too.
process.on('disconnect', () => {
  for (const n of nodes) void n.stop();
  setTimeout(() => process.exit(0), 100).unref();
});
post({ type: 'alive' });
