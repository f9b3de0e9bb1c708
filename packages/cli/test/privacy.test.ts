import { describe, expect, it } from 'vitest';
import { runCli } from './in-process.js';

const json = async (args: string[]) => {
  const r = await runCli([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, number>;
};

describe('tessera privacy', () => {
  it('reproduces published accountant values from the command line', async () => {
    const orders = '1.25,1.5,1.75,2,2.25,2.5,3,3.5,4,4.5,5..63,128,256,512';
    const e = await json([
      'privacy',
      'epsilon',
      '--noise-multiplier',
      '1.3',
      '--sample-rate',
      String(150 / 60000),
      '--steps',
      '6000',
      '--delta',
      '1e-5',
      '--orders',
      orders,
    ]);
    expect(Math.abs(e.epsilon - 0.7242234026109595)).toBeLessThan(1e-9);
    expect(e.order).toBe(19);
    const g = await json(['privacy', 'gaussian', '--epsilon', '0.1', '--delta', '1e-6']);
    expect(Math.abs(g.sigma / 36.30469042619629 - 1)).toBeLessThan(1e-7);
    const n = await json([
      'privacy',
      'noise',
      '--epsilon',
      '2',
      '--delta',
      '1e-5',
      '--sample-rate',
      '0.01',
      '--steps',
      '1000',
    ]);
    const back = await json([
      'privacy',
      'epsilon',
      '--noise-multiplier',
      String(n.noiseMultiplier),
      '--sample-rate',
      '0.01',
      '--steps',
      '1000',
      '--delta',
      '1e-5',
    ]);
    expect(back.epsilon).toBeLessThanOrEqual(2 + 1e-9);
    expect(back.epsilon).toBeGreaterThan(1.99);
    expect((await json(['privacy', 'zcdp', '--rho', '0.5', '--delta', '1e-6'])).epsilon).toBeGreaterThan(0);
  });

  it('refuses bad parameters, naming the value to change', async () => {
    for (const [args, what] of [
      [['privacy', 'gaussian', '--epsilon', '-1', '--delta', '1e-5'], /epsilon/],
      [['privacy', 'gaussian', '--epsilon', '1', '--delta', '1'], /delta/],
      [
        ['privacy', 'epsilon', '--noise-multiplier', '1', '--sample-rate', '1.5', '--steps', '10', '--delta', '1e-5'],
        /sample/i,
      ],
      [
        ['privacy', 'epsilon', '--noise-multiplier', 'abc', '--sample-rate', '0.1', '--steps', '10', '--delta', '1e-5'],
        /--noise-multiplier must be a number/,
      ],
      [
        [
          'privacy',
          'epsilon',
          '--noise-multiplier',
          '1',
          '--sample-rate',
          '0.1',
          '--steps',
          '10',
          '--delta',
          '1e-5',
          '--orders',
          '2,x',
        ],
        /--orders/,
      ],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(what);
    }
  });
});
