import { describe, expect, it } from 'vitest';
import { columnProfileFromProto, columnProfileToProto, tessera } from '@tessera/proto';

const Kind = tessera.v1.ColumnProfile.Kind;

describe('column profiles on the wire', () => {
  it('sends a kind as its enum value and categories always (empty for a numeric column)', () => {
    expect(columnProfileToProto({ name: 'amount', kind: 'numeric' })).toEqual({
      name: 'amount',
      kind: Kind.NUMERIC,
      categories: [],
    });
    expect(columnProfileToProto({ name: 'region', kind: 'categorical', categories: ['eu', 'us'] })).toEqual({
      name: 'region',
      kind: Kind.CATEGORICAL,
      categories: ['eu', 'us'],
    });
  });

  it('reads back the same profiles, keeping categories only for a categorical column', () => {
    expect(columnProfileFromProto({ name: 'amount', kind: Kind.NUMERIC, categories: ['x'] })).toEqual({
      name: 'amount',
      kind: 'numeric',
    });
    const region = { name: 'region', kind: 'categorical' as const, categories: ['eu', 'us'] };
    expect(columnProfileFromProto(columnProfileToProto(region))).toEqual(region);
  });

  it('reads missing fields as an unnamed numeric column', () => {
    expect(columnProfileFromProto({})).toEqual({ name: '', kind: 'numeric' });
    expect(columnProfileFromProto({ kind: Kind.CATEGORICAL })).toEqual({
      name: '',
      kind: 'categorical',
      categories: [],
    });
  });

  it('marks a declared domain on categorical columns only', () => {
    const declared = { declared: true };
    expect(columnProfileFromProto({ name: 'c', kind: Kind.CATEGORICAL, categories: ['a'] }, declared)).toEqual({
      name: 'c',
      kind: 'categorical',
      categories: ['a'],
      declared: true,
    });
    expect(columnProfileFromProto({ name: 'n', kind: Kind.NUMERIC }, declared)).toEqual({ name: 'n', kind: 'numeric' });
  });
});
