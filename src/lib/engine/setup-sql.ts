/**
 * The statements every DuckDB the app's SQL runs on starts with: the engine worker, the unit tests
 * (DuckDB-WASM's Node build) and the benchmark's native DuckDB, so that "the same SQL" also means
 * the same catalogs and search path.
 */

/**
 * A second in-memory database whose tables are compressed. A large file's orders go there
 * (`ingestDatabase`): compressed they take a fifth to a tenth of the memory, which a browser tab
 * (one 4 GB WebAssembly memory that never shrinks, and no disk to spill to) needs past a few million
 * rows; uncompressed tables are written about 1.5× faster, so smaller files and every per-customer
 * table stay in the default database. The search path finds a table in either.
 */
export const PACKED_DATABASE = 'packed';

export const ENGINE_SETUP_SQL: readonly string[] = [
	// Core-only build: an autoloaded extension would be downloaded from the internet, which both
	// breaks the privacy promise and, offline, leaves the database unusable.
	'SET autoload_known_extensions = false',
	'SET autoinstall_known_extensions = false',
	`ATTACH IF NOT EXISTS ':memory:' AS ${PACKED_DATABASE} (COMPRESS)`,
	`SET search_path = 'memory.main,${PACKED_DATABASE}.main'`
];
