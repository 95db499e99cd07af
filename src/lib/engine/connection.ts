/**
 * The engine's DuckDB: started once, with what the page is told about it, and a SqlRunner over its
 * one connection for each piece of scheduled work.
 */
import { RecordBatch, Table } from 'apache-arrow';
import type { SqlRunner } from '../db/runner';
import { CancelledError } from '../errors';
import { DEFAULT_MEMORY_LIMIT, parseMemoryLimit } from '../ingest/capacity';
import type { EngineInfo } from './api';
import { rowsOf } from './arrow';
import { startDuckDB, type StartedDuckDB } from './duckdb';
import type { CancelToken } from './scheduler';

/** DuckDB started, and what the page is told about it. */
export interface StartedEngine {
	duck: StartedDuckDB;
	info: EngineInfo;
}

/** Starts DuckDB and reads its memory limit. */
export async function startEngine(): Promise<StartedEngine> {
	const t0 = performance.now();
	const duck = await startDuckDB();
	const info = { duckdbVersion: duck.version, bundle: duck.bundle, startMs: Math.round(performance.now() - t0), memoryLimit: 0 };
	info.memoryLimit = await readMemoryLimit(duck);
	return { duck, info };
}

async function readMemoryLimit(duck: StartedDuckDB): Promise<number> {
	const limit = String((await duck.conn.query(`SELECT current_setting('memory_limit') AS m`)).getChild('m')?.get(0) ?? '');
	return parseMemoryLimit(limit) ?? DEFAULT_MEMORY_LIMIT;
}

/** Lowers DuckDB's memory limit to `limit` (a size such as `64MB`; anything else is ignored) and updates `info`. */
export async function limitMemory({ duck, info }: StartedEngine, limit: string | undefined): Promise<EngineInfo> {
	// Only a size such as `64MB` or `1.5GB`: the value goes into SQL.
	if (limit && /^\d+(\.\d+)?\s*[KMG]i?B$/i.test(limit)) {
		await duck.conn.query(`SET memory_limit = '${limit}'`);
		info.memoryLimit = await readMemoryLimit(duck);
	}
	return info;
}

/** One piece of scheduled work: its runner, DuckDB itself (files, Arrow, prepared statements) and its token. */
export interface Step {
	db: SqlRunner;
	duck: StartedDuckDB;
	token: CancelToken;
}

/** The Step of work with `token`: its runner stops at the first query after the token is cancelled. */
export function stepOn(duck: StartedDuckDB, token: CancelToken): Step {
	return { db: connectionRunner(duck, token), duck, token };
}

/**
 * A SqlRunner for work with `token`. Queries go through `send` (DuckDB's pending-query API), which
 * executes in slices and so lets `cancelSent` stop a long read between slices; a cancelled token
 * turns whatever the query did into a CancelledError.
 */
export function connectionRunner(duck: StartedDuckDB, token: CancelToken): SqlRunner {
	const exec = async (sql: string): Promise<Table> => {
		if (token.cancelled) throw new CancelledError();
		try {
			const reader = await duck.conn.send(sql, false);
			const batches: RecordBatch[] = [];
			for await (const batch of reader) batches.push(batch);
			if (token.cancelled) throw new CancelledError();
			return new Table(batches);
		} catch (e) {
			if (token.cancelled) throw new CancelledError();
			throw e;
		}
	};
	return {
		async run(sql) {
			await exec(sql);
		},
		async rows<T>(sql: string) {
			return rowsOf<T>(await exec(sql));
		},
		arrow: exec
	};
}

/** Reads a file DuckDB wrote (an export) and forgets it. */
export async function takeFile(duck: StartedDuckDB, name: string): Promise<Uint8Array> {
	const bytes = await duck.db.copyFileToBuffer(name);
	await duck.db.dropFile(name);
	return bytes;
}
