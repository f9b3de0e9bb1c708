import type { Command } from 'commander';
import { DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { printJson } from '../ui/output.js';

/** `tessera participant pin`: trust the coordinator's new TLS certificate after its operator replaced it. */
export function registerParticipantPin(cmd: Command): void {
  cmd
    .command('pin')
    .description("pin the coordinator's TLS certificate again, after its operator replaced it (a new fingerprint)")
    .requiredOption('--tls-fingerprint <sha256>', 'the new fingerprint, from the operator (tlsFingerprint)')
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--json', 'print {fingerprint, path} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant pin --tls-fingerprint 3f9a...c2 --config ./node-b/participant.yaml

The node refuses a coordinator whose certificate chain does not hold the fingerprint it pinned at
init, and its log names both fingerprints. If the operator replaced the certificate authority,
get the new fingerprint from them over a channel you trust, then run this: it fetches the chain,
checks it against that fingerprint and writes the certificate to the config's coordinatorCa file.
Restart the node afterwards.`,
    )
    .action(async (o: { tlsFingerprint: string; config: string; json?: boolean }) => {
      const { loadParticipantConfig, repinCoordinator } = await import('@tessera/sdk');
      const config = loadParticipantConfig(o.config);
      const r = await repinCoordinator(config, o.tlsFingerprint, o.config);
      if (o.json) return printJson(r);
      process.stdout.write(
        `pinned ${r.fingerprint} for the coordinator at ${config.coordinator} (${r.path}); restart the node\n`,
      );
    });
}
