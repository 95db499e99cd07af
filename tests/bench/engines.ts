/**
 * The Node-side engines of the benchmark, each a SqlRunner plus a way to make a CSV on disk
 * readable to SQL under a name:
 *   native     @duckdb/node-api with threads=1 (DuckDB-WASM's eh build is single-threaded too)
 *   native-mt  @duckdb/node-api with DuckDB's default threads (one per core)
 *   wasm-node  DuckDB-WASM's Node build, the same wasm the browser runs (tests/unit/duckdb-wasm-node.ts)
 *   limit      the least possible work on native DuckDB, threads=1: one read of the file, one row per
 *              customer, quintile scores, the 5×5 matrix, in one statement (`LIMIT_SQL`), not the app's SQL
 * Every engine but `limit` starts with the worker's setup statements (DUCKDB_OPTIONS.setup).
 */
import { writeFileSync } from 'node:fs';
import { DUCKDB_OPTIONS } from '../../src/lib/engine/duckdb-options';
import { str } from '../../src/lib/sql';
import type { PipelineDb } from './pipeline';
import { openWasmDb } from '../unit/duckdb-wasm-node';
import { loadNativeDuckDB } from './native-duckdb';

export const NODE_ENGINES = ['native', 'native-mt', 'wasm-node', 'limit'] as const;
export type NodeEngine = (typeof NODE_ENGINES)[number];

/** The bench's files: one row an order (`ordersCsv`), or Shopify-style line items (`lineItemsCsv`). */
export type BenchLayout = 'orders' | 'lines';

/**
 * The least possible work for a matrix on the bench generator's files: read the CSV once, group by
 * customer (recency, frequency, monetary), quintiles by `ntile`, count the 5×5 R×F cells. For line
 * items, frequency is the customer's distinct orders and monetary the sum of price × quantity.
 */
export function limitSql(path: string, layout: BenchLayout = 'orders'): string {
	const perCustomer =
		layout === 'lines'
			? `SELECT "Email" AS customer_id, DATE '2100-01-01' - CAST(max("Created at") AS DATE) AS recency, count(DISTINCT "Name") AS frequency,
			sum("Lineitem price" * "Lineitem quantity") AS monetary
		FROM read_csv(${str(path)}) GROUP BY "Email"`
			: `SELECT customer_id, DATE '2100-01-01' - max(order_date) AS recency, count(*) AS frequency, sum(amount) AS monetary
		FROM read_csv(${str(path)}) GROUP BY customer_id`;
	return `SELECT r, f, CAST(count(*) AS DOUBLE) AS customers, sum(monetary) AS revenue FROM (
	SELECT ntile(5) OVER (ORDER BY recency DESC) AS r, ntile(5) OVER (ORDER BY frequency) AS f, ntile(5) OVER (ORDER BY monetary) AS m, monetary
	FROM (${perCustomer})
) GROUP BY r, f ORDER BY r, f`;
}

export interface OpenedEngine {
	db: PipelineDb;
	/** The name SQL reads the file at `path` by. */
	register(path: string): Promise<string>;
	version: string;
	threads: number;
	close(): void;
}

/** Values as the app's Arrow reader gives them: numbers, not BigInt; lists as arrays. */
function plain(value: unknown): unknown {
	if (typeof value === 'bigint') return Number(value);
	if (Array.isArray(value)) return value.map(plain);
	return value;
}

export async function openEngine(engine: NodeEngine): Promise<OpenedEngine> {
	if (engine === 'wasm-node') {
		const wasm = await openWasmDb();
		const db: PipelineDb = { run: wasm.run, rows: wasm.rows, registerBytes: async (name, bytes) => wasm.registerBytes(name, bytes) };
		const [v] = await db.rows<{ v: string; t: number }>(`SELECT version() AS v, current_setting('threads') AS t`);
		return {
			db,
			async register(path) {
				wasm.registerFile('bench-orders.csv', path);
				return 'bench-orders.csv';
			},
			version: `${v?.v} (duckdb-wasm node, blocking)`,
			threads: Number(v?.t ?? 1),
			close: () => wasm.close()
		};
	}
	const { DuckDBInstance } = await loadNativeDuckDB();
	const instance = await DuckDBInstance.create(':memory:', engine === 'native-mt' ? {} : { threads: '1' });
	const conn = await instance.connect();
	const db: PipelineDb = {
		// Native DuckDB reads files from disk: the bytes go to a file beside the bench's others.
		async registerBytes(name, bytes) {
			writeFileSync(name, bytes);
		},
		async run(sql) {
			await conn.run(sql);
		},
		async rows<T>(sql: string) {
			const reader = await conn.runAndReadAll(sql);
			return reader.getRowObjectsJS().map((row) => {
				const out: Record<string, unknown> = {};
				for (const [k, v] of Object.entries(row)) out[k] = plain(v);
				return out as T;
			});
		}
	};
	if (engine !== 'limit') for (const sql of DUCKDB_OPTIONS.setup) await db.run(sql);
	const [v] = await db.rows<{ v: string; t: number }>(`SELECT version() AS v, current_setting('threads') AS t`);
	return {
		db,
		// Native DuckDB reads the path itself (quoted by the app's str()).
		register: async (path) => path,
		version: `${v?.v} (@duckdb/node-api)`,
		threads: Number(v?.t),
		close() {
			conn.closeSync();
			instance.closeSync();
		}
	};
}
