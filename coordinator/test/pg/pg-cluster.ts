/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temporary directory, a free loopback port, started and
 * stopped by the test's setup. Debian's `postgresql` package provides the binaries (.ci/run installs it); PostgreSQL
 * refuses to run as root, so as root the binaries run as the `postgres` system user the package creates.
 * Other packages' tests may import it by relative path.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresCluster {
  /** The cluster's directory (data and socket), removed by stop(). */
  readonly dir: string;
  /** The superuser's URL of the cluster's `postgres` database (trust authentication, loopback only). */
  readonly url: string;
  /** A URL for a fresh, empty database (t_<random>) in the cluster: one per test keeps tests apart. */
  createDatabase(): Promise<string>;
  /**
   * A URL whose connections work in a fresh, empty schema (s_<random>, their search_path) of one test database:
   * as good as a fresh database for code that names no schema, and several times quicker to make.
   */
  createSchema(): Promise<string>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const INSTALL = 'install it with apt-get install postgresql (.ci/run does when it is missing)';

/**
 * The directory of initdb, pg_ctl and postgres: pg_config's, else the newest /usr/lib/postgresql/N/bin. Throws,
 * saying to install Debian's postgresql package, when there is none (tests may pass other places to look).
 */
export function postgresBinDir(where = { pgConfig: 'pg_config', root: '/usr/lib/postgresql' }): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync(where.pgConfig, ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim());
  } catch {
    // No pg_config (libpq-dev): fall back to Debian's layout.
  }
  const { root } = where;
  if (existsSync(root))
    candidates.push(
      ...readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, 'bin')),
    );
  const dir = candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (dir === undefined)
    throw new Error(`PostgreSQL is not installed (no initdb in pg_config --bindir nor ${root}/*/bin): ${INSTALL}`);
  return dir;
}

/** A loopback port free a moment ago (listen on port 0, close): the server retries another if it was taken. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error())));
    });
  });
}

/** Runs a PostgreSQL binary, as the postgres user when we are root (PostgreSQL refuses to run as root). */
function runAs(root: boolean, bin: string, args: string[], cwd: string) {
  return root ? run('runuser', ['-u', 'postgres', '--', bin, ...args], { cwd }) : run(bin, args, { cwd });
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(`running as root, but there is no postgres system user to run PostgreSQL as: ${INSTALL}`);
  }
}

export interface PostgresOptions {
  /**
   * Other roles than `postgres` must give their password (scram-sha-256) over TCP, for tests of a wrong password;
   * the superuser's URL keeps trust authentication.
   */
  passwords?: boolean;
}

/**
 * Starts a cluster (a few seconds at most): trust authentication for the `postgres` superuser, listening on
 * 127.0.0.1 only, durability switched off (a test's data need not survive a crash). Stop it in afterAll; a test
 * process that exits without stopping it stops it on exit.
 */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const ctl = join(bin, 'pg_ctl');
  let running = false;
  const stopNow = () => {
    if (!running) return;
    running = false;
    const args = ['-D', dir, '-m', 'immediate', '-w', 'stop'];
    try {
      execFileSync(root ? 'runuser' : ctl, root ? ['-u', 'postgres', '--', ctl, ...args] : args, { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', stopNow);
  try {
    if (root) {
      const { uid, gid } = postgresUser();
      chownSync(dir, uid, gid);
    }
    await runAs(
      root,
      join(bin, 'initdb'),
      ['-D', dir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'],
      dir,
    );
    if (opts.passwords) {
      const hba = [
        'local all all trust',
        'host all postgres 127.0.0.1/32 trust',
        'host all all 127.0.0.1/32 scram-sha-256',
      ];
      writeFileSync(join(dir, 'pg_hba.conf'), `${hba.join('\n')}\n`);
    }
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options =
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off ` +
        '-c full_page_writes=off';
      try {
        await runAs(root, ctl, ['-D', dir, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start'], dir);
        running = true;
        break;
      } catch (e) {
        // Another process may have taken the port in between: try another, a few times.
        if (attempt >= 3) throw e;
      }
    }
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const execute = async (on: string, sql: string) => {
      const client = new pg.Client({ connectionString: on });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    const createDatabase = async () => {
      const name = `t_${randomBytes(8).toString('hex')}`;
      await execute(url, `CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    };
    let schemas: Promise<string> | undefined;
    return {
      dir,
      url,
      createDatabase,
      async createSchema() {
        schemas ??= createDatabase();
        const database = await schemas;
        const name = `s_${randomBytes(8).toString('hex')}`;
        await execute(database, `CREATE SCHEMA ${name}`);
        return `${database}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
      },
      async stop() {
        process.removeListener('exit', stopNow);
        if (!running) return;
        running = false;
        const args = ['-D', dir, '-m', 'fast', '-w', 'stop'];
        try {
          await runAs(root, ctl, args, dir);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    process.removeListener('exit', stopNow);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
