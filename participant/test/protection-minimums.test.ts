import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Coordinator } from '@tessera/coordinator';
import {
  generateSigningKeyPair,
  rosterCertificateText,
  signRosterEntry,
  toHex,
  type SigningKeyPair,
} from '@tessera/crypto';
import { toCsv, type RawTable } from '@tessera/data';
import { tessera } from '@tessera/proto';
import type { AnalystClient } from '@tessera/sdk';
import {
  BREAST_CANCER,
  connectAnalystTo,
  enrolIdentity,
  shards,
  type Identity,
} from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import {
  auditParticipant,
  ConfigError,
  ParticipantNode,
  parseParticipantConfig,
  type ParticipantConfig,
  type PrivacyLedger,
} from '../src/index.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';

const pb = tessera.v1;
const DATASET = 'patients';
const SEALED_ONLY = 'patients-sealed';
const FEATURES = readFileSync(BREAST_CANCER, 'utf8')
  .split('\n')[0]!
  .trim()
  .split(',')
  .filter((c) => c !== 'benign');
const MODEL_LENGTH = FEATURES.length + 1;

/** A roster certificate file for `id` and `key`, signed by `authority`. */
const certificateFile = (path: string, authority: SigningKeyPair, id: string, key: Uint8Array): string => {
  const signature = signRosterEntry(authority.secretKey, id, key);
  writeFileSync(
    path,
    rosterCertificateText({ participantId: id, identityKey: key, authority: authority.publicKey, signature }),
  );
  return path;
};

/**
 * The node's own protection minimums (datasets.NAME.secure, minimums, rosterAuthority), driven by a coordinator
 * that forges tasks: each downgrade is refused before a row is read, typed as the owner's terms, and logged.
 */
