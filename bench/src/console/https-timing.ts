// The console benchmark's client: timed HTTPS GETs over one kept-alive connection (as a Prometheus scraper or a
// browser reuses its connection), and a browserless server-sent events reader that says when each `data:` frame came.
import { Agent, request } from 'node:https';

export interface TimedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** From sending the request to the last byte of the body. */
  ms: number;
  bytes: number;
}

/** An HTTPS client for one console: trusts the coordinator's CA, keeps one connection open, sends `cookie`. */
export class ConsoleClient {
  private readonly agent: Agent;

  constructor(
    readonly origin: string,
    ca: string,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, ca, checkServerIdentity: () => undefined });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<TimedResponse> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(`${this.origin}${path}`, { agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: body.toString('utf8'),
            ms: performance.now() - t0,
            bytes: body.length,
          });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The session cookie ("name=value") a one-time login link gives; throws when the link is refused. */
  async login(token: string): Promise<string> {
    const r = await this.get(`/login/${token}`);
    const set = r.headers['set-cookie'];
    const cookie = ((Array.isArray(set) ? set[0] : set) ?? '').split(';')[0] ?? '';
    if (r.status !== 303 || !cookie)
      throw new Error(`login link refused by ${this.origin}: HTTP ${r.status}; issue a new link and log in again`);
    return cookie;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface SseFrame {
  /** performance.now() when the frame's last byte arrived. */
  at: number;
  event: string;
  data: string;
}

/** An open event stream: each frame with its arrival time, and a wait for the next frame that matches. */
export interface SseReader {
  readonly frames: SseFrame[];
  /** The first frame from index `from` on whose data passes `test`; rejects after `timeoutMs`. */
  waitFor(from: number, test: (data: string) => boolean, timeoutMs?: number): Promise<SseFrame>;
  close(): void;
}

export function openSse(url: string, cookie: string, ca: string): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const frames: SseFrame[] = [];
    const waiters = new Set<() => void>();
    let buffer = '';
    const req = request(
      url,
      { headers: { cookie, accept: 'text/event-stream' }, ca, checkServerIdentity: () => undefined },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`event stream ${url}: HTTP ${res.statusCode}; check the session and the job id`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const lines = buffer.slice(0, cut).split('\n');
            buffer = buffer.slice(cut + 2);
            const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
            if (!data.length) continue;
            const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
            frames.push({ at, event, data: data.join('\n') });
          }
          for (const w of [...waiters]) w();
        });
        resolve({
          frames,
          waitFor(from, test, timeoutMs = 10_000) {
            return new Promise((ok, fail) => {
              const look = () => {
                const f = frames.slice(from).find((x) => test(x.data));
                if (!f) return;
                waiters.delete(look);
                clearTimeout(timer);
                ok(f);
              };
              const timer = setTimeout(() => {
                waiters.delete(look);
                fail(new Error(`no matching frame on ${url} within ${timeoutMs} ms (${frames.length} frames so far)`));
              }, timeoutMs);
              waiters.add(look);
              look();
            });
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
