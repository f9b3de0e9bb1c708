/** A small HTTPS client for console tests: trusts the coordinator's own CA, keeps no cookies of its own. */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function call(
  url: string,
  o: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    ca?: string;
    /** A client certificate and its key (PEM). */
    client?: { certPem: string; keyPem: string };
  } = {},
): Promise<Response> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: o.method ?? 'GET',
        headers: o.headers ?? {},
        ...(o.ca ? { ca: o.ca, checkServerIdentity: () => undefined } : {}),
        ...(o.client ? { cert: o.client.certPem, key: o.client.keyPem } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** The value of the session cookie a response sets ("name=value"), for the next request's Cookie header. */
export function sessionCookieOf(r: Response): string {
  const set = r.headers['set-cookie'];
  const first = (Array.isArray(set) ? set : [set ?? ''])[0] ?? '';
  return first.split(';')[0] ?? '';
}

/** A server-sent event stream, read as text: wait for the next match, and for the end. */
export function openStream(
  url: string,
  cookie: string,
  ca?: string,
): Promise<{ next(pattern: RegExp, timeoutMs?: number): Promise<string>; closed: Promise<void> }> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        headers: { cookie, accept: 'text/event-stream' },
        ...(ca ? { ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false }),
      },
      (res) => {
        let text = '';
        let seen = 0;
        const waiters: (() => void)[] = [];
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
          for (const w of waiters.splice(0)) w();
        });
        const closed = new Promise<void>((done) => res.on('close', () => done()));
        resolve({
          closed,
          next(pattern, timeoutMs = 5000) {
            return new Promise((ok, fail) => {
              const timer = setTimeout(() => fail(new Error(`no ${pattern} in ${timeoutMs} ms: ${text}`)), timeoutMs);
              const look = () => {
                const m = pattern.exec(text.slice(seen));
                if (m) {
                  seen += m.index + m[0].length;
                  clearTimeout(timer);
                  ok(m[0]);
                } else waiters.push(look);
              };
              look();
            });
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
