/** The headers every console response carries: no inline script, no framing, no sniffing, no referrer, no caching. */

/** Pages and fragments: scripts, styles and images from the console itself only, never inline script. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A stored HTML report (its styles are inline, it runs no script at all): the same policy as its own meta tag. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/** Without HSTS, which the console adds per request (not for loopback names). */
export function securityHeaders(_https: boolean): Record<string, string> {
  return {
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on the console's own form posts,
    // which the same-origin check must then refuse; other sites still learn nothing of the console's URLs.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}
