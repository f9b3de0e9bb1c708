// The import graph of the project's TypeScript sources (src/ of every workspace), for checks
// that keep the architecture honest: no import cycles, and libraries that do not import services.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Workspace name -> its src/index.ts, from the root package.json's workspaces. */
function workspaces() {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const out = new Map();
  for (const w of root.workspaces) {
    const pkg = JSON.parse(readFileSync(join(ROOT, w, 'package.json'), 'utf8'));
    out.set(pkg.name, { dir: join(ROOT, w), index: join(ROOT, w, 'src', 'index.ts') });
  }
  return out;
}

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'gen' || name === 'node_modules' || name === 'dist') continue;
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/g;

/** Every source file and the files it imports (type-only imports included: they shape the design too). */
export function importGraph() {
  const ws = workspaces();
  const graph = new Map();
  for (const { dir } of ws.values()) {
    const src = join(dir, 'src');
    if (!existsSync(src)) continue;
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8');
      const deps = new Set();
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1];
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
          if (existsSync(target)) deps.add(target);
        } else if (ws.has(spec)) {
          const index = ws.get(spec).index;
          if (existsSync(index)) deps.add(index);
        }
      }
      graph.set(file, deps);
    }
  }
  return graph;
}

/** The import cycles of a graph, each as a list of files relative to the root (empty: none). */
export function cycles(graph) {
  const found = [];
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) found.push([...stack.slice(stack.indexOf(d)), d].map((x) => relative(ROOT, x)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const found = cycles(importGraph());
  for (const c of found) console.log(`import cycle: ${c.join(' -> ')}`);
  if (found.length) process.exit(1);
  console.log('no import cycles');
}
