/**
 * The unit tests' DuckDB-WASM is opened as the engine worker opens it (issue 21): one options object,
 * `DUCKDB_OPTIONS`, for both. Before, the harness opened without `castBigIntToDouble`, so a BIGINT
 * reached the predictions' Arrow path as a BigInt in tests and as a number on the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'apache-arrow';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';
import { DUCKDB_OPTIONS } from '../../src/lib/engine/duckdb-options';
import { PACKED_DATABASE } from '../../src/lib/engine/setup-sql';

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
});
afterAll(() => db.close());

describe('the test harness opens DuckDB as the worker does', () => {
	it('casts BIGINT to double, as the worker asks', async () => {
		expect(DUCKDB_OPTIONS.open.query.castBigIntToDouble).toBe(true);
		const table = await db.arrow('SELECT CAST(9007199254740993 AS BIGINT) AS big, count(*) AS n FROM range(3)');
		expect(table.getChild('big')!.type.typeId).toBe(Type.Float);
		expect(table.getChild('n')!.type.typeId).toBe(Type.Float);
		expect(table.getChild('n')!.get(0)).toBe(3);
		// A double cannot hold 2^53 + 1: the cast rounds, as it does on the page.
		expect(table.getChild('big')!.get(0)).toBe(9007199254740992);
	});

	it('runs the worker’s setup statements: no extension autoloading, the packed database on the search path', async () => {
		const [settings] = await db.rows<{ autoload: boolean; autoinstall: boolean; path: string }>(
			`SELECT current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall, current_setting('search_path') AS path`
		);
		expect(settings).toEqual({ autoload: false, autoinstall: false, path: `memory.main,${PACKED_DATABASE}.main` });
		const [attached] = await db.rows<{ n: number }>(
			`SELECT count(*) AS n FROM duckdb_databases() WHERE database_name = '${PACKED_DATABASE}'`
		);
		expect(attached!.n).toBe(1);
	});
});
