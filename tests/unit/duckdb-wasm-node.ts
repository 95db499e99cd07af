/**
 * DuckDB-WASM's Node build (the same wasm the browser runs) as a SqlRunner for unit tests.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { SqlRunner } from '../../src/lib/rfm/analysis';
import { rowsOf } from '../../src/lib/engine/arrow';
import type { Table } from 'apache-arrow';
import type { TableWriter } from '../../src/lib/predict/pipeline';
import { str } from '../../src/lib/sql';
import { DUCKDB_OPTIONS } from '../../src/lib/engine/duckdb-options';
import type { PrepareHost } from '../../src/lib/ingest/formats/prepare';

const require = createRequire(import.meta.url);
// The blocking Node build runs DuckDB on the test's own thread: no worker to manage in a test.
const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs') as typeof import('@duckdb/duckdb-wasm/blocking');

const dist = resolve(import.meta.dirname, '../../node_modules/@duckdb/duckdb-wasm/dist');

export interface WasmTestDb extends SqlRunner {
	/** Makes a file on disk readable to SQL under `name`. */
	registerFile(name: string, path: string): void;
	/** Makes text readable to SQL as a file called `name`. */
	registerText(name: string, text: string): void;
	/** Reads back a file DuckDB wrote (e.g. with COPY). */
	readFile(name: string): Uint8Array;
	close(): void;
	/** The result as an Arrow table, as the engine worker's connection gives it. */
	arrow(sql: string): Promise<Table>;
	/** Runs a prepared statement with these values bound to its `?` placeholders. */
	bound<T>(statement: { sql: string; params: unknown[] }): Promise<T[]>;
	/** Makes bytes readable to SQL as a file called `name`. */
	registerBytes(name: string, bytes: Uint8Array): void;
	/** Creates table `table` from an Arrow IPC stream. */
	insertArrowIpc(table: string, ipc: Uint8Array): void;
	/** The size of DuckDB's WebAssembly memory, in bytes: it only grows, so this is its peak so far. */
	wasmMemoryBytes(): number;
}

/** Starts DuckDB-WASM in Node opened exactly as the engine worker opens it (`DUCKDB_OPTIONS`). */
export async function openWasmDb(): Promise<WasmTestDb> {
	const bundles = {
		mvp: { mainModule: resolve(dist, 'duckdb-mvp.wasm'), mainWorker: resolve(dist, 'duckdb-node-mvp.worker.cjs') },
		eh: { mainModule: resolve(dist, 'duckdb-eh.wasm'), mainWorker: resolve(dist, 'duckdb-node-eh.worker.cjs') }
	};
	const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
	await db.instantiate();
	db.open(DUCKDB_OPTIONS.open);
	const conn = db.connect();
	for (const sql of DUCKDB_OPTIONS.setup) conn.query(sql);
	return {
		async run(sql) {
			conn.query(sql);
		},
		async rows<T>(sql: string) {
			return rowsOf<T>(conn.query(sql));
		},
		registerFile(name, path) {
			db.registerFileURL(name, path, duckdb.DuckDBDataProtocol.NODE_FS, false);
		},
		registerText(name, text) {
			db.registerFileBuffer(name, new TextEncoder().encode(text));
		},
		readFile(name) {
			return db.copyFileToBuffer(name);
		},
		close() {
			conn.close();
			db.reset();
		},
		async arrow(sql: string) {
			return conn.query(sql);
		},
		async bound<T>(statement: { sql: string; params: unknown[] }) {
			const prepared = conn.prepare(statement.sql);
			try {
				return rowsOf<T>(prepared.query(...statement.params));
			} finally {
				prepared.close();
			}
		},
		registerBytes(name, bytes) {
			db.registerFileBuffer(name, bytes);
		},
		insertArrowIpc(table, ipc) {
			conn.insertArrowFromIPCStream(ipc, { name: table, create: true });
		},
		wasmMemoryBytes() {
			// The Emscripten module of the bindings: its heap view spans the whole linear memory.
			return (db as unknown as { mod: { HEAPU8: Uint8Array } }).mod.HEAPU8.length;
		}
	};
}

let csvTables = 0;

/**
 * A TableWriter (what the prediction step writes `customer_predictions` with) that goes through a CSV
 * file: NaN is written `nan`, which DuckDB reads back as NaN; `customer_id` is text, the rest numbers.
 */
export function csvTableWriter(db: WasmTestDb): TableWriter {
	return async (name, columns) => {
		const names = Object.keys(columns);
		const n = columns[names[0]!]!.length;
		const lines = [names.join(',')];
		for (let i = 0; i < n; i++) lines.push(names.map((c) => String(columns[c]![i])).join(','));
		const file = `table-${++csvTables}.csv`;
		db.registerText(file, lines.join('\n'));
		const types = names.map((c) => `${str(c)}: ${c === 'customer_id' ? "'VARCHAR'" : "'DOUBLE'"}`).join(', ');
		await db.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_csv(${str(file)}, header = true, columns = {${types}})`);
	};
}

/**
 * What `prepareFile` needs from the engine, on a test database: files as bytes (Node has no file
 * handles), Arrow IPC inserted as a table, and Parquet read by `parquetToIpc` when the test gives one.
 */
export function testPrepareHost(db: WasmTestDb, parquetToIpc?: (bytes: Uint8Array) => Uint8Array): PrepareHost {
	return {
		db,
		async registerFileHandle(name, blob) {
			db.registerBytes(name, new Uint8Array(await blob.arrayBuffer()));
		},
		async registerBuffer(name, bytes) {
			db.registerBytes(name, bytes);
		},
		async insertArrowIpc(table, ipc) {
			db.insertArrowIpc(table, ipc);
		},
		async parquetToIpc(bytes) {
			if (!parquetToIpc) throw new Error('no Parquet reader in this test');
			return parquetToIpc(bytes);
		}
	};
}
