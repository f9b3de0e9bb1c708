// `tessera demo --console`: the demo's coordinator serves the console; the printed links log the analyst and the
// operator in, and the analyst's page shows the demo's job (checked while the demo holds, before it stops).
import { describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { demoOptions } from './demo-options.js';
import { runDemo } from '../src/demo/run-demo.js';

/** GET over TLS without pinning (the demo's CA is in a temporary directory), following nothing. */
function get(url: string, cookie = ''): Promise<{ status: number; body: string; cookie: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers: { cookie, accept: 'text/html' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          cookie: String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '',
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tessera demo --console', () => {
  it('prints a login link for the analyst and the operator; the analyst sees the demo job', async () => {
    const lines: string[] = [];
    let seen: { jobs: string; operator: number; healthz: number } | undefined;
    const r = await runDemo({
      ...demoOptions({}),
      participants: 3,
      rounds: 2,
      status: (line) => lines.push(line),
      console: {
        listen: '127.0.0.1:0',
        hold: async () => {
          const url = /web console at (https:\/\/127\.0\.0\.1:\d+)/.exec(lines.join('\n'))?.[1];
          const analyst = /analyst: +(\S+)/.exec(lines.join('\n'))?.[1];
          const operator = /operator: +(\S+)/.exec(lines.join('\n'))?.[1];
          expect(url && analyst && operator, lines.join('\n')).toBeTruthy();
          const a = await get(analyst!);
          const o = await get(operator!);
          seen = {
            jobs: (await get(`${url}/jobs`, a.cookie)).body,
            operator: (await get(`${url}/operator`, o.cookie)).status,
            healthz: (await get(`${url}/healthz`)).status,
          };
        },
      },
    });
    expect(r.federated.auc).toBeGreaterThan(0.5);
    expect(seen?.healthz).toBe(200);
    expect(seen?.operator).toBe(200);
    expect(seen?.jobs).toContain('<td>demo</td>');
    expect(seen?.jobs).toContain('completed');
  });
});
