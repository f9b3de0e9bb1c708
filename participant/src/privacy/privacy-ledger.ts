import Database from 'better-sqlite3';

/** One use of a local data set: which job read it, at which stage, how many rows. */
export interface DataUse {
  at: number;
  dataset: string;
  jobId: string;
  stage: string;
  round: number;
  rows: number;
}

/** One privacy charge: the RDP curve (over the ledger's orders) of one noisy release. */
export interface PrivacyCharge {
  at: number;
  dataset: string;
  jobId: string;
  round: number;
  attempt: number;
  unit: string;
  noiseMultiplier: number;
  sampleRate: number;
  rdp: number[];
}

const MIGRATIONS = [
  `CREATE TABLE data_use (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, job_id TEXT NOT NULL, stage TEXT NOT NULL, round INTEGER NOT NULL, rows INTEGER NOT NULL);
   CREATE TABLE privacy_charge (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, job_id TEXT NOT NULL, round INTEGER NOT NULL, attempt INTEGER NOT NULL,
     unit TEXT NOT NULL, noise_multiplier REAL NOT NULL, sample_rate REAL NOT NULL, rdp_json TEXT NOT NULL);
   CREATE INDEX privacy_charge_dataset ON privacy_charge(dataset);`,
];

/**
 * The participant's durable record of what its data was used for and what privacy it spent
 * (SQLite, one file per node). A charge is written before the data is read, so a crash can
 * only over-count.
 */
export class PrivacyLedger {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length) throw new Error(`${path}: ledger version ${current} is newer than this software (${MIGRATIONS.length}); upgrade tessera`);
    this.db.transaction(() => {
      for (let v = current; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]);
      this.db.prepare('DELETE FROM schema_version').run();
      this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length);
    })();
  }

  recordUse(u: DataUse): void {
    this.db.prepare('INSERT INTO data_use (at, dataset, job_id, stage, round, rows) VALUES (?, ?, ?, ?, ?, ?)').run(u.at, u.dataset, u.jobId, u.stage, u.round, u.rows);
  }

  charge(c: PrivacyCharge): void {
    this.db.prepare('INSERT INTO privacy_charge (at, dataset, job_id, round, attempt, unit, noise_multiplier, sample_rate, rdp_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(c.at, c.dataset, c.jobId, c.round, c.attempt, c.unit, c.noiseMultiplier, c.sampleRate, JSON.stringify(c.rdp));
  }

  uses(dataset?: string): DataUse[] {
    const rows = (dataset
      ? this.db.prepare('SELECT * FROM data_use WHERE dataset = ? ORDER BY id').all(dataset)
      : this.db.prepare('SELECT * FROM data_use ORDER BY id').all()) as { at: number; dataset: string; job_id: string; stage: string; round: number; rows: number }[];
    return rows.map((r) => ({ at: r.at, dataset: r.dataset, jobId: r.job_id, stage: r.stage, round: r.round, rows: r.rows }));
  }

  charges(dataset?: string): PrivacyCharge[] {
    const rows = (dataset
      ? this.db.prepare('SELECT * FROM privacy_charge WHERE dataset = ? ORDER BY id').all(dataset)
      : this.db.prepare('SELECT * FROM privacy_charge ORDER BY id').all()) as {
      at: number; dataset: string; job_id: string; round: number; attempt: number; unit: string; noise_multiplier: number; sample_rate: number; rdp_json: string;
    }[];
    return rows.map((r) => ({
      at: r.at, dataset: r.dataset, jobId: r.job_id, round: r.round, attempt: r.attempt, unit: r.unit,
      noiseMultiplier: r.noise_multiplier, sampleRate: r.sample_rate, rdp: JSON.parse(r.rdp_json) as number[],
    }));
  }

  /** The composed RDP curve of every charge against a data set (sums over charges, order by order). */
  spentRdp(dataset: string, orders: number): number[] {
    const total = new Array<number>(orders).fill(0);
    for (const c of this.charges(dataset)) for (let i = 0; i < orders; i++) total[i] += c.rdp[i];
    return total;
  }

  close(): void {
    this.db.close();
  }
}
