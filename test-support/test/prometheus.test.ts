import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheus, sampleValue } from '../prometheus.js';

describe('parsePrometheus', () => {
  it('reads types, help, labels with escapes, special values, and groups histogram samples', () => {
    const text = [
      '# HELP jobs Jobs by state',
      '# TYPE jobs gauge',
      'jobs{state="running"} 2',
      'jobs{state="done",note="a \\"quoted\\" \\\\ value\\nover lines"} 3 1700000000000',
      '# TYPE wait histogram',
      'wait_bucket{le="0.5"} 1',
      'wait_bucket{le="+Inf"} 4',
      'wait_sum 7.25',
      'wait_count 4',
      'odd NaN',
      'odder Nan',
      'low -Inf',
    ].join('\n');
    const families = parsePrometheus(text);
    expect(families.get('jobs')).toEqual({
      type: 'gauge',
      help: 'Jobs by state',
      samples: [
        { name: 'jobs', labels: { state: 'running' }, value: 2 },
        { name: 'jobs', labels: { state: 'done', note: 'a "quoted" \\ value\nover lines' }, value: 3 },
      ],
    });
    const wait = families.get('wait')!;
    expect(wait.type).toBe('histogram');
    expect(wait.samples.map((s) => [s.name, s.labels.le, s.value])).toEqual([
      ['wait_bucket', '0.5', 1],
      ['wait_bucket', '+Inf', 4],
      ['wait_sum', undefined, 7.25],
      ['wait_count', undefined, 4],
    ]);
    expect(families.has('wait_bucket')).toBe(false);
    expect(sampleValue(families, 'odd')).toBeNaN();
    expect(sampleValue(families, 'odder')).toBeNaN();
    expect(sampleValue(families, 'low')).toBe(Number.NEGATIVE_INFINITY);
    expect(sampleValue(families, 'wait', {}, 'wait_count')).toBe(4);
  });

  it("reads prom-client's own output", async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'c_total', help: 'a "counter"', labelNames: ['why'], registers: [registry] });
    const h = new Histogram({ name: 'h_seconds', help: 'h', buckets: [1, 2], registers: [registry] });
    c.inc({ why: 'line\nbreak "and" \\' }, 3);
    h.observe(1.5);
    const families = parsePrometheus(await registry.metrics());
    expect(sampleValue(families, 'c_total', { why: 'line\nbreak "and" \\' })).toBe(3);
    expect(sampleValue(families, 'h_seconds', { le: '2' }, 'h_seconds_bucket')).toBe(1);
    expect(sampleValue(families, 'h_seconds', { le: '1' }, 'h_seconds_bucket')).toBe(0);
    expect(sampleValue(families, 'h_seconds', {}, 'h_seconds_sum')).toBe(1.5);
  });

  it('refuses a line it cannot read, naming it', () => {
    expect(() => parsePrometheus('ok 1\nbad{x=1} 2')).toThrow(/line 2: bad label/);
    expect(() => parsePrometheus('bad one')).toThrow(/line 1: bad value "one"/);
  });
});
