/**
 * The Node-side engines of the benchmark, each a SqlRunner plus a way to make a CSV on disk
 * readable to SQL under a name:
 *   native     @duckdb/node-api with threads=1 (DuckDB-WASM's eh build is single-threaded too)
 *   native-mt  @duckdb/node-api with DuckDB's default threads (one per core)
 *   wasm-node  DuckDB-WASM's Node build, the same wasm the browser runs (tests/unit/duckdb-wasm-node.ts)
 */
import type { SqlRunner } from '../../src/lib/rfm/analysis';
import { openWasmDb } from '../unit/duckdb-wasm-node';
import { loadNativeDuckDB } from './native-duckdb';

export const NODE_ENGINES = ['native', 'native-mt', 'wasm-node'] as const;
export type NodeEngine = (typeof NODE_ENGINES)[number];

export interface OpenedEngine {
	db: SqlRunner;
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
		const db = await openWasmDb();
		const [v] = await db.rows<{ v: string; t: number }>(`SELECT version() AS v, current_setting('threads') AS t`);
		return {
			db,
			async register(path) {
				db.registerFile('bench-orders.csv', path);
				return 'bench-orders.csv';
			},
			version: `${v?.v} (duckdb-wasm node, blocking)`,
			threads: Number(v?.t ?? 1),
			close: () => db.close()
		};
	}
	const { DuckDBInstance } = await loadNativeDuckDB();
	const instance = await DuckDBInstance.create(':memory:', engine === 'native' ? { threads: '1' } : {});
	const conn = await instance.connect();
	const db: SqlRunner = {
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
