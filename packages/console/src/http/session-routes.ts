/** The routes every console has around its sessions: / (to the home page of whoever is logged in) and POST /logout. */
import type { ConsoleApp } from './console-app.js';
import type { Principal } from './sessions.js';

export function registerSessionRoutes(c: ConsoleApp, homeOf: (role: Principal['role']) => string): void {
  c.app.get('/', async (request, reply) => {
    let role: Principal['role'];
    try {
      role = c.require(request).principal.role;
    } catch {
      return reply.redirect('/login', 303);
    }
    return reply.redirect(homeOf(role), 303);
  });
  c.app.post('/logout', async (request, reply) => {
    c.require(request);
    c.logout(request, reply);
    return reply.redirect('/login', 303);
  });
}
