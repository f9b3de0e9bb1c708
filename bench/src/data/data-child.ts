// Child process of runIsolated (data-isolated.ts): receives one Measurement over IPC, runs it, answers
// { result } (with this process's peak RSS) or { error }; progress lines as { log }.
import { procMemory } from '../proc-memory.js';
import { measure, type Measurement } from './data-measure.js';

process.once('message', async (m: Measurement) => {
  try {
    const result = await measure(m, (line) => process.send!({ log: line }));
    // VmHWM (Linux) and getrusage's maxRSS agree; the former is what the other parts report
    const peakRssKiB = Math.max(procMemory(process.pid).hwmKiB, process.resourceUsage().maxRSS);
    process.send!({ result: { ...result, peakRssKiB } }, () => process.disconnect());
  } catch (e) {
    process.send!({ error: (e as Error).message }, () => process.disconnect());
  }
});
