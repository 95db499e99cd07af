/**
 * The engine's warm-up: one small analysis of a made-up store while the merchant looks for a file.
 *
 * DuckDB-WASM is 34 MB of code that V8 first runs through its baseline compiler, optimising each
 * function only once it has run for a while. Measured in Chromium on a quiet 2-core machine, the
 * first 100,000-row file dropped on a fresh page took 2.9–3.2 s to its matrix, the same file dropped
 * again 1.0–1.2 s. Analysing the demo generator's store (2,000 customers, some 8,000 line items: the
 * richest path, with e-mails, names, products, statuses and refunds) takes about 2.3 s of idle time
 * and brings the first file down to the second's time. It runs only while the page asks for nothing
 * (engine.worker.ts stops it at the first request), and nothing of it stays: its file is forgotten
 * and every table, view and sequence it made is dropped.
 */
import type { WarmUp } from './api';
import type { StartedDuckDB } from './duckdb';
import { stepOn } from './connection';
import { Ticket, type Scheduler } from './scheduler';
import { Workspace } from './workspace';
import { generateDemoStore } from '../demo/generator';
import { DEFAULT_SCORING } from '../rfm/types';
import { GRID_MAP } from '../rfm/segments';
import { ident } from '../sql';

/** Customers of the made-up store: enough for V8 to optimise the hot paths, small enough to cost well under a second. */
export const WARM_UP_CUSTOMERS = 2_000;

/** Every table, view and sequence the merchant's data could be in, with the statement that drops it. */
const OBJECTS_SQL = `SELECT 'TABLE' AS kind, database_name AS database, schema_name AS schema, table_name AS name FROM duckdb_tables() WHERE NOT internal
UNION ALL SELECT 'VIEW', database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal
UNION ALL SELECT 'SEQUENCE', database_name, schema_name, sequence_name FROM duckdb_sequences()`;

interface DatabaseObject {
	kind: 'TABLE' | 'VIEW' | 'SEQUENCE';
	database: string;
	schema: string;
	name: string;
}

const key = (o: DatabaseObject) => `${o.kind} ${o.database}.${o.schema}.${o.name}`;

/**
 * Runs the warm-up analysis on the started engine, then drops everything it made. Nothing else may
 * use the connection meanwhile: the caller cancels `ticket` and awaits the result before any other work.
 */
export async function warmUp(duck: StartedDuckDB, scheduler: Scheduler, memoryLimit: number, ticket: Ticket): Promise<WarmUp> {
	const t0 = performance.now();
	// The analysis stops at its next query once `ticket` is cancelled; the clean-up runs regardless.
	const step = stepOn(duck, new Ticket());
	const before = new Set((await step.db.rows<DatabaseObject>(OBJECTS_SQL)).map(key));
	const made = async () => (await step.db.rows<DatabaseObject>(OBJECTS_SQL)).filter((o) => !before.has(key(o)));
	const workspace = new Workspace(scheduler);
	let analysed = false;
	try {
		const store = generateDemoStore(1, WARM_UP_CUSTOMERS);
		const file = new File(store.parts as Uint8Array<ArrayBuffer>[], 'warm-up.csv', { type: 'text/csv' });
		const analysis = stepOn(duck, ticket);
		const opened = await workspace.open(analysis, [file], null);
		const request = {
			layout: opened.layout,
			mapping: opened.detection.plan.mapping,
			scoring: structuredClone(DEFAULT_SCORING),
			ruleSet: GRID_MAP
		};
		await workspace.analyze(analysis, request, memoryLimit);
		analysed = true;
	} catch {
		// Stopped by the page's first request, or failed (say, on a device short of memory): the engine stays cold.
	}
	await workspace.close(duck);
	const objects = await made();
	// Views first: a view over a table would stop the table's drop.
	for (const kind of ['VIEW', 'TABLE', 'SEQUENCE'] as const)
		for (const o of objects.filter((m) => m.kind === kind))
			await step.db.run(`DROP ${kind} IF EXISTS ${ident(o.database)}.${ident(o.schema)}.${ident(o.name)}`).catch(() => undefined);
	return { ms: analysed ? Math.round(performance.now() - t0) : null, leftovers: (await made()).length };
}
