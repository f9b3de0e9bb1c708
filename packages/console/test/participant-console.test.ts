// The participant's local page, played against a real node: the one-time login links signed with the console secret
// (minted by the node or by tessera participant console-link), the pages a merchant reads
// (grants, budgets, audit log, receipts), Revoke through the page stopping a running job at its next task, and the
// refusals that keep another site (or a request without the CSRF token) from revoking anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, type RawTable } from '@tessera/data';
import { tessera } from '@tessera/proto';
import { Coordinator } from '@tessera/coordinator';
import { auditParticipant, grantStatuses, ParticipantNode, type ParticipantConfig } from '@tessera/participant';
import type { AnalystClient } from '@tessera/sdk';
import {
  CONSOLE_SECRET_FILE,
  CONSOLE_URL_FILE,
  mintParticipantConsoleLink,
  startParticipantConsole,
  type RunningParticipantConsole,
} from '@tessera/console';
import {
  BREAST_CANCER,
  connectAnalystTo,
  enrolIdentity,
  type Identity,
  shards,
} from '../../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../../coordinator/test/helpers.js';
import { runCli } from '../../cli/test/in-process.js';
import { call, sessionCookieOf, type Response } from './https-client.js';

const pb = tessera.v1;
const DATASET = 'patients';
const POLICY = [
  'datasets:',
  '  patients: { allowWithoutPrivacy: true }',
  'grants:',
  '  - id: shop-train',
  '    analysts: ["*"]',
  '    purposes: [train]',
  '    datasets: [patients]',
  '    expires: 2099-12-31',
  '  - id: shop-queries',
  '    analysts: ["*"]',
  '    purposes: [query]',
  '    expires: 2099-12-31',
  '',
].join('\n');
const FAKE_METRICS = { contentType: 'text/plain; version=0.0.4', metrics: async () => 'tessera_participant_up 1\n' };
const FORM = 'application/x-www-form-urlencoded';
const BUDGET = { epsilon: 8, delta: 1e-5, unit: 'record' as const };
const TOKEN = /^[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$/;
const TEN_MINUTES = 10 * 60_000;

describe('participant console', () => {
  const tmp = tempDir('tessera-participant-console-');
  let coord: Coordinator;
  let analyst: AnalystClient;
  const identities = new Map<string, Identity>();
  const nodes: ParticipantNode[] = [];
  const consoles: RunningParticipantConsole[] = [];
  const parts = shards(BREAST_CANCER, 3);
  let shop: ParticipantConfig;
  let shopNode: ParticipantNode;
  let web: RunningParticipantConsole;
  /** The shop's config file: console-secret and console-url are kept beside it. */
  const shopFile = join(tmp.dir, 'shop.yaml');

  const configOf = (name: string, shard: RawTable, policy?: string): ParticipantConfig => {
    const path = join(tmp.dir, `${name}.csv`);
    writeFileSync(path, toCsv(shard));
    let policyPath: string | undefined;
    if (policy) {
      policyPath = join(tmp.dir, `${name}-policy.yaml`);
      writeFileSync(policyPath, policy);
    }
    return {
      name,
      coordinator: coord.address,
      participantId: identities.get(name)!.id,
      identityKey: '(in memory)',
      datasets: {
        [DATASET]: { type: 'csv', path, exclude: [] },
        // A second data set that only differentially private jobs may read, within this budget.
        ...(policy ? { customers: { type: 'csv', path, exclude: [], budget: BUDGET } } : {}),
      },
      ledger: join(tmp.dir, `${name}-ledger.sqlite`),
      ...(policyPath ? { policy: policyPath } : {}),
    };
  };
  const start = async (config: ParticipantConfig) => {
    const node = new ParticipantNode({
      config,
      identity: identities.get(config.name)!.keys,
      security: identities.get(config.name)!.clientSecurity,
      minBackoffMs: 100,
      maxBackoffMs: 400,
    });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    nodes.push(node);
    return node;
  };
  const open = async (o: Partial<Parameters<typeof startParticipantConsole>[2]> = {}) => {
    const c = await startParticipantConsole(shopNode, shop, {
      listen: '127.0.0.1:0',
      configFile: shopFile,
      metrics: FAKE_METRICS,
      ...o,
    });
    consoles.push(c);
    return c;
  };
  /** Logs in with a new link of the console: the session cookie and the CSRF token read from the grants page. */
  const logIn = async (on: RunningParticipantConsole) => {
    const r = await call(on.newLoginLink().url);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/grants');
    const cookie = sessionCookieOf(r);
    const grants = await call(`${on.url}/grants`, { headers: { cookie } });
    expect(grants.status).toBe(200);
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(grants.body)?.[1] ?? '';
    expect(csrf).not.toBe('');
    return { cookie, csrf };
  };
  const revoke = (on: RunningParticipantConsole, grant: string, headers: Record<string, string>, body: string) =>
    call(`${on.url}/grants/${grant}/revoke`, {
      method: 'POST',
      headers: { 'content-type': FORM, accept: 'application/json', ...headers },
      body,
    });
  const codeOf = (r: Response) => (JSON.parse(r.body) as { error: { code: string } }).error.code;
  const statusOf = (grant: string) => grantStatuses(shop).find((g) => g.id === grant)?.status;
  const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
  const refusal = (r: Response) => {
    expect(r.status).toBe(403);
    expect(codeOf(r)).toBe('LOGIN_REFUSED');
    expect(r.headers['set-cookie']).toBeUndefined();
    return (JSON.parse(r.body) as { error: { message: string } }).error.message;
  };
  const loginAt = (on: RunningParticipantConsole, token: string) =>
    call(`${on.url}/login/${token}`, { headers: { accept: 'application/json' } });

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const name of ['a', 'b', 'shop']) identities.set(name, await enrolIdentity(coord, name));
    shop = configOf('shop', parts[2]!, POLICY);
    // console-link needs the file to exist; the node here is given its config in memory.
    writeFileSync(shopFile, 'name: shop\n');
    shopNode = await start(shop);
    web = await open();
  });
  afterAll(async () => {
    await Promise.all(consoles.map((c) => c.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('refuses to listen anywhere but loopback, naming the flag and the address', async () => {
    for (const listen of ['0.0.0.0:0', '192.168.1.20:7072', '[::]:0', 'example.com:7072']) {
      await expect(startParticipantConsole(shopNode, shop, { listen, configFile: shopFile })).rejects.toThrow(
        new RegExp(`^--console ${listen.replace(/[[\].]/g, '\\$&')}: .*127\\.0\\.0\\.1, ::1 or localhost`),
      );
    }
    await expect(
      startParticipantConsole(
        shopNode,
        { ...shop, ledger: ':memory:' },
        { listen: '127.0.0.1:0', configFile: shopFile },
      ),
    ).rejects.toThrow(/ledger: .*in memory: set ledger:/);
  });

  it('logs in once with the link (a cookie without Secure: plain HTTP); a used or made-up link never', async () => {
    const c = await open();
    expect(c.loginUrl.startsWith(`http://127.0.0.1:${c.port}/login/`)).toBe(true);
    expect(tokenOf(c.loginUrl)).toMatch(TOKEN);
    expect((await call(`${c.url}/grants`, { headers: { accept: 'application/json' } })).status).toBe(401);
    const first = await call(c.loginUrl);
    expect(first.status).toBe(303);
    const set = String(first.headers['set-cookie']);
    expect(set).toMatch(/^tessera-session-\d+=[A-Za-z0-9_-]{43};/);
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/']) expect(set).toContain(flag);
    expect(set).not.toContain('Secure');
    const page = await call(`${c.url}/grants`, { headers: { cookie: sessionCookieOf(first) } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('shop (merchant)');

    const again = await call(c.loginUrl, { headers: { accept: 'application/json' } });
    expect(again.status).toBe(403);
    expect(codeOf(again)).toBe('LOGIN_REFUSED');
    expect(again.headers['set-cookie']).toBeUndefined();
    const madeUp = await call(`${c.url}/login/${'A'.repeat(43)}`, { headers: { accept: 'application/json' } });
    expect(madeUp.status).toBe(403);
    // Links are independent: two new ones both work, once each.
    const [x, y] = [c.newLoginLink(), c.newLoginLink()];
    expect((await call(y.url)).status).toBe(303);
    expect((await call(x.url)).status).toBe(303);
    expect(refusal(await call(x.url, { headers: { accept: 'application/json' } }))).toMatch(/already used/);
  });

  it('keeps its secret in console-secret beside the config, owner-only, and its address in console-url', async () => {
    const c = await open();
    const secret = join(tmp.dir, CONSOLE_SECRET_FILE);
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(readFileSync(secret, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(readFileSync(join(tmp.dir, CONSOLE_URL_FILE), 'utf8')).toBe(`${c.url}\n`);
    // A second console of the same config keeps the same secret: links minted before still verify.
    const before = readFileSync(secret, 'utf8');
    await open();
    expect(readFileSync(secret, 'utf8')).toBe(before);
  });

  it('refuses to start with a console-secret that other users can read, naming the file and the fix', async () => {
    const dir = join(tmp.dir, 'loose');
    mkdirSync(dir);
    const secret = join(dir, CONSOLE_SECRET_FILE);
    writeFileSync(secret, `${'ab'.repeat(32)}\n`);
    chmodSync(secret, 0o644);
    await expect(
      startParticipantConsole(shopNode, shop, { listen: '127.0.0.1:0', configFile: join(dir, 'shop.yaml') }),
    ).rejects.toThrow(`${secret} is a secret file but other users can access it (mode 0644): run chmod 600 ${secret}`);
  });

  it('a minted link logs in once; used, forged, expired or foreign links never', async () => {
    let now = Date.now();
    const c = await open({ now: () => now });
    const minted = mintParticipantConsoleLink(shopFile, now);
    expect(minted.expiresAt).toBe(now + TEN_MINUTES);
    const token = tokenOf(minted.url);
    expect(token).toMatch(TOKEN);
    const first = await loginAt(c, token);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/grants');
    const page = await call(`${c.url}/grants`, { headers: { cookie: sessionCookieOf(first) } });
    expect(page.body).toContain('shop (merchant)');
    expect(refusal(await loginAt(c, token))).toMatch(
      /^this login link was already used .*: make a new one with tessera participant console-link --config /,
    );

    // The MAC: any change to it, the nonce or the expiry is refused.
    const [nonce, expires, mac] = token.split('.') as [string, string, string];
    const fresh = tokenOf(mintParticipantConsoleLink(shopFile, now).url).split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const forged of [
      `${fresh[0]}.${fresh[1]}.${flip(fresh[2])}`,
      `${flip(fresh[0])}.${fresh[1]}.${fresh[2]}`,
      `${fresh[0]}.${Number(fresh[1]) + 1}.${fresh[2]}`,
      `${nonce}.${expires}`,
      `${nonce}.${expires}.${mac}.x`,
    ])
      expect(refusal(await loginAt(c, forged)), forged).toMatch(/^this login link is not one of this node's/);
    // The genuine one still works: the forgeries used nothing up.
    expect((await loginAt(c, fresh.join('.'))).status).toBe(303);

    // Minted with another secret (another node's config directory).
    const other = join(tmp.dir, 'other');
    mkdirSync(other);
    const otherConsole = await startParticipantConsole(shopNode, shop, {
      listen: '127.0.0.1:0',
      configFile: join(other, 'shop.yaml'),
      now: () => now,
    });
    consoles.push(otherConsole);
    const foreign = tokenOf(mintParticipantConsoleLink(join(other, 'shop.yaml'), now).url);
    expect(refusal(await loginAt(c, foreign))).toMatch(/signed with another console-secret/);
    expect((await loginAt(otherConsole, foreign)).status).toBe(303);

    // Expired: ten minutes after minting, to the millisecond.
    const late = tokenOf(mintParticipantConsoleLink(shopFile, now).url);
    const inTime = tokenOf(mintParticipantConsoleLink(shopFile, now).url);
    now += TEN_MINUTES;
    expect((await loginAt(c, inTime)).status).toBe(303);
    now += 1;
    expect(refusal(await loginAt(c, late))).toMatch(/^this login link has expired/);
  });

  it('a link minted before the console started is refused (the previous process may have used it)', async () => {
    let now = Date.now();
    const early = tokenOf(mintParticipantConsoleLink(shopFile, now).url);
    now += 1000;
    const c = await open({ now: () => now });
    expect(refusal(await loginAt(c, early))).toMatch(/made before the node last started/);
  });

  it('tessera participant console-link mints a link that logs in, as text or JSON', async () => {
    const c = await open();
    const json = await runCli(['participant', 'console-link', '--config', shopFile, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const link = JSON.parse(json.stdout) as { url: string; expiresAt: string };
    expect(link.url.startsWith(`${c.url}/login/`)).toBe(true);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(TEN_MINUTES - 60_000);
    expect((await call(link.url)).status).toBe(303);

    const text = await runCli(['participant', 'console-link', '--config', shopFile]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${c.url.replace(/\./g, '\\.')}/login/\\S+\n$`));
    expect(text.stderr).toMatch(/^open it in your browser before .*, once/);
    expect((await call(text.stdout.trim())).status).toBe(303);
  });

  it('tessera participant console-link names the missing file and what to do', async () => {
    const dir = join(tmp.dir, 'never-started');
    mkdirSync(dir);
    const config = join(dir, 'participant.yaml');
    writeFileSync(config, 'name: x\n');
    const r = await runCli(['participant', 'console-link', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${join(dir, CONSOLE_SECRET_FILE)} does not exist: start the node with --console first ` +
        `(tessera participant start --config ${config} --console); it creates the file\n`,
    );
    const missing = await runCli(['participant', 'console-link', '--config', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.yaml: no participant config there');
  });

  it('the login page says how to get a link', async () => {
    const r = await call(`${web.url}/login`);
    expect(r.body).toContain(`tessera participant console-link --config ${shopFile}`);
  });

  it('shows the grants with Revoke buttons, the budgets, the audit log verified and the receipts', async () => {
    const { cookie } = await logIn(web);
    const grants = (await call(`${web.url}/grants`, { headers: { cookie } })).body;
    expect(grants).toContain('data-testid="grant-shop-train-status">active</span>');
    expect(grants).toContain('data-testid="grant-shop-queries-status">active</span>');
    expect(grants).toMatch(
      /<form method="post" action="\/grants\/shop-train\/revoke"[^>]*>.*data-testid="revoke-shop-train"/,
    );
    expect(grants).not.toMatch(/<script>|style=| on[a-z]+=/);

    const budgets = (await call(`${web.url}/budgets`, { headers: { cookie } })).body;
    expect(budgets).toContain('epsilon 8, delta 0.00001, per record');
    expect(budgets).toContain('data-testid="budget-customers-remaining">8</span>');
    expect(budgets).toContain('data-testid="budget-customers-spent">0</span>');
    expect(budgets).toContain('data-testid="budget-patients-remaining">unlimited</span>');

    const audit = (await call(`${web.url}/audit`, { headers: { cookie } })).body;
    expect(audit).toContain('data-testid="audit-status">verified</span>');
    const chain = auditParticipant(shop).chain;
    expect(chain.ok).toBe(true);
    expect(audit).toContain(`data-testid="audit-head">${chain.ok ? chain.head : ''}</code>`);

    const receipts = (await call(`${web.url}/receipts`, { headers: { cookie } })).body;
    expect(receipts).toContain('no payout receipts yet');

    const health = await call(`${web.url}/healthz`);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', participant: shop.participantId });
    const metrics = await call(`${web.url}/metrics`);
    expect(metrics.body).toBe('tessera_participant_up 1\n');
    expect(String(metrics.headers['content-type'])).toContain('text/plain');
  });

  it('shows the grants the node loaded and enforces, not the policy file as edited since', async () => {
    const { cookie } = await logIn(web);
    const file = shop.policy!;
    writeFileSync(
      file,
      `${POLICY}  - id: added-later\n    analysts: ["*"]\n    purposes: [score]\n    expires: 2099-12-31\n`,
    );
    try {
      expect(grantStatuses(shop).map((g) => g.id)).toContain('added-later');
      const grants = (await call(`${web.url}/grants`, { headers: { cookie } })).body;
      expect(grants).toContain('data-testid="grant-shop-train-status"');
      expect(grants).not.toContain('added-later');
      expect(grants).toContain(`Consent policy ${file}, as loaded at start.`);
    } finally {
      writeFileSync(file, POLICY);
    }
  });

  it('answers no request addressed to another host name (DNS rebinding)', async () => {
    const r = await call(`${web.url}/healthz`, { headers: { host: `evil.example:${web.port}` } });
    expect(r.status).toBe(403);
    expect(r.body).toContain('answers only at 127.0.0.1');
  });

  it('a revocation without the CSRF token, or from another site, is refused and revokes nothing', async () => {
    const { cookie, csrf } = await logIn(web);
    const attempts: [Record<string, string>, string, string][] = [
      [{ cookie }, 'reason=x', 'CSRF'],
      [{ cookie }, `_csrf=${'A'.repeat(43)}`, 'CSRF'],
      [{ cookie, origin: 'http://evil.example' }, `_csrf=${csrf}`, 'CROSS_ORIGIN'],
      [{ cookie, 'sec-fetch-site': 'cross-site' }, `_csrf=${csrf}`, 'CROSS_ORIGIN'],
      [{}, `_csrf=${csrf}`, 'NOT_LOGGED_IN'],
    ];
    for (const [headers, body, code] of attempts) {
      const r = await revoke(web, 'shop-train', headers, body);
      expect(codeOf(r), JSON.stringify(headers)).toBe(code);
      expect(r.status).toBe(code === 'NOT_LOGGED_IN' ? 401 : 403);
    }
    expect(statusOf('shop-train')).toBe('active');
    expect(shopNode.ledger.revocations().size).toBe(0);
    const unknown = await revoke(web, 'no-such-grant', { cookie }, `_csrf=${csrf}`);
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).error.message).toContain('its grant ids: shop-train, shop-queries');
  });

  it('Revoke on the page stops a running job at its next task; the audit log records it, verified', async () => {
    const { cookie, csrf } = await logIn(web);
    await start(configOf('a', parts[0]!));
    await start(configOf('b', parts[1]!));
    let revoked: Promise<Response> | undefined;
    const onDone = (ref: tessera.v1.ITaskRef) => {
      const fit = ref.stage === pb.Stage.FIT || (ref.stage === pb.Stage.UNMASK && ref.computation === pb.Stage.FIT);
      if (!fit || Number(ref.round) !== 2) return;
      shopNode.off('done', onDone);
      // As the browser submits the page's form: the token and a reason, from the page's own origin.
      revoked = call(`${web.url}/grants/shop-train/revoke`, {
        method: 'POST',
        headers: { cookie, 'content-type': FORM, origin: web.url, 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ _csrf: csrf, reason: 'contract ended' }).toString(),
      });
    };
    shopNode.on('done', onDone);
    const done = await analyst.watch(
      (
        await analyst.submit({
          dataset: DATASET,
          label: 'benign',
          rounds: 5,
          minParticipants: 2,
          seed: 'console-revoke',
          roundTimeoutSeconds: 20,
          waitForParticipantsSeconds: 10,
          local: { learningRate: 1 },
        })
      ).id,
    );
    expect(done.status).toBe('completed');
    const answer = await revoked!;
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/grants?revoked=shop-train');
    const revocation = shopNode.ledger.revocations().get('shop-train');
    expect(revocation?.reason).toBe('contract ended');

    const refused = done.refusals.filter((r) => r.participantId === shop.participantId);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused)
      expect(r.reason).toMatch(/^consent: grant "shop-train" was revoked at .* \(contract ended\)$/);
    const audit = auditParticipant(shop);
    expect(audit.chain.ok).toBe(true);
    const uses = audit.log.filter((e) => e.kind === 'use');
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.every((e) => e.at <= revocation!.at)).toBe(true);
    expect(audit.log.some((e) => e.kind === 'revocation' && e.grantId === 'shop-train')).toBe(true);

    const grants = (await call(`${web.url}${answer.headers.location}`, { headers: { cookie } })).body;
    expect(grants).toContain('data-testid="grant-shop-train-status">revoked</span>');
    expect(grants).toContain('data-testid="revoked-notice"');
    expect(grants).toContain('contract ended');
    expect(grants).not.toContain('data-testid="revoke-shop-train"');
    expect(grants).toContain('data-testid="revoke-shop-queries"');
    const page = (await call(`${web.url}/audit`, { headers: { cookie } })).body;
    expect(page).toContain('data-testid="audit-status">verified</span>');
    expect(page).toContain(`data-testid="audit-entries">${audit.log.length}</span>`);
    expect(page).toContain('revocation');
    // Revoking again changes nothing: the first revocation stands.
    const twice = await revoke(web, 'shop-train', { cookie }, `_csrf=${csrf}&reason=again`);
    expect(JSON.parse(twice.body)).toMatchObject({
      grantId: 'shop-train',
      alreadyRevoked: true,
      reason: 'contract ended',
    });
  });
});
