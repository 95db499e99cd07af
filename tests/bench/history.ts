/**
 * History benchmark: the time to score the customer base as of 24 month ends (the History tab's
 * "segment sizes over time"), plus the migration between two dates and the monthly cohorts, on a
 * generated file of 1M orders (tests/bench/data.ts; 2022–2024).
 *
 *   npx tsx tests/bench/history.ts                     # wasm-node, 1,000,000 rows
 *   npx tsx tests/bench/history.ts --rows 250k --engines wasm-node,native --browser [--reuse-build]
 *
 * Engines: `wasm-node` (DuckDB-WASM's Node build: the wasm the browser runs), `native` (DuckDB 1.4.3,
 * one thread; installed on demand, see native-duckdb.ts). `--browser` also times the built site in
 * Chromium: drop the file, open History, read the page's `rfm:history-over-time` measure (set by
 * HistoryView around the engine call, so it is the worker's time for the 24 snapshots). Goal: under 10 s.
 */
import { resolve } from 'node:path';
import { ordersCsv } from './data';
import { NODE_ENGINES, openEngine, type NodeEngine } from './engines';
import { analyzeFile, summarize } from './pipeline';
import { BROWSER_FIGURE, compareFigures, historyFigures, type HistoryFigures } from './history-compare';
import { ensureNativeDuckDB } from './native-duckdb';
import { segmentsOverTime } from '../../src/lib/history/over-time';
import { computeMigration } from '../../src/lib/history/migration';
import { computeCohorts } from '../../src/lib/history/cohorts';
import { addDays } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';

const args = process.argv.slice(2);
const option = (name: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : undefined;
};
const rowsOf = (text: string) => Math.round(Number(text.replace(/m$/i, 'e6').replace(/k$/i, 'e3')));
const rows = rowsOf(option('rows') ?? '1m');
const engines = (option('engines') ?? 'wasm-node').split(',') as NodeEngine[];
const SNAPSHOTS = 24;
for (const e of engines)
	if (!NODE_ENGINES.includes(e) || e === 'limit') throw new Error(`Unknown engine ${e} (wasm-node, native, native-mt)`);
if (engines.some((e) => e.startsWith('native'))) ensureNativeDuckDB();

const file = ordersCsv(resolve(import.meta.dirname, 'out'), rows, 42);
console.log(
	`${rows.toLocaleString('en')} orders: ${file.path} (${(file.bytes / 2 ** 20).toFixed(1)} MB${file.generated ? ', generated' : ''})`
);

const seconds = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
	const t = performance.now();
	const out = await work();
	return [out, (performance.now() - t) / 1000];
};

/** Each engine's results, compared below as the matrix suite compares its engines (history-compare.ts). */
const figures: { engine: string; figures: HistoryFigures }[] = [];
for (const engine of engines) {
	const opened = await openEngine(engine);
	const name = await opened.register(file.path);
	const [run, load] = await seconds(() => analyzeFile(opened.db, file.path, name));
	const { analysisDate, customers } = run.rfm.headline;
	const [firstRow] = await opened.db.rows<{ first: string }>(`SELECT strftime(min(ordered_at), '%Y-%m-%d') AS first FROM orders`);
	const bounds = { firstOrder: firstRow!.first, analysisDate };
	const [overTime, over] = await seconds(() => segmentsOverTime(opened.db, DEFAULT_SCORING, GRID_MAP, bounds, 'month', SNAPSHOTS));
	const [migration, migrate] = await seconds(() =>
		computeMigration(opened.db, DEFAULT_SCORING, GRID_MAP, addDays(analysisDate, -90), analysisDate)
	);
	const [cohorts, cohort] = await seconds(() => computeCohorts(opened.db, 'month', analysisDate));
	opened.close();
	figures.push({ engine, figures: historyFigures(summarize(run), overTime, migration, cohorts) });
	console.log(`\n${engine} — ${opened.version}, ${opened.threads} thread(s); ${customers.toLocaleString('en')} customers`);
	console.log(`  load + score (the page's drop-to-matrix):       ${load.toFixed(2)} s`);
	console.log(
		`  ${overTime.periods.length} monthly snapshots (${overTime.periods[0]!.label} – ${overTime.periods.at(-1)!.label}): ${over.toFixed(2)} s` +
			` (${((over / overTime.periods.length) * 1000).toFixed(0)} ms each)${over < 10 ? '' : '  ABOVE THE 10 s GOAL'}`
	);
	console.log(`  migration (2 snapshots, ${migration.flows.length} flows):              ${migrate.toFixed(2)} s`);
	console.log(`  monthly cohorts (${cohorts.cohorts.length} cohorts):                        ${cohort.toFixed(2)} s`);
}

if (args.includes('--browser')) {
	const { historyInBrowser } = await import('./history-browser');
	const result = await historyInBrowser(file.path, args.includes('--reuse-build'));
	console.log(`\nbrowser — Chromium ${result.chromium}, the built site (${'build-bench-history'}/)`);
	console.log(`  drop-to-matrix (rfm:matrix-ready − rfm:file-received): ${result.matrixSeconds.toFixed(2)} s`);
	console.log(
		`  ${result.periods} monthly snapshots (rfm:history-over-time):        ${result.overTimeSeconds.toFixed(2)} s${result.overTimeSeconds < 10 ? '' : '  ABOVE THE 10 s GOAL'}`
	);
	console.log(`  migration, 2 snapshots (rfm:history-migration):      ${result.migrationSeconds.toFixed(2)} s`);
	figures.push({ engine: 'browser', figures: result.figures });
}

// Agreement: every engine against native (else the first engine); the browser on what its page shows.
const reference = figures.find((f) => f.engine === 'native') ?? figures[0]!;
const problems: string[] = [];
for (const f of figures) {
	if (f === reference) continue;
	const diffs = compareFigures(reference.figures, f.figures, f.engine === 'browser' ? BROWSER_FIGURE : undefined);
	if (diffs.length > 0)
		problems.push(
			`${f.engine} differs from ${reference.engine}: ${diffs.slice(0, 6).join('; ')}${diffs.length > 6 ? `; … (${diffs.length} differences)` : ''}`
		);
	else
		console.log(
			`\n${f.engine} agrees with ${reference.engine} on ${f.engine === 'browser' ? 'the matrix, the number of snapshots and the migration' : 'the matrix, every snapshot, the migration and the cohorts'}.`
		);
}
if (figures.length === 1)
	console.log(
		`\nNOTE: one engine (${reference.engine}): nothing to compare its results with; add --engines wasm-node,native or --browser.`
	);
console.log(
	`\nload average: ${(await import('node:os'))
		.loadavg()
		.map((l) => l.toFixed(1))
		.join(' ')} (figures scale with it)`
);
for (const p of problems) console.log(`WARNING: ${p}`);
if (problems.length > 0) {
	console.log(`BENCH FAILED: ${problems.length} result(s) disagree with ${reference.engine} (details above).`);
	process.exitCode = 1;
}
