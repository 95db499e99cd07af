/**
 * Native DuckDB for the benchmark, installed on first use rather than listed in package.json.
 *
 * Why: the comparison must run the DuckDB inside duckdb-wasm 1.32.0 (v1.4.3), i.e.
 * @duckdb/node-api 1.4.3-r.3, but the npm registry our machines reach lacks that release's
 * macOS/Windows/arm64 binding packages, and a lock file that lists the package without them makes
 * `npm ci` fail everywhere. So `npm test` never needs it, and `npm run bench` installs it
 * (`--no-save`: package.json and the lock file stay as they are).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export const NATIVE_DUCKDB_PACKAGE = '@duckdb/node-api@1.4.3-r.3';

/** The subset of @duckdb/node-api the benchmark uses (typed here: the package may not be installed). */
export interface NativeConnection {
	run(sql: string): Promise<unknown>;
	runAndReadAll(sql: string): Promise<{ getRowObjectsJS(): Record<string, unknown>[] }>;
	closeSync(): void;
}
export interface NativeInstance {
	connect(): Promise<NativeConnection>;
	closeSync(): void;
}
export interface NativeDuckDB {
	DuckDBInstance: { create(path: string, options?: Record<string, string>): Promise<NativeInstance> };
}

// A variable keeps TypeScript and Vite from resolving the package at build time.
const moduleName = '@duckdb/node-api';

/**
 * Installs the pinned @duckdb/node-api when it cannot be resolved. Runs before any import of it:
 * Node caches a failed ESM import, so installing after one would not help that process.
 */
export function ensureNativeDuckDB(): void {
	try {
		createRequire(import.meta.url).resolve(moduleName);
	} catch {
		console.error(`Installing ${NATIVE_DUCKDB_PACKAGE} for the native comparison (not saved to package.json)…`);
		execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', NATIVE_DUCKDB_PACKAGE], { stdio: 'inherit' });
	}
}

/** Imports @duckdb/node-api, installing the pinned version first when it is missing. */
export async function loadNativeDuckDB(): Promise<NativeDuckDB> {
	ensureNativeDuckDB();
	return (await import(/* @vite-ignore */ moduleName)) as NativeDuckDB;
}
