// Runs participant nodes in a worker thread; several nodes can share one thread (one V8 heap and one copy of the
// code for all of them). workerData { configPath, dropout? } starts node 0 at once; more come with { add: { configPath,
// dropout? } } messages, numbered in order. Messages in: { add }, { stop: index }, { drop: index }, or 'stop' | 'drop'
// for every node. Messages out: { event: 'ready' | 'task' | 'done' | 'stopped' | 'log' | 'error', index, ... }. The
// thread ends once every node it started has stopped.
import { parentPort, workerData } from 'node:worker_threads';
import { loadSigningKeyPair } from '@tessera/crypto';
import { loadParticipantConfig } from './config.js';
import { ParticipantNode } from './node.js';
import { simulatedDropout, type DropoutPlan } from './simulated-dropout.js';

type NodeSpec = { configPath: string; dropout?: DropoutPlan };

const port = parentPort!;
const nodes: (ParticipantNode | undefined)[] = [];
let live = 0;

const refOf = (ref: { jobId?: string; round?: number; stage?: number } | undefined) => ({
  jobId: ref?.jobId,
  round: ref?.round ?? 0,
  stage: ref?.stage ?? 0,
});

function add({ configPath, dropout }: NodeSpec): void {
  const index = nodes.length;
  nodes.push(undefined);
  try {
    const config = loadParticipantConfig(configPath);
    const node = new ParticipantNode({
      config,
      identity: loadSigningKeyPair(config.identityKey),
      log: (line) => port.postMessage({ event: 'log', index, line }),
      ...(dropout ? { dropAt: simulatedDropout(dropout), minBackoffMs: 50, maxBackoffMs: 200 } : {}),
    });
    node.on('ready', () => port.postMessage({ event: 'ready', index }));
    node.on('task', (ref) => port.postMessage({ event: 'task', index, ref: refOf(ref) }));
    node.on('done', (ref) => port.postMessage({ event: 'done', index, ref: refOf(ref) }));
    node.start();
    nodes[index] = node;
    live++;
  } catch (e) {
    port.postMessage({ event: 'error', index, message: (e as Error).message });
  }
}

async function stop(index: number): Promise<void> {
  const node = nodes[index];
  nodes[index] = undefined;
  if (node) {
    await node.stop();
    live--;
  }
  port.postMessage({ event: 'stopped', index });
  if (live === 0) port.close();
}

port.on('message', (m: string | { add?: NodeSpec; stop?: number; drop?: number }) => {
  if (m === 'drop') for (const node of nodes) node?.dropConnection();
  else if (m === 'stop') void Promise.all(nodes.map((_, i) => stop(i)));
  else if (typeof m === 'object' && m.add) add(m.add);
  else if (typeof m === 'object' && m.stop !== undefined) void stop(m.stop);
  else if (typeof m === 'object' && m.drop !== undefined) nodes[m.drop]?.dropConnection();
});

const first = workerData as NodeSpec | undefined;
if (first?.configPath) {
  add(first);
  if (live === 0) port.close(); // started for this one node, which failed: nothing else to run
}
