/**
 * One timed run of one Node engine, in its own process so its peak RSS is its own:
 *   tsx tests/bench/engine-run.ts <native|native-mt|wasm-node> <file.csv>
 * Prints one line `BENCH_RESULT {json}`. Opening the engine is not timed (the browser's clock
 * also starts after "Engine ready"). With BENCH_TRACE=1 it also times every SQL statement.
 */
import { limitSql, NODE_ENGINES, openEngine, type BenchLayout, type NodeEngine } from './engines';
import { analyzeFile, summarize, type PipelineDb } from './pipeline';

export interface EngineRunResult {
	engine: NodeEngine;
	version: string;
	threads: number;
	seconds: number;
	timings: { openMs: number; readMs: number; scoreMs: number; totalMs: number; rescoreMs: number };
	/** RSS after the engine opened, before the file (MB). */
	baselineRssMb: number;
	/** Peak RSS of the whole process (MB): Node + engine + data. */
	peakRssMb: number;
	/** Null for `limit`, whose quintiles are not the app's scores (nothing to compare). */
	summary: ReturnType<typeof summarize> | null;
	/** With BENCH_TRACE=1: each statement's milliseconds and its first line. */
	trace?: { ms: number; sql: string }[];
}

const [engine, path, layout = 'orders'] = process.argv.slice(2) as [NodeEngine, string, BenchLayout?];
if (!NODE_ENGINES.includes(engine) || !path) {
	console.error(`usage: engine-run.ts <${NODE_ENGINES.join('|')}> <file.csv>`);
	process.exit(2);
}

const opened = await openEngine(engine);
const name = await opened.register(path);
const trace: { ms: number; sql: string }[] | undefined = process.env.BENCH_TRACE === '1' ? [] : undefined;
const db: PipelineDb = trace ? traced(opened.db, trace) : opened.db;
const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
let timings: EngineRunResult['timings'];
let summary: EngineRunResult['summary'] = null;
if (engine === 'limit') {
	const cells = await db.rows<{ customers: number }>(limitSql(path, layout));
	if (cells.length !== 25) throw new Error(`limit: ${cells.length} R×F cells, expected 25`);
	const ms = performance.now() - t0;
	timings = { openMs: 0, readMs: ms, scoreMs: 0, totalMs: ms, rescoreMs: 0 };
} else {
	const run = await analyzeFile(db, path, name);
	timings = run.timings;
	summary = summarize(run);
}
const seconds = timings.totalMs / 1000;
const result: EngineRunResult = {
	engine,
	version: opened.version,
	threads: opened.threads,
	seconds,
	timings,
	baselineRssMb,
	// resourceUsage().maxRSS is in kilobytes.
	peakRssMb: process.resourceUsage().maxRSS / 1024,
	summary,
	trace
};
opened.close();
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);

function traced(db: PipelineDb, into: { ms: number; sql: string }[]): PipelineDb {
	const time = async <T>(sql: string, work: () => Promise<T>) => {
		const t = performance.now();
		try {
			return await work();
		} finally {
			into.push({ ms: performance.now() - t, sql: sql.replace(/\s+/g, ' ').trim() });
		}
	};
	return {
		run: (sql) => time(sql, () => db.run(sql)),
		rows: <T>(sql: string) => time(sql, () => db.rows<T>(sql)),
		registerBytes: (name, bytes) => db.registerBytes(name, bytes)
	};
}
