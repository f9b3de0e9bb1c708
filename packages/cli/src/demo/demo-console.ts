// `tessera demo --console`: the demo's coordinator serves the web console, with one login link for the operator and
// one for the demo's analyst, so the job can be watched live in a browser.
import type { LocalFederation } from '@tessera/sdk';

export interface DemoConsoleOptions {
  /** host:port (port 0: a free one). */
  listen: string;
  /** Waits once the job has ended, before the federation stops (so the pages can still be browsed). */
  hold?: () => Promise<void>;
}

export interface DemoConsole {
  url: string;
  close(): Promise<void>;
}

/** Starts the console on the demo's coordinator and says where, with a login link for each role. */
export async function openDemoConsole(
  fed: LocalFederation,
  listen: string,
  say: (line: string) => void,
): Promise<DemoConsole> {
  const coordinator = fed.coordinator;
  if (!coordinator) throw new Error('--console needs the demo to run its own coordinator');
  const [{ startCoordinatorConsole }, { issueConsoleLink, CONSOLE_LINK_PATH }] = await Promise.all([
    import('@tessera/console'),
    import('@tessera/coordinator'),
  ]);
  const web = await startCoordinatorConsole(coordinator, { listen });
  const link = async (login: { role: 'operator' } | { role: 'analyst'; analystId: string }) =>
    `${web.url}${CONSOLE_LINK_PATH}${(await issueConsoleLink(coordinator.store, login)).token}`;
  say(`web console at ${web.url} (links work once, within two minutes):`);
  say(`  analyst:  ${await link({ role: 'analyst', analystId: 'local-analyst' })}`);
  say(`  operator: ${await link({ role: 'operator' })}`);
  return web;
}
