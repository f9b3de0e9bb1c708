import { describe, expect, it } from 'vitest';
import { ckksParametersFromJson, defaultCkksParameters, HeError } from '../src/index.js';

describe('CKKS parameters read from the wire', () => {
  it('read back what a client sends, always at 128-bit security', () => {
    const p = defaultCkksParameters();
    const sent = JSON.stringify({ ...p, securityLevel: 80 });
    expect(ckksParametersFromJson(sent, 'scoring.params_json')).toEqual({ ...p, securityLevel: 128 });
  });

  it('name the field that has the wrong type', () => {
    const p = defaultCkksParameters();
    const cases: [string, string][] = [
      [
        JSON.stringify({ ...p, polyModulusDegree: '8192' }),
        'scoring.params_json: polyModulusDegree must be an integer',
      ],
      [JSON.stringify({ ...p, coeffModulusBits: [60, '40'] }), 'coeffModulusBits must be a list of integers'],
      [JSON.stringify({ ...p, slots: undefined }), 'slots must be an integer'],
      ['[1,2]', 'expected {polyModulusDegree'],
      ['{', 'not valid JSON'],
    ];
    for (const [json, message] of cases) {
      expect(() => ckksParametersFromJson(json, 'scoring.params_json')).toThrow(HeError);
      expect(() => ckksParametersFromJson(json, 'scoring.params_json')).toThrow(message);
    }
  });
});
