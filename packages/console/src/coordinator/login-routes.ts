/**
 * Logging in to the coordinator console: an analyst's CLI fetches a challenge, signs it and gets a one-time link
 * (tessera console open); the operator's CLI writes its link into the store; opening a link starts a session.
 */
import type { TLSSocket } from 'node:tls';
import {
  analystRefusal,
  certifiesKey,
  issueConsoleLink,
  redeemConsoleLink,
  CONSOLE_LINK_PATH,
} from '@tessera/coordinator';
import { ConsoleError } from '../http/console-error.js';
import { page } from '../http/page.js';
import type { Principal } from '../http/sessions.js';
import { LoginChallenges } from '../login/login-challenges.js';
import { esc } from '../report/svg.js';
import type { CoordinatorConsoleContext } from './console-context.js';
import { registerSessionRoutes } from '../http/session-routes.js';

export function registerLoginRoutes({ coordinator, console: c }: CoordinatorConsoleContext): void {
  const challenges = new LoginChallenges();
  const store = coordinator.store;

  registerSessionRoutes(c, (role) => (role === 'operator' ? '/operator' : '/jobs'));

  c.app.get('/login', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      page({
        title: 'Log in',
        body: `<p>Log in with the identity you use everywhere else in Tessera. An analyst runs</p>
<pre>tessera console open --keys analyst-keys.json</pre>
<p>and the operator, on the coordinator's machine,</p>
<pre>tessera console open --operator --data-dir ${esc('<coordinator data directory>')}</pre>
<p>Each prints a link that logs this browser in once, within two minutes. An analyst whose browser holds
the client certificate the coordinator issued them can instead <a href="/login/certificate">log in with it</a>.</p>`,
      }),
    ),
  );

  c.app.get('/login/challenge', async (_request, reply) => reply.send(challenges.issue()));

  c.app.post('/login/challenge', async (request, reply) => {
    const b = (request.body ?? {}) as { challenge?: unknown; identity?: unknown; signature?: unknown };
    if (typeof b.challenge !== 'string' || typeof b.identity !== 'string' || typeof b.signature !== 'string')
      throw new ConsoleError('BAD_REQUEST', 'send JSON {challenge, identity, signature} (identity and signature hex)');
    const answered = challenges.answer(b.challenge, b.identity, b.signature);
    if ('problem' in answered) throw new ConsoleError('LOGIN_REFUSED', answered.problem);
    const analyst = await store.analystByKey(answered.identity);
    if (!analyst)
      throw new ConsoleError(
        'LOGIN_REFUSED',
        `identity ${b.identity} is not a registered analyst at this coordinator: join it first ` +
          '(tessera analyst join INVITATION --keys FILE)',
      );
    const refusal = analystRefusal(analyst);
    if (refusal) throw new ConsoleError('LOGIN_REFUSED', refusal);
    const link = await issueConsoleLink(store, { role: 'analyst', analystId: analyst.name });
    return reply.send({
      path: `${CONSOLE_LINK_PATH}${link.token}`,
      expiresAt: new Date(link.expiresAt).toISOString(),
      analyst: analyst.name,
    });
  });

  c.app.get('/login/certificate', async (request, reply) => {
    const socket = request.raw.socket as TLSSocket;
    const certificates = coordinator.certificates;
    if (!certificates || typeof socket.getPeerCertificate !== 'function' || !socket.authorized)
      throw new ConsoleError(
        'LOGIN_REFUSED',
        "this browser presented no client certificate that the coordinator's CA issued and is valid now: " +
          'log in with a link from tessera console open instead',
      );
    const peer = certificates.peerOf(
      { getAuthContext: () => ({ sslPeerCertificate: socket.getPeerCertificate() }) },
      'analyst',
    );
    if ('problem' in peer) throw new ConsoleError('LOGIN_REFUSED', `this browser's certificate: ${peer.problem}`);
    const analyst = await store.getAnalyst(peer.identity.id);
    if (!analyst?.publicKey || !certifiesKey(peer.identity, analyst.publicKey))
      throw new ConsoleError(
        'LOGIN_REFUSED',
        `the client certificate names analyst ${peer.identity.id}, who is not registered with that identity key`,
      );
    const refusal = analystRefusal(analyst);
    if (refusal) throw new ConsoleError('LOGIN_REFUSED', refusal);
    c.login(reply, { role: 'analyst', id: analyst.name, name: analyst.name });
    return reply.redirect('/jobs', 303);
  });

  c.app.get('/login/:token', async (request, reply) => {
    const login = await redeemConsoleLink(store, (request.params as { token: string }).token);
    if (!login)
      throw new ConsoleError(
        'LOGIN_REFUSED',
        'this login link is unknown, already used or expired (links work once, for two minutes): ' +
          'run tessera console open again',
      );
    let principal: Principal = { role: 'operator', id: 'operator', name: 'operator' };
    if (login.role === 'analyst') {
      const analyst = login.analystId ? await store.getAnalyst(login.analystId) : undefined;
      const refusal = analyst ? analystRefusal(analyst) : 'the analyst of this link is not registered';
      if (!analyst || refusal) throw new ConsoleError('LOGIN_REFUSED', refusal ?? '');
      principal = { role: 'analyst', id: analyst.name, name: analyst.name };
    }
    c.login(reply, principal);
    return reply.redirect(principal.role === 'operator' ? '/operator' : '/jobs', 303);
  });
}
