// tessera demo --recommend: the synthetic federation (10 merchants, planted structure, Dirichlet split) over
// the services, against the three baselines; refusals of flags that do not apply, naming the flag.
import { describe, expect, it } from 'vitest';
import { runCli } from './in-process.js';

describe('tessera demo --recommend', () => {
  it('federated HR@10 within 5% of centralized, above each merchant alone and above popularity', async () => {
    const r = await runCli(['demo', '--recommend', '--inline', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { recommend: j } = JSON.parse(r.stdout);
    expect(j).toMatchObject({ participants: 10, algorithm: 'als', k: 8, rounds: 10, items: 300 });
    expect(j.localOnly).toHaveLength(10);
    expect(Math.abs(j.hr10 - j.centralized.hr10) / j.centralized.hr10).toBeLessThanOrEqual(0.05);
    expect(j.hr10).toBeGreaterThan(j.localOnlyMean.hr10);
    expect(j.hr10).toBeGreaterThan(j.popularity.hr10);
    expect(j.ndcg10).toBeGreaterThan(j.popularity.ndcg10);
    expect(j.customers).toBe(j.centralized.customers);
    // Progress on stderr, round by round.
    expect(r.stderr).toMatch(/round 10\/10 completed/);
  }, 120_000);

  it('refuses flags that do not apply, naming them', async () => {
    const refused = async (args: string[], message: RegExp) => {
      const r = await runCli(['demo', '--recommend', ...args]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
    };
    await refused(['--secure', 'none'], /--secure must be masked or sealed/);
    await refused(['--dp', 'central'], /--dp must be none or distributed/);
    await refused(['--epsilon', '4'], /--epsilon needs --dp distributed/);
    await refused(['--algorithm', 'svd'], /--algorithm must be als or bpr/);
    await refused(['--label', 'x'], /--label does not apply to --recommend/);
    const r = await runCli(['demo', '--factors', '4']);
    expect(r.stderr).toMatch(/--factors needs --recommend/);
  });
});
