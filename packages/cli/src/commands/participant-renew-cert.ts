import type { Command } from 'commander';
import { DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { printJson } from '../ui/output.js';

/** `tessera participant renew-cert`: a new TLS client certificate for an enrolled node, on its identity key. */
export function registerParticipantRenewCert(cmd: Command): void {
  cmd
    .command('renew-cert')
    .description(
      "get a new TLS client certificate from the coordinator's CA, signed for with the node's identity key " +
        '(a node enrolled before participants had certificates, or one whose certificate is due)',
    )
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--json', 'print {participantId, key, certificate} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant renew-cert
  $ tessera participant renew-cert --config ./node-b/participant.yaml

The coordinator accepts a node's stream only with a client certificate its CA issued for that
participant and its identity key; tessera participant init gets one at enrolment. This creates a
new TLS key (tls.key, mode 0600) beside the config, or at the config's tlsKey, and writes the
certificate (tls.pem, or tlsCertificate). The participant must still be active at the coordinator.
Restart the node afterwards. A certificate lasts a year.`,
    )
    .action(async (o: { config: string; json?: boolean }) => {
      const { channelSecurityOf, loadParticipantConfig, renewClientCertificate } = await import('@tessera/participant');
      const { loadSigningKeyPair } = await import('@tessera/crypto');
      const config = loadParticipantConfig(o.config);
      const paths = await renewClientCertificate({
        config,
        configFile: o.config,
        identity: loadSigningKeyPair(config.identityKey),
        security: channelSecurityOf(config, o.config),
      });
      if (o.json) return printJson({ participantId: config.participantId, ...paths });
      process.stdout.write(
        `new client certificate for participant ${config.participantId} in ${paths.certificate} ` +
          `(key ${paths.key}, mode 0600); restart the node\n`,
      );
    });
}
