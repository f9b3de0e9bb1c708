// Flags that set differential privacy are refused, with the reason and the fix, when privacy is off.
import { describe, expect, it } from 'vitest';
import { runCli } from './in-process.js';

describe('DP-only flags without --dp', () => {
  it('tessera demo --epsilon 8 (training, --dp none by default) is refused, naming --dp', async () => {
    const r = await runCli(['demo', '--epsilon', '8']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--epsilon sets differential privacy, but --dp is none \(the default when training\)/);
    expect(r.stderr).toMatch(/add --dp distributed/);
    const u = await runCli(['demo', '--unit', 'participant', '--dp', 'none']);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/--unit sets differential privacy, but --dp is none/);
  });

  it('a query with --dp none and --delta, or --sealed and --epsilon, is refused', async () => {
    const d = await runCli(['demo', '--query', 'SELECT COUNT(*) FROM wine', '--dp', 'none', '--delta', '1e-9']);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/--delta sets differential privacy, but --dp is none/);
    const q = await runCli(['query', 'SELECT COUNT(*) FROM orders', '--dp', 'none', '--epsilon', '2']);
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/--epsilon sets differential privacy, but --dp is none/);
    const s = await runCli(['query', 'SELECT COUNT(*) FROM orders', '--sealed', '--epsilon', '2']);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/--sealed queries run without differential privacy for now.*leave out --epsilon/);
  });
});
