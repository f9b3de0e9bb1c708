import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_COORDINATOR_DIR } from '../context.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

// The operator's enrolment life cycle: `coordinator tokens ...` and `coordinator participants ...`. They work on the
// data directory, whether or not a coordinator runs on it; a running one cuts a revoked or disabled participant off
// within a second (it reads the store at every hello, at every stage and every second).

const dataDirOption = ['--data-dir <dir>', 'coordinator state directory', DEFAULT_COORDINATOR_DIR] as const;

/** A time for a table: ISO without milliseconds, '-' for never. */
const when = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

export function registerEnrolmentCommands(coordinator: Command): void {
  registerTokens(coordinator.command('tokens').description('list and revoke enrolment tokens'));
  registerParticipants(
    coordinator.command('participants').description('list, disable, enable and revoke enrolled participants'),
  );
}

function registerTokens(cmd: Command): void {
  cmd
    .command('list')
    .description('list the enrolment tokens issued: id, participant name, status, issue and expiry times')
    .option(...dataDirOption)
    .option('--json', 'print [{id, name, status, createdAt, expiresAt, usedAt, participantId, revokedAt}]')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator tokens list
  $ tessera coordinator tokens list --json

A token's status is pending (it can enrol), used, expired or revoked. Only a hash of each token
is stored, so the tokens themselves cannot be shown again: issue a new one if one is lost.`,
    )
    .action(async (o: { dataDir: string; json?: boolean }) => {
      const { listEnrollmentTokens } = await import('@tessera/coordinator');
      const tokens = await listEnrollmentTokens(resolve(o.dataDir));
      if (o.json) return printJson(tokens);
      process.stdout.write(
        tokens.length
          ? `${renderTable(
              ['id', 'name', 'status', 'issued', 'expires', 'used by'],
              tokens.map((t) => [t.id, t.name, t.status, when(t.createdAt), when(t.expiresAt), t.participantId ?? '']),
            )}\n`
          : 'no enrolment tokens issued yet (tessera coordinator enroll NAME issues one)\n',
      );
    });

  cmd
    .command('revoke')
    .description('revoke an enrolment token that was not used yet: enrolment with it is refused from now on')
    .argument('<id>', 'the token id (tok-..., from tessera coordinator tokens list or enroll --json)')
    .option(...dataDirOption)
    .option('--json', 'print {id, name, status, createdAt, expiresAt, usedAt, participantId, revokedAt}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator tokens revoke tok-3f9a1c0d2b7e4a65

A token that already enrolled a participant cannot be revoked: revoke the participant instead
(tessera coordinator participants revoke ID).`,
    )
    .action(async (id: string, o: { dataDir: string; json?: boolean }) => {
      const { revokeEnrollmentToken } = await import('@tessera/coordinator');
      const t = await revokeEnrollmentToken(resolve(o.dataDir), id);
      if (o.json) return printJson(t);
      process.stdout.write(`token ${t.id} (for ${t.name}) revoked at ${when(t.revokedAt)}\n`);
    });
}

function registerParticipants(cmd: Command): void {
  cmd
    .command('list')
    .description('list the enrolled participants: id, name, status, when enrolled and when last seen')
    .option(...dataDirOption)
    .option('--json', 'print [{id, name, status, enrolledAt, lastSeenAt, statusChangedAt, publicKey}]')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera coordinator participants list
  $ tessera coordinator participants list --json

Status: active, disabled (refused until enabled again) or revoked (refused for good). Last seen
is when the running coordinator last heard from the participant (updated every 15 s).`,
    )
    .action(async (o: { dataDir: string; json?: boolean }) => {
      const { listEnrolledParticipants } = await import('@tessera/coordinator');
      const participants = await listEnrolledParticipants(resolve(o.dataDir));
      if (o.json) return printJson(participants);
      process.stdout.write(
        participants.length
          ? `${renderTable(
              ['id', 'name', 'status', 'enrolled', 'last seen'],
              participants.map((p) => [p.id, p.name, p.status, when(p.enrolledAt), when(p.lastSeenAt)]),
            )}\n`
          : 'no participants enrolled yet (tessera coordinator enroll NAME issues a token)\n',
      );
    });

  const change = (verb: 'disable' | 'enable' | 'revoke', status: 'disabled' | 'active' | 'revoked', help: string) =>
    cmd
      .command(verb)
      .description(help)
      .argument('<id>', 'the participant id (p-..., from tessera coordinator participants list)')
      .option(...dataDirOption)
      .option('--json', 'print {id, name, status, previousStatus, enrolledAt, lastSeenAt, statusChangedAt, publicKey}')
      .action(async (id: string, o: { dataDir: string; json?: boolean }) => {
        const { setParticipantStatus } = await import('@tessera/coordinator');
        const p = await setParticipantStatus(resolve(o.dataDir), id, status);
        if (o.json) return printJson(p);
        process.stdout.write(
          p.previousStatus === status
            ? `participant ${p.id} (${p.name}) was already ${status}; nothing changed\n`
            : `participant ${p.id} (${p.name}) is now ${status}` +
                (status === 'active'
                  ? ': it is welcomed at its next connection\n'
                  : '; a running coordinator cuts it off within a second, and running jobs go on without it\n'),
        );
      });

  change(
    'disable',
    'disabled',
    'cut a participant off until it is enabled again (e.g. while its operator investigates)',
  ).addHelpText(
    'after',
    `
Examples:
  $ tessera coordinator participants disable p-5e0c7a9b1d2f3e4a

The participant keeps its identity and enrolment; enable it again with
tessera coordinator participants enable ID.`,
  );
  change('enable', 'active', 'let a disabled participant connect again').addHelpText(
    'after',
    `
Examples:
  $ tessera coordinator participants enable p-5e0c7a9b1d2f3e4a

A revoked participant cannot be enabled: enrol it again with a new token.`,
  );
  change(
    'revoke',
    'revoked',
    'cut a participant off for good (a lost or compromised key, a merchant that left)',
  ).addHelpText(
    'after',
    `
Examples:
  $ tessera coordinator participants revoke p-5e0c7a9b1d2f3e4a

Revocation is final. Jobs running at the time complete with the other participants. To take
part again, the merchant enrols anew with a new token (tessera coordinator enroll NAME).`,
  );
}
