import { renderTable } from '@tessera/cli/ui/table';
import { machineInfo, type MachineInfo } from '../machine.js';
import { measureHe, type HeBenchResult } from './he-bench.js';
import { measureSealedRound, type SealedRoundFigures } from './sealed-round.js';

/** Targets of sealed mode against masked mode (DESIGN.md, "Sealed mode"; docs/benchmarks.md). */
export const HE_TARGETS = { sealedOverMasked: 3, bytesSealedOverMasked: 16 } as const;

export interface HeBenchSize {
  readonly participants: number;
  readonly dimension: number;
  readonly drop: number;
}

/**
 * Sizes `npm run bench` measures (bench-results/he.json). The targets apply to n = 100, d = 10^5; the small
 * size is informational (there a participant's encryptor set-up, ~0.1 s, outweighs a 0.1 s masked round).
 */
export const HE_BENCH_SIZES: readonly (HeBenchSize & { readonly targeted: boolean })[] = [
  { participants: 10, dimension: 10_000, drop: 0.1, targeted: false },
  { participants: 100, dimension: 100_000, drop: 0.1, targeted: true },
];

/**
 * One run: per-value BFV vs Paillier (`measureHe`) and one sealed round against the masked round
 * (`measureSealedRound`).
 */
export interface HeBenchFigures {
  participants: number;
  dimension: number;
  drop: number;
  bfvEncryptUsPerValue: number;
  paillierEncryptUsPerValue: number;
  /** paillierEncryptUsPerValue / bfvEncryptUsPerValue. */
  speedup: number;
  /** Sealed round time / masked round time, same run, same inputs and dropouts (target <= 3). */
  sealedOverMasked: number;
  /**
   * The same ratio if participants ran in parallel (server and analyst time plus the slowest participant per stage).
   */
  sealedOverMaskedCriticalPath: number;
  /**
   * The ratio if participants kept their BFV encryptor across rounds (the encryptor set-up left out of the sealed
   * round).
   */
  sealedOverMaskedReusedEncryptors: number;
  maskedSeconds: number;
  sealedSeconds: number;
  /** One participant's upload per vector word, sealed (BFV ciphertexts) and masked (4 bytes); target ratio <= 16. */
  bytesPerValueSealed: number;
  bytesPerValueMasked: number;
  bytesSealedOverMasked: number;
  pass: boolean;
  perValue: HeBenchResult;
  sealedRound: SealedRoundFigures;
}

export interface HeBenchReport {
  benchmark: 'he';
  date: string;
  machine: MachineInfo;
  targets: typeof HE_TARGETS;
  runs: (HeBenchFigures & { targeted: boolean })[];
  /** Every targeted run (n = 100, d = 10^5) meets both targets. */
  pass: boolean;
}

export async function runHeBench(size: HeBenchSize, log: (line: string) => void = () => {}): Promise<HeBenchFigures> {
  const { participants, dimension, drop } = size;
  log(`BFV vs Paillier per value: n = ${participants}, d = ${dimension}`);
  const perValue = await measureHe({ participants, dimension });
  log(`masked and sealed round: n = ${participants}, d = ${dimension}, drop = ${drop}`);
  const sealedRound = await measureSealedRound({ participants, dimension, drop });
  return {
    participants,
    dimension,
    drop,
    bfvEncryptUsPerValue: perValue.bfvEncryptUsPerValue,
    paillierEncryptUsPerValue: perValue.paillierEncryptUsPerValue,
    speedup: perValue.speedup,
    sealedOverMasked: sealedRound.sealedOverMasked,
    sealedOverMaskedCriticalPath: sealedRound.sealedOverMaskedCriticalPath,
    sealedOverMaskedReusedEncryptors:
      (sealedRound.sealedSeconds - sealedRound.encryptorSetupSeconds) / sealedRound.maskedSeconds,
    maskedSeconds: sealedRound.maskedSeconds,
    sealedSeconds: sealedRound.sealedSeconds,
    bytesPerValueSealed: sealedRound.bytesPerValueSealed,
    bytesPerValueMasked: sealedRound.bytesPerValueMasked,
    bytesSealedOverMasked: sealedRound.bytesSealedOverMasked,
    pass:
      sealedRound.sealedOverMasked <= HE_TARGETS.sealedOverMasked &&
      sealedRound.bytesSealedOverMasked <= HE_TARGETS.bytesSealedOverMasked,
    perValue,
    sealedRound,
  };
}

/** `npm run bench` part: every size of HE_BENCH_SIZES. */
export async function runHeBenchSuite(log: (line: string) => void): Promise<HeBenchReport> {
  const machine = machineInfo();
  const runs: (HeBenchFigures & { targeted: boolean })[] = [];
  for (const size of HE_BENCH_SIZES) runs.push({ ...(await runHeBench(size, log)), targeted: size.targeted });
  return {
    benchmark: 'he',
    date: new Date().toISOString(),
    machine,
    targets: HE_TARGETS,
    runs,
    pass: runs.every((r) => !r.targeted || r.pass),
  };
}

export function renderHeTable(runs: readonly (HeBenchFigures & { targeted?: boolean })[]): string {
  const judged = runs.filter((r) => r.targeted ?? true);
  const lines = [
    'Sealed mode (BFV, node-seal) against masked mode and Paillier (tessera he benchmark)',
    renderTable(
      [
        'n',
        'd',
        'drop',
        'BFV enc us/value',
        'Paillier enc us/value',
        'speedup',
        'masked s',
        'sealed s',
        'sealed/masked',
        'critical path ratio',
        'reused encryptors ratio',
        'bytes/value sealed',
        'masked',
        'ratio',
      ],
      runs.map((r) => [
        r.participants,
        r.dimension,
        r.drop,
        r.bfvEncryptUsPerValue,
        r.paillierEncryptUsPerValue,
        Math.round(r.speedup),
        r.maskedSeconds,
        r.sealedSeconds,
        r.sealedOverMasked,
        r.sealedOverMaskedCriticalPath,
        r.sealedOverMaskedReusedEncryptors,
        r.bytesPerValueSealed,
        r.bytesPerValueMasked,
        r.bytesSealedOverMasked,
      ]),
    ),
    'sealed round, seconds:',
    renderTable(
      [
        'n',
        'd',
        'survivors',
        'encrypt',
        'of which set-up',
        'accumulate',
        'correction',
        'subtract',
        'decrypt',
        'unmask (masked)',
        'noise budget bits',
      ],
      runs.map((r) => {
        const s = r.sealedRound;
        return [
          r.participants,
          r.dimension,
          s.survivors,
          s.encryptSeconds,
          s.encryptorSetupSeconds,
          s.accumulateSeconds,
          s.correctionSeconds,
          s.subtractSeconds,
          s.decryptSeconds,
          s.unmaskSeconds,
          s.noiseBudgetBits,
        ];
      }),
    ),
    `targets (${judged.map((r) => `n = ${r.participants}, d = ${r.dimension}`).join('; ') || 'none'}): ` +
      `sealed/masked <= ${HE_TARGETS.sealedOverMasked}, ` +
      `bytes sealed/masked <= ${HE_TARGETS.bytesSealedOverMasked}: ${judged.every((r) => r.pass) ? 'met' : 'NOT met'}`,
  ];
  return lines.join('\n');
}

export function renderHeBench(report: HeBenchReport): string {
  return renderHeTable(report.runs);
}
