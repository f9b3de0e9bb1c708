/** One column of a data set as the engine holds it: its name and DuckDB type (VARCHAR for CSV text). */
export interface ColumnDescription {
  name: string;
  type: string;
}
