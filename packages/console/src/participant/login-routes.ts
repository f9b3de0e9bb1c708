/**
 * Logging in to the participant console: the one-time link the node printed at start starts a session for the
 * merchant (the node's owner); there is no other way in.
 */
import { ConsoleError } from '../http/console-error.js';
import { page } from '../http/page.js';
import type { ParticipantConsoleContext } from './participant-context.js';

export function registerParticipantLoginRoutes({ node, config, console: c, link }: ParticipantConsoleContext): void {
  c.app.get('/', async (request, reply) => {
    try {
      c.require(request, 'merchant');
    } catch {
      return reply.redirect('/login', 303);
    }
    return reply.redirect('/grants', 303);
  });

  c.app.get('/login', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      page({
        title: 'Log in',
        body: `<p>This is the local page of a Tessera participant node. Log in with the link the node printed
when it started (tessera participant start --console): it works once, within ten minutes.</p>
<p>To get a new link, restart the node.</p>`,
      }),
    ),
  );

  c.app.get('/login/:token', async (request, reply) => {
    if (!link.redeem((request.params as { token: string }).token))
      throw new ConsoleError(
        'LOGIN_REFUSED',
        'this login link is unknown, already used or expired (it works once, within ten minutes of the start): ' +
          'restart the node with --console for a new one',
      );
    c.login(reply, { role: 'merchant', id: node.id, name: config.name });
    return reply.redirect('/grants', 303);
  });

  c.app.post('/logout', async (request, reply) => {
    c.require(request);
    c.logout(request, reply);
    return reply.redirect('/login', 303);
  });
}
