import type { SamplerThroughput } from '@tessera/dp';
import { renderTable } from '@tessera/cli/ui/table';
import { machineInfo } from '../machine.js';
import { measureAccountant, measureSamplers } from './measure.js';
import { runUtilityCurve, UTILITY_DEFAULTS, type UtilityCurve } from './utility-curve.js';

export interface DpBenchReport {
  benchmark: 'dp';
  date: string;
  machine: unknown;
  samplers: SamplerThroughput[];
  /**
   * Milliseconds to account 10^4 subsampled-Gaussian steps and convert to epsilon over the default order grid (first
   * call, then mean of warm calls).
   */
  accountantMs: { cold: number; warm: number };
  /**
   * Held-out AUC on breast_cancer (5 participants) without DP and with DP at several epsilons (informational: not part
   * of pass).
   */
  utility: UtilityCurve;
  pass: boolean;
}

export async function runDpBench(log: (line: string) => void): Promise<DpBenchReport> {
  log('sampler throughput (discrete Gaussian and Skellam, sigma 1, 10, 1000)');
  const samplers = measureSamplers({ minMillis: 1000 });
  log('accountant: 10^4 steps');
  const { cold, warm } = measureAccountant(20);
  const acc = { cold, warm };
  log(`utility curve: breast_cancer, 5 participants, seeds ${UTILITY_DEFAULTS.seeds.join(', ')}`);
  const utility = await runUtilityCurve(log);
  const gauss10 = samplers.find((s) => s.name === 'discreteGaussian' && s.param === 'sigma=10')?.samplesPerSecond ?? 0;
  return {
    benchmark: 'dp',
    date: new Date().toISOString(),
    machine: machineInfo(),
    samplers,
    accountantMs: acc,
    utility,
    pass: gauss10 >= 1e6 && acc.cold < 50,
  };
}

export function renderDpBench(r: DpBenchReport): string {
  return [
    'Exact noise samplers and the accountant (tessera dp benchmark)',
    renderTable(
      ['sampler', 'parameter', 'samples/s'],
      r.samplers.map((s) => [s.name, s.param, Math.round(s.samplesPerSecond)]),
    ),
    `accountant, 10^4 steps over the default grid: ${r.accountantMs.cold.toFixed(1)} ms first call, ` +
      `${r.accountantMs.warm.toFixed(2)} ms warm (target < 50 ms)`,
    '',
    renderUtility(r.utility),
  ].join('\n');
}

function renderUtility(u: UtilityCurve): string {
  const f = (v: number | null, digits = 4) => (v === null ? '-' : v.toFixed(digits));
  const signed = (v: number | null) => (v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(4)}`);
  return [
    `Utility: held-out AUC of the federated model, ${u.data} ` +
      `(label ${u.label}), ${u.participants} participants, ${u.split}, ${u.rounds} rounds, delta ${u.delta}, ` +
      `mean over seeds ${u.seeds.join(', ')} (${u.seconds.toFixed(0)} s)`,
    renderTable(
      ['setting', 'lr', 'epsilon spent', 'noise mult.', 'mean AUC', 'min', 'max', 'gap to no DP', 'worst seed gap'],
      u.rows.map((x) => [
        x.label,
        String(x.learningRate),
        x.dp === 'none' ? '-' : f(x.epsilonSpent, 3),
        f(x.noiseMultiplier, 3),
        f(x.mean),
        f(x.min),
        f(x.max),
        signed(x.gapToNonPrivate),
        signed(x.worstSeedGap),
      ]),
    ),
    'gap: mean AUC minus the non-private mean at the same learning rate; worst seed gap: ' +
      'the lowest per-seed difference (same data split)',
  ].join('\n');
}
