/**
 * Logging in to the participant console: a one-time link signed with the node's console secret (tessera participant
 * console-link mints one; login-link.ts) starts a session for the merchant (the node's owner); there is no other way
 * in.
 */
import { ConsoleError } from '../http/console-error.js';
import { page } from '../http/page.js';
import { esc } from '../report/svg.js';
import type { LoginRefusal } from './login-link.js';
import type { ParticipantConsoleContext } from './participant-context.js';
import { registerSessionRoutes } from '../http/session-routes.js';

/** The command that mints a login link for this node. */
export const consoleLinkCommand = (configFile: string) => `tessera participant console-link --config ${configFile}`;

const REFUSED: Record<LoginRefusal, string> = {
  'not-ours': "this login link is not one of this node's (mistyped, or signed with another console-secret)",
  expired: 'this login link has expired (a link works within ten minutes of being made)',
  used: 'this login link was already used (a link works once)',
  'before-start': 'this login link was made before the node last started',
  busy: 'too many logins within ten minutes: wait a few minutes',
};

export function registerParticipantLoginRoutes({
  node,
  config,
  configFile,
  console: c,
  links,
}: ParticipantConsoleContext): void {
  const command = consoleLinkCommand(configFile);
  registerSessionRoutes(c, () => '/grants');

  c.app.get('/login', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      page({
        title: 'Log in',
        body: `<p>This is the local page of a Tessera participant node. To log in, make a link on this machine
with <code data-testid="console-link-command">${esc(command)}</code> and open it: it works once, within ten
minutes.</p>`,
      }),
    ),
  );

  c.app.get('/login/:token', async (request, reply) => {
    const r = links.redeem((request.params as { token: string }).token);
    if (!r.ok) throw new ConsoleError('LOGIN_REFUSED', `${REFUSED[r.why]}: make a new one with ${command}`);
    c.login(reply, { role: 'merchant', id: node.id, name: config.name });
    return reply.redirect('/grants', 303);
  });
}
