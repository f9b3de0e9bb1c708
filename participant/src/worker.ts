// Runs one participant node in a worker thread: workerData is { configPath, dropout? }.
// Messages in: 'stop' | 'drop'. Messages out: { event: 'ready' | 'task' | 'done' | 'error', ... }.
import { parentPort, workerData } from 'node:worker_threads';
import { loadSigningKeyPair } from '@tessera/crypto';
import { loadParticipantConfig } from './config.js';
import { ParticipantNode } from './node.js';
import { simulatedDropout, type DropoutPlan } from './simulated-dropout.js';

const { configPath, dropout } = workerData as { configPath: string; dropout?: DropoutPlan };
const config = loadParticipantConfig(configPath);
const node = new ParticipantNode({
  config,
  identity: loadSigningKeyPair(config.identityKey),
  log: (line) => parentPort!.postMessage({ event: 'log', line }),
  ...(dropout ? { dropAt: simulatedDropout(dropout), minBackoffMs: 50, maxBackoffMs: 200 } : {}),
});
node.on('ready', () => parentPort!.postMessage({ event: 'ready' }));
node.on('task', (ref) =>
  parentPort!.postMessage({
    event: 'task',
    ref: { jobId: ref?.jobId, round: ref?.round ?? 0, stage: ref?.stage ?? 0 },
  }),
);
node.on('done', (ref) =>
  parentPort!.postMessage({
    event: 'done',
    ref: { jobId: ref?.jobId, round: ref?.round ?? 0, stage: ref?.stage ?? 0 },
  }),
);
parentPort!.on('message', async (m: string) => {
  if (m === 'drop') node.dropConnection();
  if (m === 'stop') {
    await node.stop();
    parentPort!.close();
  }
});
try {
  node.start();
} catch (e) {
  parentPort!.postMessage({ event: 'error', message: (e as Error).message });
}
