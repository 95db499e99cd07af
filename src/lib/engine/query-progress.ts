/**
 * How far DuckDB has come with the running query, from its own progress bar: DuckDB-WASM's worker
 * posts PROGRESS_UPDATE messages (a percentage; for a CSV scan, of the file's bytes read) once
 * `enable_progress_bar` is on and the query has run for `progress_bar_time` ms. The AsyncDuckDB
 * keeps their handlers in a list it does not expose in its types.
 */
import type { AsyncDuckDB, AsyncDuckDBConnection } from './duckdb';

type ProgressHandlers = { _onExecutionProgress?: ((p: { status: string; percentage: string | number }) => void)[] };

let enabled: Promise<unknown> | null = null;

/**
 * Calls `onPercent` (0–100) while queries run, until the returned function is called.
 * @param db the AsyncDuckDB whose worker reports progress
 * @param conn a connection, to switch DuckDB's progress reporting on once
 */
export async function watchQueryProgress(
	db: AsyncDuckDB,
	conn: AsyncDuckDBConnection,
	onPercent: (percent: number) => void
): Promise<() => void> {
	// Printing is DuckDB-WASM's hook for reporting: it calls the worker's progressUpdate.
	enabled ??= conn.query('SET enable_progress_bar = true; SET enable_progress_bar_print = true; SET progress_bar_time = 300');
	await enabled;
	const handlers = (db as unknown as ProgressHandlers)._onExecutionProgress;
	if (!Array.isArray(handlers)) return () => undefined;
	const handler = (p: { status: string; percentage: string | number }) => {
		const percent = Number(p.percentage);
		if (Number.isFinite(percent) && percent >= 0) onPercent(Math.min(100, percent));
	};
	handlers.push(handler);
	return () => {
		const i = handlers.indexOf(handler);
		if (i >= 0) handlers.splice(i, 1);
	};
}
