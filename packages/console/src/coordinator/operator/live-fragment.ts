/**
 * A live part of a page over server-sent events: the HTML fragment is sent when the browser connects and again
 * shortly after each change (changes close together are sent once), with a keepalive comment in between so proxies
 * keep the stream open. static/console.js puts each fragment into the element whose data-live names the stream.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { esc } from '../../report/svg.js';

/** Changes within this time of the first are sent as one fragment. */
export const LIVE_DEBOUNCE_MS = 200;
/** A comment line this often keeps an idle stream open through proxies. */
export const LIVE_KEEPALIVE_MS = 15_000;

export interface LiveFragment {
  /** The fragment as it is now (already-escaped HTML). */
  render(): Promise<string>;
  /** Calls `changed` whenever the fragment may have changed; returns what stops that. */
  watch(changed: () => void): () => void;
}

/** Takes over the reply: an event stream of the fragment, ended when the client goes (or the console closes). */
export function streamFragment(
  request: FastifyRequest,
  reply: FastifyReply,
  fragment: LiveFragment,
  times: { debounceMs?: number; keepaliveMs?: number } = {},
): void {
  void reply.hijack();
  const res = reply.raw;
  // The security headers the console set on this reply (CSP and others) go out with the stream's own.
  const headers = Object.fromEntries(
    Object.entries(reply.getHeaders()).filter((e): e is [string, string | number | string[]] => e[1] !== undefined),
  );
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  // The browser reconnects after 2 s if the stream breaks.
  res.write('retry: 2000\n\n');
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // One render at a time, in order: a slower earlier render never overwrites a newer fragment.
  let sending = Promise.resolve();
  const send = () => {
    sending = sending.then(async () => {
      if (closed) return;
      let html: string;
      try {
        html = await fragment.render();
      } catch (e) {
        html = `<p class="error">could not read the current state: ${esc((e as Error).message)}</p>`;
      }
      if (!closed) res.write(`data: ${JSON.stringify({ html })}\n\n`);
    });
  };
  const changed = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      send();
    }, times.debounceMs ?? LIVE_DEBOUNCE_MS);
  };
  const unwatch = fragment.watch(changed);
  const keepalive = setInterval(() => {
    if (!closed) res.write(': keepalive\n\n');
  }, times.keepaliveMs ?? LIVE_KEEPALIVE_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    clearInterval(keepalive);
    unwatch();
  };
  request.raw.on('close', close);
  res.on('close', close);
  res.on('error', close);
  send();
}
