import { existsSync } from 'node:fs';

/** Debian's Chromium, which the report tests drive headless through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The browser's path, or a failure that says how to get it: a report test must not pass without
 * having rendered anything. CI (.ci/run) installs it.
 */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} does not exist: the report tests render their pages in headless Chromium. ` +
        'Install it with `sudo apt-get install chromium` (Debian/Ubuntu; .ci/run does this) and run the tests again.',
    );
  }
  return CHROMIUM;
}
