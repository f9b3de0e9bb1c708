/**
 * The client side of an analyst's console login (tessera console open): fetch a challenge from the console, sign it
 * with the analyst's identity key, and get back a one-time link. TLS trusts only the coordinator's pinned anchor.
 */
import { request } from 'node:https';
import type { AnalystIdentity } from '@tessera/client';
import { fingerprintOf, pinnedServerIdentity } from '@tessera/transport';

export interface ConsoleLink {
  /** Opens the console once, as the analyst, until expiresAt. */
  url: string;
  expiresAt: string;
  analyst: string;
}

export async function openAnalystConsoleLink(o: {
  /** The console's origin, e.g. https://127.0.0.1:7071 */
  consoleUrl: string;
  identity: AnalystIdentity;
  /** The coordinator's trust anchor (PEM), pinned. */
  anchorPem: string;
}): Promise<ConsoleLink> {
  const origin = new URL(o.consoleUrl).origin;
  if (!origin.startsWith('https://'))
    throw new Error(`--console ${o.consoleUrl}: the console speaks HTTPS; give https://host:port`);
  const challenge = (await jsonCall(origin, '/login/challenge', o.anchorPem)) as { challenge: string };
  const signature = Buffer.from(o.identity.signConsoleChallenge(challenge.challenge)).toString('hex');
  const answer = (await jsonCall(origin, '/login/challenge', o.anchorPem, {
    challenge: challenge.challenge,
    identity: o.identity.identityHex,
    signature,
  })) as { path: string; expiresAt: string; analyst: string };
  return { url: `${origin}${answer.path}`, expiresAt: answer.expiresAt, analyst: answer.analyst };
}

function jsonCall(origin: string, path: string, anchorPem: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, origin);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: payload ? 'POST' : 'GET',
        ca: anchorPem,
        checkServerIdentity: pinnedServerIdentity(url.host, fingerprintOf(anchorPem)),
        headers: payload ? { 'content-type': 'application/json' } : {},
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return reject(new Error(`${url.href} answered ${res.statusCode} with something other than JSON`));
          }
          const error = (parsed as { error?: { message?: string } }).error;
          if ((res.statusCode ?? 500) >= 400)
            return reject(new Error(`the console refused the login: ${error?.message ?? `HTTP ${res.statusCode}`}`));
          resolve(parsed);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url.origin} did not answer within 10 s`)));
    req.on('error', (e) => reject(new Error(`cannot reach the console at ${url.origin}: ${e.message}`)));
    if (payload) req.write(payload);
    req.end();
  });
}
