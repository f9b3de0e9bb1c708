import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

/**
 * `tessera participant console-link`: a one-time login link to the node's local page, minted from the console-secret
 * and console-url files beside its config, without talking to the node.
 */
export function registerParticipantConsoleLink(cmd: Command): void {
  cmd
    .command('console-link')
    .description(
      "print a one-time link that logs your browser in to this node's local page (participant start --console); " +
        'the node keeps running',
    )
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--json', 'print {url, expiresAt} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant console-link
  $ tessera participant console-link --config /etc/tessera/participant.yaml
  $ tessera participant console-link --config ./node-b/participant.yaml --json

The node, started with --console, writes console-secret (owner-only) and console-url beside its
config; this command reads both, so it works for whoever may read the secret, on the same machine.
A link works once, within ten minutes; make as many as you need while the node runs. The session it
opens ends after 15 minutes idle or 8 hours.`,
    )
    .action(async (o: { config: string; json?: boolean }) => {
      if (!existsSync(o.config))
        throw new UsageError(
          `${o.config}: no participant config there; pass the one the node runs with: --config FILE`,
        );
      const { mintParticipantConsoleLink } = await import('@tessera/console');
      let link: { url: string; expiresAt: number };
      try {
        link = mintParticipantConsoleLink(o.config);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EACCES') throw new UsageError(`${(e as Error).message}: run this as the node's user`);
        throw e;
      }
      const expiresAt = new Date(link.expiresAt).toISOString();
      if (o.json) return printJson({ url: link.url, expiresAt });
      process.stdout.write(`${link.url}\n`);
      process.stderr.write(`open it in your browser before ${expiresAt}, once: it logs in as the node's owner\n`);
    });
}
