// The owner's overlap rules in the participant config: defaults, and errors that name the field.
import { describe, expect, it } from 'vitest';
import { parseParticipantConfig } from '../src/config.js';
import { DEFAULT_OVERLAP_POLICY, mayCount } from '../src/overlap-policy.js';

const base = {
  name: 'm',
  coordinator: '127.0.0.1:1',
  participantId: 'p-1',
  identityKey: 'id.key',
  datasets: { customers: { type: 'csv', path: 'c.csv' } },
};
const parse = (overlap: unknown) => parseParticipantConfig({ ...base, overlap }, 'node.yaml', '/tmp');

describe('config overlap', () => {
  it('defaults to a minimum of 100 identifiers and no peer that may count', () => {
    expect(parseParticipantConfig(base, 'node.yaml', '/tmp').overlap).toBeUndefined();
    expect(DEFAULT_OVERLAP_POLICY).toEqual({ minSetSize: 100, countingPeers: [] });
    expect(mayCount(DEFAULT_OVERLAP_POLICY, 'p-2')).toBe(false);
    expect(parse({ countingPeers: ['p-2'] }).overlap).toEqual({ minSetSize: 100, countingPeers: ['p-2'] });
    expect(mayCount(parse({ countingPeers: ['*'] }).overlap!, 'p-9')).toBe(true);
  });

  it('refuses bad values, naming the file and field', () => {
    expect(() => parse({ minSetSize: 0 })).toThrow(/node\.yaml: overlap\.minSetSize: must be a positive integer/);
    expect(() => parse({ countingPeers: 'p-2' })).toThrow(/node\.yaml: overlap\.countingPeers: must be a list/);
    expect(() => parse({ minimum: 5 })).toThrow(/node\.yaml: overlap\.minimum: unknown field/);
    expect(() => parse([])).toThrow(/node\.yaml: overlap: must be a mapping/);
  });
});
