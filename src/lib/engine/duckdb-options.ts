/**
 * How every DuckDB-WASM the app's SQL runs on is opened: the engine worker (`duckdb.ts`) and the
 * unit tests' Node build (`tests/unit/duckdb-wasm-node.ts`) both read this one object, so a test of
 * the Arrow path sees the same column types as the page (BIGINT as a JS number, not a BigInt).
 * Typed structurally so that this module does not import `@duckdb/duckdb-wasm`.
 */
import { ENGINE_SETUP_SQL } from './setup-sql';

export interface DuckDBOptions {
	/** What `db.open(…)` is given. */
	readonly open: {
		readonly query: {
			/**
			 * BIGINT results (counts, sums of integers) arrive as doubles: the page and the prediction
			 * step read numbers, and a BigInt mixed into arithmetic throws.
			 */
			readonly castBigIntToDouble: boolean;
		};
	};
	/** Statements run on the first connection before anything else (no extension autoloading, the packed database). */
	readonly setup: readonly string[];
}

export const DUCKDB_OPTIONS: DuckDBOptions = {
	open: { query: { castBigIntToDouble: true } },
	setup: ENGINE_SETUP_SQL
};