describe("a participant enforces its own protection minimums against a coordinator's tasks", () => {
  const tmp = tempDir('tessera-minimums-');
  const me = generateSigningKeyPair();
  const authority = generateSigningKeyPair();
  const rogue = new RogueCoordinator(me.publicKey);
  const peers = ['p2', 'p3', 'p4', 'p5'].map((id) => ({ id, keys: generateSigningKeyPair() }));
  let node: ParticipantNode;
  let ledger: PrivacyLedger;
  const path = join(tmp.dir, 'patients.csv');

  let attempt = 0;
  /** A secure FIT task (ADVERTISE_KEYS) as an honest coordinator sends it to five signed nodes, with `change`. */
  const fitTask = (
    change: { secure?: Partial<tessera.v1.ISecureSetup> | null; dataset?: string } = {},
  ): tessera.v1.ITask => {
    attempt += 1;
    const ids = ['me', ...peers.map((p) => p.id)];
    const keys = [me.publicKey, ...peers.map((p) => p.keys.publicKey)];
    const secure: tessera.v1.ISecureSetup = {
      roundId: new Uint8Array(32).fill(attempt),
      index: 0,
      participantIds: ids,
      identityKeys: keys,
      rosterSignatures: ids.map((id, i) => signRosterEntry(authority.secretKey, id, keys[i]!)),
      threshold: 3,
      degree: 4,
      modulus: 2 ** 32,
      computation: pb.Stage.FIT,
      bits: 16,
      clip: 10,
      weightCap: 0,
      noiseVariance: 0,
      ...change.secure,
    };
    return {
      ref: {
        jobId: 'job-1',
        round: 1,
        stage: change.secure === null ? pb.Stage.FIT : pb.Stage.ADVERTISE_KEYS,
        attempt,
      },
      dataset: change.dataset ?? DATASET,
      label: 'benign',
      training: { validationFraction: 0, seed: 'job-1', epochs: 1, batchSize: 32, learningRate: 0.1, l2: 1e-4 },
      modelLength: MODEL_LENGTH,
      features: FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
      mean: FEATURES.map(() => 0),
      std: FEATURES.map(() => 1),
      ...(change.secure === null ? {} : { secure }),
    };
  };
  const offer = async (task: tessera.v1.ITask) => {
    const answer = rogue.answerTo(task.ref!);
    rogue.send({ task });
    rogue.send({
      model: { task: task.ref, chunk: { offset: 0, total: MODEL_LENGTH, values: new Array(MODEL_LENGTH).fill(0) } },
    });
    return answer;
  };
  const refusals = () => ledger.auditLog().filter((e) => e.kind === 'refusal');
  const uses = () => ledger.auditLog().filter((e) => e.kind === 'use');

  beforeAll(async () => {
    copyFileSync(BREAST_CANCER, path);
    await rogue.start();
    const config: ParticipantConfig = {
      name: 'me',
      coordinator: rogue.address,
      insecure: true, // the rogue coordinator listens in plaintext on loopback: what it forges is the point
      participantId: 'me',
      identityKey: '(in memory)',
      ledger: join(tmp.dir, 'ledger.sqlite'),
      // No `secure` on patients: the default, masked or sealed only.
      datasets: {
        [DATASET]: { type: 'csv', path, exclude: [] },
        [SEALED_ONLY]: { type: 'csv', path, exclude: [], secure: 'sealed' },
      },
      minimums: { cohort: 4, threshold: 3 },
      rosterAuthority: toHex(authority.publicKey),
      rosterCertificate: certificateFile(join(tmp.dir, 'roster.json'), authority, 'me', me.publicKey),
    };
    node = new ParticipantNode({ config, identity: me });
    ledger = node.ledger;
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
  });
  afterAll(async () => {
    await node.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  it('sends its roster certificate in its hello, and joins a round that meets every minimum', async () => {
    expect(rogue.hellos).toHaveLength(1);
    expect(toHex(rogue.hellos[0]!.rosterSignature!)).toBe(
      toHex(signRosterEntry(authority.secretKey, 'me', me.publicKey)),
    );
    const a = await offer(fitTask());
    expect(a.refused).toBeUndefined();
    expect(a.body).toBe('advertise');
    expect(uses()).toHaveLength(1);
  });

  const stranger = generateSigningKeyPair();
  const impostor = generateSigningKeyPair();
  const cases: [string, () => tessera.v1.ITask, RegExp][] = [
    [
      'a task without secure (its update would reach the coordinator in plaintext)',
      () => fitTask({ secure: null }),
      /requires secure aggregation \(datasets\.patients\.secure: masked\), and this fit task has none/,
    ],
    [
      'a masked round on a data set that requires sealed',
      () => fitTask({ dataset: SEALED_ONLY }),
      /requires sealed mode \(datasets\.patients-sealed\.secure: sealed\), and this fit round is masked/,
    ],
    [
      'a cohort below its minimum (n = 3 < 4)',
      () => {
        const t = fitTask();
        const s = t.secure!;
        return {
          ...t,
          secure: {
            ...s,
            participantIds: s.participantIds!.slice(0, 3),
            identityKeys: s.identityKeys!.slice(0, 3),
            rosterSignatures: s.rosterSignatures!.slice(0, 3),
            degree: 2,
            threshold: 3,
          },
        };
      },
      /has 3 participants, fewer than this node's minimum cohort 4/,
    ],
    [
      'a threshold below its minimum (t = 2 < 3)',
      () => fitTask({ secure: { threshold: 2, degree: 2 } }),
      /threshold 2 is below this node's minimum threshold 3/,
    ],
    [
      'a threshold a split of share holders could meet twice (t = 3 of k = 5, 2t - 1 = k)',
      () => {
        const t = fitTask();
        const s = t.secure!;
        const key = generateSigningKeyPair().publicKey;
        return {
          ...t,
          secure: {
            ...s,
            participantIds: [...s.participantIds!, 'p6'],
            identityKeys: [...s.identityKeys!, key],
            rosterSignatures: [...s.rosterSignatures!, signRosterEntry(authority.secretKey, 'p6', key)],
            degree: 5,
          },
        };
      },
      /threshold 3 with 5 neighbours per participant is outside \(3, 6\]/,
    ],
    [
      'a cohort with a peer the roster authority did not sign',
      () => {
        const t = fitTask();
        const s = t.secure!;
        const keys = [...s.identityKeys!];
        keys[2] = stranger.publicKey; // p3's place, filled by a node the coordinator made
        const signatures = [...s.rosterSignatures!];
        signatures[2] = new Uint8Array(0);
        return { ...t, secure: { ...s, identityKeys: keys, rosterSignatures: signatures } };
      },
      /1 of the round's 5 participants \(p3\) have no valid certificate from this node's roster authority/,
    ],
    [
      'a peer whose certificate another authority signed',
      () => {
        const t = fitTask();
        const s = t.secure!;
        const signatures = [...s.rosterSignatures!];
        signatures[4] = signRosterEntry(impostor.secretKey, 'p5', s.identityKeys![4]!);
        return { ...t, secure: { ...s, rosterSignatures: signatures } };
      },
      /1 of the round's 5 participants \(p5\) have no valid certificate/,
    ],
    [
      "a signed peer's certificate moved to another key",
      () => {
        const t = fitTask();
        const s = t.secure!;
        const keys = [...s.identityKeys!];
        keys[1] = stranger.publicKey; // p2's id and certificate, the coordinator's own key
        return { ...t, secure: { ...s, identityKeys: keys } };
      },
      /\(p2\) have no valid certificate/,
    ],
    [
      'one certified peer in two places of the cohort',
      () => {
        const t = fitTask();
        const s = t.secure!;
        const ids = [...s.participantIds!];
        const keys = [...s.identityKeys!];
        const signatures = [...s.rosterSignatures!];
        ids[4] = ids[3]!;
        keys[4] = keys[3]!;
        signatures[4] = signatures[3]!;
        return { ...t, secure: { ...s, participantIds: ids, identityKeys: keys, rosterSignatures: signatures } };
      },
      /names participant p4 \(or its identity key\) more than once/,
    ],
    [
      "another participant in this node's own place",
      () => fitTask({ secure: { index: 1 } }),
      /puts participant "p2" at this node's index 1, not this node \(me\)/,
    ],
  ];
  for (const [what, task, reason] of cases) {
    it(`refuses ${what}, before reading any data, and logs why`, async () => {
      const before = { uses: uses().length, refusals: refusals().length };
      const a = await offer(task());
      expect(a.refused).toMatch(/^protection check: /);
      expect(a.refused).toMatch(reason);
      expect(a.refused).toMatch(/refused before reading any data$/);
      // Typed on the wire as the owner's terms, so the coordinator lists it in job.refusals.
      expect(a.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
      expect(uses()).toHaveLength(before.uses);
      const logged = refusals();
      expect(logged).toHaveLength(before.refusals + 1);
      expect(logged.at(-1)!.reason).toMatch(reason);
      expect(logged.at(-1)!.stage).toBe('fit');
    });
  }
});

/** With a real coordinator: a cohort the roster authority signed runs, and each refusal reaches job.refusals. */
describe('protection minimums with a real coordinator', () => {
  const tmp = tempDir('tessera-minimums-e2e-');
  const authority = generateSigningKeyPair();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const parts = shards(BREAST_CANCER, 3);
  const identities = new Map<string, Identity>();

  const configOf = (name: string, shard: RawTable, extra: Partial<ParticipantConfig> = {}): ParticipantConfig => {
    const path = join(tmp.dir, `${name}.csv`);
    writeFileSync(path, toCsv(shard));
    const who = identities.get(name)!;
    return {
      name,
      coordinator: coord.address,
      participantId: who.id,
      identityKey: '(in memory)',
      datasets: { [DATASET]: { type: 'csv', path, exclude: [] } },
      ledger: join(tmp.dir, `${name}-ledger.sqlite`),
      rosterAuthority: toHex(authority.publicKey),
      rosterCertificate: certificateFile(join(tmp.dir, `${name}-roster.json`), authority, who.id, who.keys.publicKey),
      ...extra,
    };
  };
  const start = async (config: ParticipantConfig) => {
    const who = identities.get(config.name)!;
    const node = new ParticipantNode({
      config,
      identity: who.keys,
      security: who.clientSecurity,
      minBackoffMs: 100,
      maxBackoffMs: 400,
    });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    nodes.push(node);
    return node;
  };
  const job = (seed: string, more: object = {}) => ({
    dataset: DATASET,
    label: 'benign',
    rounds: 1,
    minParticipants: 2,
    seed,
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 10,
    ...more,
  });

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const name of ['a', 'b', 'c', 'd']) identities.set(name, await enrolIdentity(coord, name));
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it(
    'a masked job over nodes the roster authority signed completes; a node whose minimum cohort the job misses ' +
      'refuses, in job.refusals and its audit log',
    async () => {
      const strict = configOf('c', parts[2]!, { minimums: { cohort: 4, threshold: 2 } });
      await start(configOf('a', parts[0]!));
      await start(configOf('b', parts[1]!));
      await start(strict);
      const done = await analyst.watch((await analyst.submit(job('signed'))).id);
      expect(done.status).toBe('completed');
      const cid = identities.get('c')!.id;
      expect(done.refusals.length).toBeGreaterThan(0);
      expect(done.refusals.every((r) => r.participantId === cid)).toBe(true);
      for (const r of done.refusals) expect(r.reason).toMatch(/has 3 participants, fewer than this node's minimum/);
      const fits = done.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
      expect(fits.map((h) => h.contributors)).toEqual([2]);
      const audit = auditParticipant(strict);
      expect(audit.chain.ok).toBe(true);
      const logged = audit.log.filter((e) => e.kind === 'refusal');
      expect(logged).toHaveLength(done.refusals.length);
      expect(logged.every((e) => /fewer than this node's minimum cohort 4/.test(e.reason))).toBe(true);
      expect(audit.log.filter((e) => e.kind === 'use' && e.stage !== 'schema')).toHaveLength(0);
    },
  );

  it('a node without a roster certificate is refused by the signed nodes; a plaintext job by every node', async () => {
    const unsigned = configOf('d', parts[2]!);
    delete unsigned.rosterCertificate;
    await start(configOf('a', parts[0]!));
    await start(configOf('b', parts[1]!));
    await start(unsigned);
    const did = identities.get('d')!.id;
    const masked = await analyst.watch((await analyst.submit(job('unsigned'))).id);
    const refused = masked.refusals.filter((r) => r.stage === 'statistics' || r.stage === 'fit');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason).toMatch(new RegExp(`\\(${did}\\) have no valid certificate`));

    const plain = await analyst.watch((await analyst.submit(job('plain', { secure: { mode: 'none' } }))).id);
    expect(plain.status).toBe('failed');
    const reasons = plain.refusals.map((r) => r.reason);
    expect(reasons.length).toBeGreaterThanOrEqual(3);
    for (const r of reasons) expect(r).toMatch(/requires secure aggregation .* and this statistics task has none/);
  });
});

describe('protection minimums in the node config', () => {
  const valid = {
    name: 'shop',
    coordinator: '127.0.0.1:7070',
    participantId: 'p-1',
    identityKey: 'identity.key',
    datasets: { customers: { type: 'csv', path: 'c.csv' } },
  };
  const parse = (patch: object) => parseParticipantConfig({ ...valid, ...patch }, 'node.yaml', '/x');

  it('reads secure per data set, minimums at the top and per data set, and the roster fields', () => {
    const key = toHex(generateSigningKeyPair().publicKey);
    const c = parse({
      datasets: {
        customers: { type: 'csv', path: 'c.csv', secure: 'none' },
        orders: { type: 'csv', path: 'o.csv', secure: 'sealed', minimums: { cohort: 10 } },
      },
      minimums: { cohort: 5, threshold: 3 },
      rosterAuthority: key.toUpperCase(),
      rosterCertificate: 'roster.json',
    });
    expect(c.datasets.customers!.secure).toBe('none');
    expect(c.datasets.orders).toMatchObject({ secure: 'sealed', minimums: { cohort: 10 } });
    expect(c.minimums).toEqual({ cohort: 5, threshold: 3 });
    expect(c.rosterAuthority).toBe(key);
    expect(c.rosterCertificate).toBe('/x/roster.json');
    // Defaults: no field at all (masked, cohort 2, threshold 2 are applied by the node).
    const d = parse({});
    expect(d.datasets.customers!.secure).toBeUndefined();
    expect(d.minimums).toBeUndefined();
    expect(parse({ minimums: { cohort: 4 } }).minimums).toEqual({ cohort: 4, threshold: 2 });
  });

  it('names the file and field of each mistake', () => {
    const bad = (patch: object, message: RegExp) => {
      expect(() => parse(patch)).toThrow(ConfigError);
      expect(() => parse(patch)).toThrow(message);
    };
    bad(
      { datasets: { customers: { type: 'csv', path: 'c.csv', secure: 'plaintext' } } },
      /^node\.yaml: datasets\.customers\.secure: must be one of sealed, masked, none .* got "plaintext"/,
    );
    bad(
      { datasets: { customers: { type: 'csv', path: 'c.csv', secure: 'any' } } },
      /datasets\.customers\.secure: must be one of/,
    );
    bad({ minimums: { cohort: 1 } }, /^node\.yaml: minimums\.cohort: must be an integer from 2 to 65535 .* got 1/);
    bad({ minimums: { threshold: 2.5 } }, /^node\.yaml: minimums\.threshold: must be an integer from 2/);
    bad({ minimums: { cohort: '3' } }, /minimums\.cohort: must be an integer .* got "3"/);
    bad({ minimums: { cohort: 3, threshold: 4 } }, /^node\.yaml: minimums\.threshold: 4 is above minimums\.cohort 3/);
    bad({ minimums: { quorum: 3 } }, /^node\.yaml: minimums\.quorum: unknown field; known fields: cohort, threshold/);
    bad({ minimums: 3 }, /^node\.yaml: minimums: must be a mapping/);
    bad(
      { datasets: { customers: { type: 'csv', path: 'c.csv', minimums: { threshold: 1 } } } },
      /^node\.yaml: datasets\.customers\.minimums\.threshold: must be an integer from 2/,
    );
    bad({ rosterAuthority: 'abc' }, /^node\.yaml: rosterAuthority: must be the roster authority's public key, 64 hex/);
    bad({ rosterCertificate: '' }, /^node\.yaml: rosterCertificate: must be a file path/);
  });

  it('refuses to start with a roster certificate for another node, another key or another authority', () => {
    const tmp = tempDir('tessera-roster-cert-');
    try {
      const me = generateSigningKeyPair();
      const authority = generateSigningKeyPair();
      const config = (file: string, extra: Partial<ParticipantConfig> = {}): ParticipantConfig => ({
        name: 'me',
        coordinator: '127.0.0.1:1',
        participantId: 'me',
        identityKey: '(in memory)',
        datasets: { [DATASET]: { type: 'csv', path: BREAST_CANCER, exclude: [] } },
        rosterCertificate: file,
        ...extra,
      });
      const make = (file: string, id: string, key: Uint8Array, by = authority) =>
        certificateFile(join(tmp.dir, file), by, id, key);
      const open = (c: ParticipantConfig) => new ParticipantNode({ config: c, identity: me });
      expect(() => open(config(make('other-id.json', 'you', me.publicKey)))).toThrow(
        /other-id\.json: participantId: is you, but this node is me/,
      );
      expect(() => open(config(make('other-key.json', 'me', generateSigningKeyPair().publicKey)))).toThrow(
        /other-key\.json: identityKey: is [0-9a-f]{64}, not this node's identity key/,
      );
      const byOther = make('other-authority.json', 'me', me.publicKey, generateSigningKeyPair());
      expect(() => open(config(byOther, { rosterAuthority: toHex(authority.publicKey) }))).toThrow(
        /other-authority\.json: authority: is [0-9a-f]{64}, not this node's rosterAuthority/,
      );
      const forged = join(tmp.dir, 'forged.json');
      const good = JSON.parse(readFileSync(make('good.json', 'me', me.publicKey), 'utf8')) as { signature: string };
      const flipped = (Number.parseInt(good.signature.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0');
      writeFileSync(forged, JSON.stringify({ ...good, signature: flipped + good.signature.slice(2) }));
      expect(() => open(config(forged))).toThrow(/forged\.json: \(certificate\): signature: does not verify/);
      expect(() => open(config(join(tmp.dir, 'missing.json')))).toThrow(/missing\.json: \(file\): cannot be read/);
      const node = open(config(join(tmp.dir, 'good.json'), { rosterAuthority: toHex(authority.publicKey) }));
      node.ledger.close();
    } finally {
      tmp.cleanup();
    }
  });
});
