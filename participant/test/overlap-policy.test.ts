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
    expect(DEFAULT_OVERLAP_POLICY).toEqual({ minSetSize: 100, countingPeers: [], maxEpsilon: 1, maxRunsPerDay: 3 });
    expect(mayCount(DEFAULT_OVERLAP_POLICY, 'p-2')).toBe(false);
    expect(parse({ countingPeers: ['p-2'] }).overlap).toEqual({ ...DEFAULT_OVERLAP_POLICY, countingPeers: ['p-2'] });
    const key = 'AB'.repeat(32);
    expect(parse({ maxEpsilon: 0.5, maxRunsPerDay: 10, peerKeys: { 'p-2': key } }).overlap).toMatchObject({
      maxEpsilon: 0.5,
      maxRunsPerDay: 10,
      peerKeys: { 'p-2': key.toLowerCase() },
    });
    expect(mayCount(parse({ countingPeers: ['*'] }).overlap!, 'p-9')).toBe(true);
  });

  it('refuses bad values, naming the file and field', () => {
    expect(() => parse({ minSetSize: 0 })).toThrow(/node\.yaml: overlap\.minSetSize: must be a positive integer/);
    expect(() => parse({ countingPeers: 'p-2' })).toThrow(/node\.yaml: overlap\.countingPeers: must be a list/);
    expect(() => parse({ minimum: 5 })).toThrow(/node\.yaml: overlap\.minimum: unknown field/);
    expect(() => parse([])).toThrow(/node\.yaml: overlap: must be a mapping/);
    expect(() => parse({ maxEpsilon: 0 })).toThrow(/node\.yaml: overlap\.maxEpsilon: must be a positive number/);
    expect(() => parse({ maxRunsPerDay: 1.5 })).toThrow(/overlap\.maxRunsPerDay: must be a positive integer/);
    expect(() => parse({ peerKeys: { 'p-2': 'abc' } })).toThrow(
      /overlap\.peerKeys\.p-2: must be an Ed25519 identity key/,
    );
  });
});
