/**
 * One timed run of one Node engine, in its own process so its peak RSS is its own:
 *   tsx tests/bench/engine-run.ts <native|native-mt|wasm-node> <file.csv>
 * Prints one line `BENCH_RESULT {json}`. Opening the engine is not timed (the browser's clock
 * also starts after "Engine ready"). With BENCH_TRACE=1 it also times every SQL statement.
 */
import { NODE_ENGINES, openEngine, type NodeEngine } from './engines';
import { analyzeFile, summarize } from './pipeline';
import type { SqlRunner } from '../../src/lib/rfm/analysis';

export interface EngineRunResult {
	engine: NodeEngine;
	version: string;
	threads: number;
	seconds: number;
	timings: { openMs: number; readMs: number; scoreMs: number; totalMs: number };
	/** RSS after the engine opened, before the file (MB). */
	baselineRssMb: number;
	/** Peak RSS of the whole process (MB): Node + engine + data. */
	peakRssMb: number;
	summary: ReturnType<typeof summarize>;
	/** With BENCH_TRACE=1: each statement's milliseconds and its first line. */
	trace?: { ms: number; sql: string }[];
}

const [engine, path] = process.argv.slice(2) as [NodeEngine, string];
if (!NODE_ENGINES.includes(engine) || !path) {
	console.error(`usage: engine-run.ts <${NODE_ENGINES.join('|')}> <file.csv>`);
	process.exit(2);
}

const opened = await openEngine(engine);
const name = await opened.register(path);
const trace: { ms: number; sql: string }[] | undefined = process.env.BENCH_TRACE === '1' ? [] : undefined;
const db: SqlRunner = trace ? traced(opened.db, trace) : opened.db;
const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const run = await analyzeFile(db, path, name);
const seconds = (performance.now() - t0) / 1000;
const result: EngineRunResult = {
	engine,
	version: opened.version,
	threads: opened.threads,
	seconds,
	timings: run.timings,
	baselineRssMb,
	// resourceUsage().maxRSS is in kilobytes.
	peakRssMb: process.resourceUsage().maxRSS / 1024,
	summary: summarize(run),
	trace
};
opened.close();
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);

function traced(db: SqlRunner, into: { ms: number; sql: string }[]): SqlRunner {
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
		rows: <T>(sql: string) => time(sql, () => db.rows<T>(sql))
	};
}
