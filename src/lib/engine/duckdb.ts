/**
 * DuckDB-WASM served from our own origin: Vite copies the wasm and worker files into the build
 * and gives us their URLs, so nothing is fetched from a CDN (the privacy promise depends on it).
 *
 * Only the `eh` build (wasm exceptions) and the `mvp` fallback: the threaded `coi` build needs
 * COOP/COEP headers that GitHub Pages cannot send.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import { DUCKDB_OPTIONS } from './duckdb-options';

/** Resolves a Vite asset URL against the current script (a worker has no document base). */
const here = (url: string) => new URL(url, self.location.href).href;

const BUNDLES: duckdb.DuckDBBundles = {
	mvp: { mainModule: here(mvpWasm), mainWorker: here(mvpWorker) },
	eh: { mainModule: here(ehWasm), mainWorker: here(ehWorker) }
};

export interface StartedDuckDB {
	db: duckdb.AsyncDuckDB;
	conn: duckdb.AsyncDuckDBConnection;
	bundle: 'eh' | 'mvp';
	version: string;
}

/** Instantiates DuckDB-WASM in its own worker and opens one connection. */
export async function startDuckDB(): Promise<StartedDuckDB> {
	const bundle = await duckdb.selectBundle(BUNDLES);
	const worker = new Worker(bundle.mainWorker!);
	const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
	await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
	await db.open(DUCKDB_OPTIONS.open);
	const conn = await db.connect();
	for (const sql of DUCKDB_OPTIONS.setup) await conn.query(sql);
	const version = String((await conn.query('SELECT version() AS v')).getChild('v')?.get(0) ?? '');
	return { db, conn, bundle: bundle.mainModule === BUNDLES.eh!.mainModule ? 'eh' : 'mvp', version };
}

export { duckdb };
