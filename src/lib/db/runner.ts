/**
 * The seam between the SQL-building modules and a database: ingest, rfm, history, predict and the
 * builder run their SQL through `SqlRunner` only, so the same code runs in the engine worker
 * (DuckDB-WASM), in unit tests (DuckDB-WASM's Node build) and in the benchmark (native DuckDB).
 */
import type { Table } from 'apache-arrow';

/** Runs SQL. `rows` returns plain objects with numbers (not BigInt) and strings. */
export interface SqlRunner {
	run(sql: string): Promise<void>;
	rows<T>(sql: string): Promise<T[]>;
	/**
	 * The result as an Arrow table, where the runner has one: a million rows read as columns take a
	 * fraction of the time of a million row objects (the predictions' customer summary).
	 */
	arrow?(sql: string): Promise<Table>;
}
