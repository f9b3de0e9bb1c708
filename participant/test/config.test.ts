import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tessera/test-support';
import { ConfigError, loadParticipantConfig, parseParticipantConfig } from '../src/index.js';

const valid = {
  name: 'shop',
  coordinator: '127.0.0.1:7070',
  participantId: 'p-1',
  identityKey: 'identity.key',
  datasets: { customers: { type: 'csv', path: 'c.csv' } },
};

describe('participant config', () => {
  it('resolves relative paths against the config file and accepts csv and sqlite sources', () => {
    const c = parseParticipantConfig(
      {
        ...valid,
        datasets: {
          ...valid.datasets,
          orders: { type: 'sqlite', path: 'shop.db', table: 'orders', exclude: ['email'] },
        },
      },
      'p.yaml',
      '/srv/node',
    );
    expect(c.identityKey).toBe('/srv/node/identity.key');
    expect(c.datasets.customers).toEqual({ type: 'csv', path: '/srv/node/c.csv', exclude: [] });
    expect(c.datasets.orders).toEqual({
      type: 'sqlite',
      path: '/srv/node/shop.db',
      table: 'orders',
      exclude: ['email'],
    });
  });

  it('names the file and field of each mistake', () => {
    const bad = (patch: object, field: RegExp) => {
      expect(() => parseParticipantConfig({ ...valid, ...patch }, 'node.yaml', '/x')).toThrow(ConfigError);
      expect(() => parseParticipantConfig({ ...valid, ...patch }, 'node.yaml', '/x')).toThrow(field);
    };
    bad({ coordinator: '' }, /^node\.yaml: coordinator: must be a non-empty string/);
    bad({ datasets: {} }, /node\.yaml: datasets: must map at least one data set/);
    bad(
      { datasets: { c: { type: 'excel', path: 'x' } } },
      /datasets\.c\.type: must be csv, parquet, sqlite or postgres, got "excel"/,
    );
    bad({ datasets: { c: { type: 'postgres', table: 't' } } }, /datasets\.c\.url: is required: a postgres:\/\//);
    bad(
      { datasets: { c: { type: 'postgres', url: 'postgres://h/db' } } },
      /datasets\.c\.table: is required for a postgres/,
    );
    bad(
      { datasets: { c: { type: 'parquet', path: 'x', customerKey: 3 } } },
      /datasets\.c\.customerKey: must be a column/,
    );
    bad({ datasets: { c: { type: 'sqlite', path: 'x.db' } } }, /datasets\.c\.table: is required/);
    bad({ colour: 'blue' }, /colour: unknown field/);
  });

  it('reports YAML syntax errors and missing files with the file name', () => {
    const dir = tempDir('tessera-config-').dir;
    writeFileSync(join(dir, 'broken.yaml'), 'name: [unclosed\n');
    expect(() => loadParticipantConfig(join(dir, 'broken.yaml'))).toThrow(/broken\.yaml: \(syntax\)/);
    expect(() => loadParticipantConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: \(file\): cannot be read/);
  });
});
