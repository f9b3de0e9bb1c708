/** Reading the Cookie header and writing Set-Cookie, for the one session cookie the console uses. */

/** The cookies a request carries, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export interface CookieOptions {
  /** Sent only over HTTPS (required for the __Host- prefix). */
  secure: boolean;
  /** Seconds until the browser forgets it; 0 deletes it. */
  maxAgeSeconds: number;
}

/** A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/, and Secure when the console speaks HTTPS. */
export function sessionCookie(name: string, value: string, o: CookieOptions): string {
  return [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${o.maxAgeSeconds}`,
    ...(o.secure ? ['Secure'] : []),
  ].join('; ');
}
