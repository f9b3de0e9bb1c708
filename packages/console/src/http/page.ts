/** The console's page shell: navigation, the session's CSRF token, the stylesheet and script from /static. */
import { esc } from '../report/svg.js';
import type { ConsoleError } from './console-error.js';
import type { Session } from './sessions.js';

export interface PageOptions {
  title: string;
  /** Links in the header: [href, label]. */
  nav?: readonly (readonly [string, string])[];
  session?: Session | undefined;
  /** Already-escaped HTML. */
  body: string;
}

export function page(o: PageOptions): string {
  const nav = (o.nav ?? []).map(([href, label]) => `<a href="${esc(href)}">${esc(label)}</a>`).join('');
  const who = o.session
    ? `<span class="who">${esc(o.session.principal.name)} (${esc(o.session.principal.role)})</span>` +
      postForm('/logout', 'Log out', o.session)
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.session ? `<meta name="csrf-token" content="${esc(o.session.csrf)}">` : ''}
<title>${esc(o.title)} · Tessera</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body>
<header class="top"><strong>Tessera</strong><nav>${nav}</nav>${who}</header>
<main>
<h1>${esc(o.title)}</h1>
${o.body}
</main>
</body>
</html>
`;
}

/** A button that POSTs to `action` with the session's CSRF token (and any hidden fields). */
export function postForm(
  action: string,
  label: string,
  session: Session,
  fields: Record<string, string> = {},
  cls = '',
): string {
  const hidden = Object.entries({ ...fields, _csrf: session.csrf })
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${esc(action)}" class="inline">${hidden}<button type="submit"${
    cls ? ` class="${esc(cls)}"` : ''
  }>${esc(label)}</button></form>`;
}

/** A figure card: a big value (escaped here), an already-escaped label, a test id. */
export const card = (value: number | string, labelHtml: string, testid: string): string =>
  `<div class="card"><div class="n" data-testid="${esc(testid)}">${esc(String(value))}</div>${labelHtml}</div>`;

/** A table: header cells and rows of already-escaped cells. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], empty = 'none'): string {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A time as the pages show it: ISO to the second, UTC. */
export const when = (ms: number | undefined): string =>
  ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '–';

export function errorPage(e: ConsoleError): string {
  return page({
    title: e.status === 404 ? 'Not found' : e.status === 403 ? 'Refused' : e.status === 401 ? 'Log in' : 'Error',
    body: `<p class="error" data-code="${esc(e.code)}">${esc(e.message)}</p><p><a href="/">Back to the console</a></p>`,
  });
}
