import type { Command } from 'commander';
import { analystConnection, connectionOptions, KEYS_OPTION } from '../context.js';
import { INSECURE_OPTION, TLS_FINGERPRINT_OPTION } from '../transport-flags.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

export function registerOverlap(program: Command): void {
  program
    .command('overlap')
    .description(
      'count the customers two participants share (audience overlap) by private set intersection, ' +
        'sealed end to end between them: the first counts and releases the count with noise',
    )
    .requiredOption('--as <participant>', 'the first participant (id): it counts and adds the noise')
    .requiredOption(
      '--with <participant>',
      "the other participant (id): it blinds only if its owner lists --as in the config's overlap.countingPeers",
    )
    .option('--epsilon <e>', 'differential privacy of the released count (discrete Laplace, scale 1/e)', '1')
    .option('--dataset <name>', 'the data set both serve', 'customers')
    .option('--column <name>', 'the identifier column both data sets carry', 'customer_id')
    .option('--coordinator <host:port>', 'coordinator address')
    .option(...KEYS_OPTION)
    .option('--data-dir <dir>', 'data directory of a local coordinator (to find its address and certificate)')
    .option(...TLS_FINGERPRINT_OPTION)
    .option(...INSECURE_OPTION)
    .option('--json', 'print {jobId, overlap, participants}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera overlap --as p-1a2b --with p-3c4d
  $ tessera overlap --as p-1a2b --with p-3c4d --dataset orders --column email_sha256 --json

Each side hashes its identifiers onto ristretto255 and blinds them with a secret key, over a
channel sealed between the two identities (the coordinator relays ciphertext only). The first
participant compares the sets and releases the count plus discrete Laplace noise of scale 1/e;
each charges e to its privacy ledger and refuses sets under its minimum (default 100).
${'\n'}${connectionOptions}`,
    )
    .action(
      async (o: {
        as: string;
        with: string;
        dataset: string;
        column: string;
        epsilon: string;
        coordinator?: string;
        keys?: string;
        dataDir?: string;
        tlsFingerprint?: string;
        insecure?: boolean;
        json?: boolean;
      }) => {
        const epsilon = Number(o.epsilon);
        if (!(epsilon > 0) || !Number.isFinite(epsilon))
          throw new UsageError(`--epsilon must be a positive number (e.g. 1), got "${o.epsilon}"`);
        const { AnalystClient, runOverlap } = await import('@tessera/sdk');
        const { address, identity, security } = await analystConnection(o);
        const client = new AnalystClient(address, identity, security);
        try {
          const { job, overlap } = await runOverlap(client, {
            dataset: o.dataset,
            column: o.column,
            participants: [o.as, o.with],
            privacy: { epsilon },
          });
          if (o.json) return printJson({ jobId: job.id, overlap, participants: [o.as, o.with] });
          process.stdout.write(
            `${o.as} and ${o.with} share ${overlap} ${o.column} value(s) in "${o.dataset}" (job ${job.id})\n`,
          );
        } finally {
          client.close();
        }
      },
    );
}
