// Child process of runInProcessIsolated (started with node --expose-gc): receives one RunConfig
// (without its log function) over IPC, runs it, answers { result } or { error }; log lines as { log }.
import { runInProcess } from './inprocess-run.js';
import type { RunConfig } from './grpc-run.js';

process.once('message', async (cfg: Omit<RunConfig, 'log'>) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    if (!gc) throw new Error('the in-process benchmark needs node --expose-gc');
    const result = await runInProcess({ ...cfg, log: (line) => process.send!({ log: line }) }, gc);
    process.send!({ result }, () => process.disconnect());
  } catch (e) {
    process.send!({ error: (e as Error).message }, () => process.disconnect());
  }
});
