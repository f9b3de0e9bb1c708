// `tessera console open`: a one-time link that logs a browser in to the coordinator's web console.
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_COORDINATOR_DIR, KEYS_OPTION, keysFileOf } from '../context.js';
import { TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

/** Where `coordinator start --console` notes the console's URL in its data directory. */
export const CONSOLE_URL_FILE = 'console-url';

type OpenFlags = {
  console?: string;
  operator?: boolean;
  keys?: string;
  dataDir: string;
  tlsFingerprint?: string;
  json?: boolean;
};

export function registerConsole(program: Command): void {
  const cmd = program.command('console').description("the coordinator's web console");
  cmd
    .command('open')
    .description('print a one-time link that logs your browser in to the web console (as an analyst or the operator)')
    .option(
      '--console <url>',
      "the console's address, https://host:port (default TESSERA_CONSOLE, else the console-url file that " +
        'coordinator start --console writes in --data-dir)',
    )
    .option('--operator', 'log in as the operator: needs the coordinator data directory (--data-dir), not --keys')
    .option(...KEYS_OPTION)
    .option(
      '--data-dir <dir>',
      'the coordinator data directory (the operator; or to find the console)',
      DEFAULT_COORDINATOR_DIR,
    )
    .option(...TLS_FINGERPRINT_OPTION)
    .option('--json', 'print {url, expiresAt, role, analyst} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera console open --keys analyst-keys.json
  $ tessera console open --console https://10.0.0.1:7071 --keys analyst-keys.json --json
  $ tessera console open --operator --data-dir /var/lib/tessera

An analyst proves their identity by signing the console's challenge with the key file's identity key
(the same identity that signs their jobs); the console must know them (tessera analyst join). The
operator's link comes from the coordinator's data directory: whoever can run operator commands there
can log in as the operator. A link works once, within two minutes; the session it opens ends after
15 minutes idle or 8 hours. The TLS certificate is pinned as for every analyst command.`,
    )
    .action(async (o: OpenFlags) => {
      const dataDir = resolve(o.dataDir);
      const consoleUrl = consoleUrlOf(o.console, dataDir);
      if (o.operator) {
        const { issueOperatorConsoleLink, CONSOLE_LINK_PATH } = await import('@tessera/coordinator');
        const link = await issueOperatorConsoleLink(dataDir);
        return report(o, {
          url: `${consoleUrl}${CONSOLE_LINK_PATH}${link.token}`,
          expiresAt: new Date(link.expiresAt).toISOString(),
          role: 'operator',
        });
      }
      const { credentialsPathFor, loadAnalystCredentials, loadAnalystIdentity } = await import('@tessera/sdk');
      const keysFile = keysFileOf(o);
      const identity = loadAnalystIdentity(keysFile);
      const credentials = loadAnalystCredentials(credentialsPathFor(keysFile));
      const { analystSecurity } = await import('../transport-flags.js');
      const security = await analystSecurity(new URL(consoleUrl).host, dataDir, {
        ...(o.tlsFingerprint ? { tlsFingerprint: o.tlsFingerprint } : {}),
        anchorPem: credentials?.tls?.anchorPem,
      });
      if (security.mode !== 'tls') throw new UsageError('the console speaks HTTPS only');
      const { openAnalystConsoleLink } = await import('@tessera/console');
      const link = await openAnalystConsoleLink({ consoleUrl, identity, anchorPem: security.anchorPem });
      return report(o, { url: link.url, expiresAt: link.expiresAt, role: 'analyst', analyst: link.analyst });
    });
}

function consoleUrlOf(flag: string | undefined, dataDir: string): string {
  const file = join(dataDir, CONSOLE_URL_FILE);
  const given = flag ?? process.env.TESSERA_CONSOLE ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : '');
  if (!given)
    throw new UsageError(
      `which console? pass --console https://HOST:PORT (or set TESSERA_CONSOLE); ${file} does not exist ` +
        '(coordinator start --console writes it)',
    );
  const withScheme = /^[a-z]+:\/\//.test(given) ? given : `https://${given}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--console ${given}: not a URL; give https://host:port`);
  }
  if (url.protocol !== 'https:')
    throw new UsageError(`--console ${given}: the console speaks HTTPS; give https://host:port`);
  return url.origin;
}

function report(o: OpenFlags, link: { url: string; expiresAt: string; role: string; analyst?: string }): void {
  if (o.json) {
    printJson(link);
    return;
  }
  process.stdout.write(`${link.url}\n`);
  const who = link.analyst ? `analyst ${link.analyst}` : 'the operator';
  process.stderr.write(`open it in your browser within two minutes, once: it logs in as ${who}\n`);
}
