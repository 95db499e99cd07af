/**
 * Prepared statements on the engine's connection: the builder's conditions run with bound values.
 */
import { RecordBatch, Table } from 'apache-arrow';
import type { AsyncDuckDBConnection } from './duckdb';
import type { SqlRunner } from '../db/runner';
import type { BoundRunner } from '../builder/builder-engine';
import { rowsOf } from './arrow';

/**
 * Adds `bound` to a step's runner. Results stream through `send`, like the runner's own queries,
 * so `cancelSent` can stop a stale count when a newer step starts.
 */
export function boundRunner(db: SqlRunner, conn: AsyncDuckDBConnection): BoundRunner {
	return {
		run: (sql) => db.run(sql),
		rows: (sql) => db.rows(sql),
		async bound<T>(statement: { sql: string; params: unknown[] }) {
			const prepared = await conn.prepare(statement.sql);
			try {
				const reader = await prepared.send(...statement.params);
				const batches: RecordBatch[] = [];
				for await (const batch of reader) batches.push(batch);
				return rowsOf<T>(new Table(batches));
			} finally {
				await prepared.close();
			}
		}
	};
}
