/**
 * A live part of a page over server-sent events: the HTML fragment when the browser connects, again shortly after
 * each change (changes close together are sent once), a keepalive comment in between, and an `end` event once the
 * fragment says it is final (a finished job), after which the stream closes. static/console.js swaps each fragment
 * into the element whose data-live names the stream.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { esc } from '../report/svg.js';

/** Changes within this time of the first are sent as one fragment (so a fragment follows an event within it). */
export const LIVE_DEBOUNCE_MS = 250;
/** A comment line this often keeps an idle stream open through proxies. */
export const LIVE_KEEPALIVE_MS = 15_000;

export interface LiveFragment {
  /** The fragment as it is now (already-escaped HTML), and whether it is final (the stream then ends). */
  render(): Promise<{ html: string; finished?: boolean }>;
  /** Calls `changed` whenever the fragment may have changed; returns what stops that. */
  watch(changed: () => void): () => void;
  /**
   * Whether the viewer may still see it (their session not logged out, expired or revoked): asked before each
   * fragment and at each keepalive; the stream ends once it says no.
   */
  stillValid?: () => Promise<boolean>;
}

export interface LiveStreamTimes {
  debounceMs?: number;
  keepaliveMs?: number;
}

/** Takes over the reply: the event stream of the fragment, ended when it is final or the client goes. */
export function streamLive(
  request: FastifyRequest,
  reply: FastifyReply,
  fragment: LiveFragment,
  times: LiveStreamTimes = {},
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
  res.write('retry: 2000\n\n');
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // One render at a time, in order: a slower earlier render never overwrites a newer fragment.
  let sending = Promise.resolve();
  const send = () => {
    sending = sending.then(async () => {
      if (closed) return;
      if (fragment.stillValid && !(await fragment.stillValid())) return end();
      // A client that does not read holds no growing buffer: skip this fragment, the next one carries the news.
      if (res.writableNeedDrain) return;
      let out: { html: string; finished?: boolean };
      try {
        out = await fragment.render();
      } catch (e) {
        out = { html: `<p class="error">could not read the current state: ${esc((e as Error).message)}</p>` };
      }
      if (closed) return;
      res.write(`data: ${JSON.stringify({ html: out.html })}\n\n`);
      if (out.finished) end();
    });
  };
  /** Tells the page the stream is over (console.js stops reconnecting) and closes it. */
  const end = () => {
    if (closed) return;
    res.write('event: end\ndata: {}\n\n');
    close();
    res.end();
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
    if (closed) return;
    res.write(': keepalive\n\n');
    if (fragment.stillValid)
      void fragment.stillValid().then(
        (ok) => ok || end(),
        () => undefined,
      );
  }, times.keepaliveMs ?? LIVE_KEEPALIVE_MS);
  function close() {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    clearInterval(keepalive);
    unwatch();
  }
  request.raw.on('close', close);
  res.on('close', close);
  res.on('error', close);
  send();
}
