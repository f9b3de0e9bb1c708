/** A row as better-sqlite3 returns it: the store's row mappers read its columns by name and cast them. */
export type { Row } from './store-rows.js';

/** A nullable integer column: SQL NULL (or a missing column) is undefined, so a record can leave it out. */
export const optional = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : (v as number));
