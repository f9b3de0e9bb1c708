import type { tessera } from './gen/tessera.js';

export type ConfigRecord = Record<string, number | string | boolean>;

export function toConfigEntries(config: ConfigRecord): tessera.v1.IConfigEntry[] {
  return Object.entries(config).map(([key, v]) =>
    typeof v === 'number' ? { key, number: v } : typeof v === 'boolean' ? { key, flag: v } : { key, text: v },
  );
}

export function fromConfigEntries(entries: readonly tessera.v1.IConfigEntry[] | null | undefined): ConfigRecord {
  const out: ConfigRecord = {};
  for (const e of entries ?? []) {
    if (!e.key) continue;
    if (e.number !== undefined && e.number !== null) out[e.key] = e.number;
    else if (e.flag !== undefined && e.flag !== null) out[e.key] = e.flag;
    else if (e.text !== undefined && e.text !== null) out[e.key] = e.text;
  }
  return out;
}
