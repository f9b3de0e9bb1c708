// Module resolution hooks (node:module register) that make some packages unavailable, as after
// `npm install --omit=dev`: resolving one of them, or any file inside one, throws ERR_MODULE_NOT_FOUND.
// Used by no-dev-deps.test.ts; data: { packages: string[] (names), dirs: string[] (file URLs of directories) }.
let packages = new Set();
let dirs = [];

export function initialize(data) {
  packages = new Set(data.packages);
  dirs = data.dirs;
}

/** "@scope/name/sub" -> "@scope/name", "name/sub" -> "name"; null for relative, absolute, URL and node: specifiers. */
function packageOf(specifier) {
  if (/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function notFound(what, parentURL) {
  const e = new Error(
    `Cannot find package '${what}' imported from ${parentURL ?? 'the command line'} ` +
      '(made unavailable by packages/cli/test/no-dev-deps: a devDependency)',
  );
  e.code = 'ERR_MODULE_NOT_FOUND';
  return e;
}

export async function resolve(specifier, context, next) {
  const name = packageOf(specifier);
  if (name !== null && packages.has(name)) throw notFound(name, context.parentURL);
  const resolved = await next(specifier, context);
  // The same packages reached by a path (a workspace symlink, a relative import into node_modules).
  const inside =
    [...packages].find((p) => resolved.url.includes(`/node_modules/${p}/`)) ??
    dirs.find((d) => resolved.url.startsWith(d));
  if (inside !== undefined) throw notFound(inside, context.parentURL);
  return resolved;
}
