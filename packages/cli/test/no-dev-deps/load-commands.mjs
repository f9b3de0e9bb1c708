// Run under register.mjs by no-dev-deps.test.ts: imports every module of the built CLI's commands/
// (and any module URLs given as arguments), then the program; renders the help of every command;
// checks that the unavailable packages really are unavailable; prints one JSON line:
// { modules, commands, usage, unavailable: [{ name, code }] }.
import { readdirSync } from 'node:fs';

const dist = new URL('../../dist/', import.meta.url);
const modules = [
  ...readdirSync(new URL('commands/', dist))
    .filter((f) => f.endsWith('.js'))
    .map((f) => new URL(`commands/${f}`, dist).href),
  ...process.argv.slice(2),
];
for (const m of modules) await import(m);
const { buildProgram, cliReference } = await import(new URL('program.js', dist).href);
const reference = cliReference(buildProgram());
const commands = [...reference.matchAll(/^#+ `(tessera[^`]*)`$/gm)].map((m) => m[1]);
const unavailable = [];
for (const name of JSON.parse(process.env.TESSERA_UNAVAILABLE).packages) {
  try {
    await import(name);
    unavailable.push({ name, code: 'loaded' });
  } catch (e) {
    unavailable.push({ name, code: e.code ?? String(e) });
  }
}
const loaded = modules.map((m) => (m.startsWith(dist.href) ? m.slice(dist.href.length) : m));
const usage = (reference.match(/^Usage: tessera/gm) ?? []).length;
process.stdout.write(`${JSON.stringify({ modules: loaded, commands, usage, unavailable })}\n`);
