// Packs the recorder's output directory (argv[2]) into cases.json.gz beside this script (see README.md).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node pack.mjs RECORDED_DIR');
const files = readdirSync(dir).sort();
const data = Object.fromEntries(
  files.filter((f) => f.endsWith('.csv')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
);
const cases = files
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const c = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    // The scale (one number per coordinate) is not read by evaluation; it is rebuilt as zeros of the plan's length.
    delete c.plan.scale;
    return c;
  })
  .sort((a, b) => a.test.localeCompare(b.test) || a.data.localeCompare(b.data));
const out = join(import.meta.dirname, 'cases.json.gz');
writeFileSync(out, gzipSync(JSON.stringify({ cases, data }), { level: 9 }));
console.log(`${cases.length} cases over ${Object.keys(data).length} tables -> ${out}`);
