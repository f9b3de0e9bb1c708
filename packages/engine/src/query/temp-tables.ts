import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../identifiers.js';

/**
 * The temporary tables of one query evaluation (declared value lists, sampled-out row positions), filled through
 * appenders so that no value is written into SQL text, and dropped together at the end.
 */
export class TempTables {
  private readonly names: string[] = [];
  private readonly prefix = `tessera_query_${randomBytes(6).toString('hex')}`;

  constructor(private readonly conn: DuckDBConnection) {}

  /**
   * A table (v VARCHAR, i INTEGER) holding `values[i]` at index i: joined on v, it maps a trimmed cell to its
   * position in a declared domain or category list. Returns the quoted table name.
   */
  async valueIndex(values: readonly string[]): Promise<string> {
    const name = await this.create('v VARCHAR, i INTEGER');
    const appender = await this.conn.createAppender(name, 'main', 'temp');
    values.forEach((v, i) => {
      appender.appendVarchar(v);
      appender.appendInteger(i);
      appender.endRow();
    });
    appender.closeSync();
    return quoteIdentifier(name);
  }

  /** A table (v VARCHAR) of distinct texts (the over-cap customers). */
  async texts(values: Iterable<string>): Promise<string> {
    const name = await this.create('v VARCHAR');
    const appender = await this.conn.createAppender(name, 'main', 'temp');
    for (const v of values) {
      appender.appendVarchar(v);
      appender.endRow();
    }
    appender.closeSync();
    return quoteIdentifier(name);
  }

  /** A table (pos BIGINT) of row positions. */
  async positions(values: Iterable<number>): Promise<string> {
    const name = await this.create('pos BIGINT');
    const appender = await this.conn.createAppender(name, 'main', 'temp');
    for (const v of values) {
      appender.appendBigInt(BigInt(v));
      appender.endRow();
    }
    appender.closeSync();
    return quoteIdentifier(name);
  }

  /** Drops every table made here; errors while dropping are ignored (the tables vanish with the connection). */
  async dropAll(): Promise<void> {
    for (const name of this.names.splice(0)) {
      await this.conn.run(`DROP TABLE IF EXISTS temp.${quoteIdentifier(name)}`).catch(() => {});
    }
  }

  private async create(columns: string): Promise<string> {
    const name = `${this.prefix}_${this.names.length}`;
    await this.conn.run(`CREATE TEMP TABLE ${quoteIdentifier(name)} (${columns})`);
    this.names.push(name);
    return name;
  }
}
