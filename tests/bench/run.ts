/**
 * `npm run bench -- [--rows N] [--runs K] [--only browser,native,...] [--seed S] [--no-build] [--trace]`
 *
 * Drop-to-matrix time for a generated orders CSV of N rows: in headless Chromium against the built
 * site (the number a merchant feels), and the same SQL (sniffSource + inspectSources + loadOrders +
 * scoreCustomers, as engine.worker.ts runs them; tests/bench/pipeline.ts) in native DuckDB with 1 thread, with default threads, and in
 * DuckDB-WASM's Node build. Medians of K runs; runs of the engines are interleaved so that a noisy
 * moment on the machine does not land on one engine only. See tests/bench/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus, availableParallelism, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lineItemsCsv, ordersCsv } from './data';
import { NODE_ENGINES, type BenchLayout, type NodeEngine } from './engines';
import { ensureNativeDuckDB } from './native-duckdb';
import type { EngineRunResult } from './engine-run';
import { compareSummaries, missingFields, type ResultSummary } from './pipeline';
import { startBrowserBench, type BrowserBench, type BrowserRunResult } from './browser';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'tests/bench/out');
const BUILD_DIR = 'build-bench';
const ENGINES = ['browser', ...NODE_ENGINES] as const;
type Engine = (typeof ENGINES)[number];

const { values: args } = parseArgs({
	options: {
		rows: { type: 'string', default: '100000' },
		runs: { type: 'string', default: '3' },
		only: { type: 'string' },
		seed: { type: 'string', default: '42' },
		layout: { type: 'string', default: 'orders' },
		'no-build': { type: 'boolean', default: false },
		trace: { type: 'boolean', default: false },
		help: { type: 'boolean', short: 'h', default: false }
	}
});
if (args.help) {
	console.log(
		`npm run bench -- [--rows N=100000] [--runs K=3] [--only ${ENGINES.join(',')}] [--seed 42] [--layout orders|lines] [--no-build] [--trace]`
	);
	process.exit(0);
}
const rows = parseCount(args.rows!, 'rows');
const runs = parseCount(args.runs!, 'runs');
const seed = parseCount(args.seed!, 'seed');
const engines: Engine[] = args.only
	? args.only
			.split(',')
			.map((e) => e.trim())
			.filter(Boolean)
			.map(engineName)
	: [...ENGINES];
if (runs < 3) console.warn(`Note: --runs ${runs}: medians mean little under 3 runs.`);
// Before any run process starts: they import it, and a failed import cannot be retried in-process.
if (engines.includes('native') || engines.includes('native-mt')) ensureNativeDuckDB();

function parseCount(text: string, name: string): number {
	const n = Number(text.replaceAll('_', '').replace(/k$/i, '000').replace(/m$/i, '000000'));
	if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number (got "${text}")`);
	return n;
}

function engineName(e: string): Engine {
	if ((ENGINES as readonly string[]).includes(e)) return e as Engine;
	throw new Error(`--only: unknown engine "${e}" (known: ${ENGINES.join(', ')})`);
}

// ---------------------------------------------------------------- machine

const chromiumLabel = (v: string) => `Chromium ${v}`;
const machine = {
	nproc: availableParallelism(),
	cpu: cpus()[0]?.model ?? '?',
	memoryGb: Math.round(totalmem() / 2 ** 30),
	node: process.version,
	chromium: null as string | null,
	loadAverageBefore: loadavg().map((l) => Number(l.toFixed(2))),
	loadAverageAfter: [] as number[]
};

// ---------------------------------------------------------------- data

if (args.layout !== 'orders' && args.layout !== 'lines') throw new Error(`--layout must be orders or lines (got "${args.layout}")`);
// `lines`: a Shopify-style line-item export (24 columns, 1–5 lines an order) instead of one row an order.
const layout = args.layout as BenchLayout;
const data = layout === 'lines' ? lineItemsCsv(OUT, rows, seed) : ordersCsv(OUT, rows, seed);
console.log(
	`${data.generated ? 'Generated' : 'Cached'} ${data.path.replace(`${ROOT}/`, '')} (${fmtInt(rows)} rows, ${(data.bytes / 2 ** 20).toFixed(1)} MB${data.generated ? `, ${(data.ms / 1000).toFixed(1)} s` : ''})`
);

// ---------------------------------------------------------------- build

let browserBench: BrowserBench | null = null;
if (engines.includes('browser')) {
	if (!args['no-build']) {
		console.log(`Building the site into ${BUILD_DIR}/ (vite build)…`);
		const t = performance.now();
		const build = spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build'], {
			cwd: ROOT,
			env: { ...process.env, BUILD_DIR },
			encoding: 'utf8'
		});
		if (build.status !== 0) {
			console.error(`${build.stdout}\n${build.stderr}`.trim().split('\n').slice(-30).join('\n'));
			console.error(
				`vite build failed (exit ${build.status}); fix it, or run with --no-build against an existing ${BUILD_DIR}/, or --only ${NODE_ENGINES.join(',')}.`
			);
			process.exit(1);
		}
		console.log(`  built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
	}
	browserBench = await startBrowserBench(join(ROOT, BUILD_DIR));
	machine.chromium = chromiumLabel(browserBench.chromiumVersion);
}

// ---------------------------------------------------------------- runs

type AnyRun = { engine: 'browser'; result: BrowserRunResult } | { engine: NodeEngine; result: EngineRunResult };
const results = new Map<Engine, AnyRun[]>(engines.map((e) => [e, []]));
const failures: { engine: Engine; run: number; error: string }[] = [];
const timeoutMs = Math.max(120_000, (rows / 1e6) * 600_000);

for (let run = 1; run <= runs; run++) {
	for (const engine of engines) {
		process.stdout.write(`run ${run}/${runs} ${engine.padEnd(9)} `);
		try {
			const r: AnyRun =
				engine === 'browser'
					? { engine, result: await browserBench!.run(data.path, timeoutMs) }
					: { engine, result: await nodeRun(engine, data.path) };
			results.get(engine)!.push(r);
			console.log(describeRun(r));
		} catch (e) {
			const error = e instanceof Error ? e.message : String(e);
			failures.push({ engine, run, error });
			console.log(`FAILED: ${error.split('\n')[0]}`);
		}
	}
}
await browserBench?.close();
machine.loadAverageAfter = loadavg().map((l) => Number(l.toFixed(2)));

function nodeRun(engine: NodeEngine, path: string, env: NodeJS.ProcessEnv = {}): Promise<EngineRunResult> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/engine-run.ts'), engine, path, layout], {
			cwd: ROOT,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (d: Buffer) => (out += d));
		child.stderr.on('data', (d: Buffer) => (err += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('close', (code) => {
			clearTimeout(timer);
			const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
			if (code === 0 && line) resolvePromise(JSON.parse(line.slice('BENCH_RESULT '.length)) as EngineRunResult);
			else reject(new Error(`${engine} exited with ${code}: ${(err || out).trim().split('\n').slice(-5).join(' | ')}`));
		});
	});
}

function describeRun(r: AnyRun): string {
	if (r.engine === 'browser') {
		const m = r.result.memory;
		const wt = r.result.workerTimings;
		const ph = r.result.phases;
		return `${r.result.seconds.toFixed(3)} s (wall ${r.result.wallSeconds.toFixed(3)} s${ph ? `; open ${ph.openMs.toFixed(0)} ms, analyze ${ph.analyzeMs.toFixed(0)} ms${wt ? ` [read ${wt.readMs}, score ${wt.scoreMs}]` : ''}, render ${ph.renderMs.toFixed(0)} ms` : ''}; rescore ${r.result.rescoreMs.toFixed(0)} ms; renderer peak ${fmtMb(m.rendererPeakRssMb)}, wasm ${fmtMb(m.wasmMemoryMb)})`;
	}
	const t = r.result.timings;
	return `${r.result.seconds.toFixed(3)} s (open ${t.openMs.toFixed(0)} ms, read ${t.readMs.toFixed(0)} ms, score ${t.scoreMs.toFixed(0)} ms; peak RSS ${fmtMb(r.result.peakRssMb)})`;
}

// ---------------------------------------------------------------- agreement

const summaries: { engine: Engine; run: number; summary: ResultSummary }[] = [];
for (const [engine, list] of results)
	list.forEach((r, i) => {
		if (r.result.summary) summaries.push({ engine, run: i + 1, summary: r.result.summary });
	});
// The reference must be an engine other than the browser: a browser compared with its own first run
// would agree with itself whatever it showed. Native DuckDB first, then the other Node engines.
const reference = (['native', 'native-mt', 'wasm-node'] as const)
	.map((e) => summaries.find((s) => s.engine === e))
	.find((s) => s !== undefined);
// Every compared field must be there: a run that lost one (the worker's answers not captured) would
// otherwise be compared on what is left and pass.
const incomplete = summaries
	.map((s) => ({ ...s, missing: missingFields(s.summary) }))
	.filter((s) => s.missing.length > 0)
	.map(
		(s) =>
			`${s.engine} run ${s.run} lacks ${s.missing.join(', ')}${s.engine === 'browser' ? " (the worker's answers were not captured: tests/bench/browser.ts CAPTURE_TIMINGS)" : ''}`
	);
// A browser run without the worker's answers has no steps either.
const uncaptured = (results.get('browser') ?? []).filter((r) => r.engine === 'browser' && r.result.phases === null);
const noReference =
	summaries.length > 0 && !reference
		? `no independent reference: ${[...new Set(summaries.map((s) => s.engine))].join(', ')} ran without native, native-mt or wasm-node, so no result was checked against another engine`
		: null;
const disagreements: string[] = [];
for (const s of summaries) {
	if (s === reference || !reference) continue;
	const diffs = compareSummaries(reference.summary, s.summary);
	if (diffs.length > 0) {
		disagreements.push(
			`${s.engine} run ${s.run} differs from ${reference.engine} run ${reference.run}: ${diffs.slice(0, 6).join('; ')}${diffs.length > 6 ? `; … (${diffs.length} differences)` : ''}`
		);
	}
}

// ---------------------------------------------------------------- table

interface Stat {
	median: number;
	min: number;
	max: number;
	n: number;
}
const stat = (xs: number[]): Stat | null => {
	if (xs.length === 0) return null;
	const s = [...xs].sort((a, b) => a - b);
	const mid = s.length >> 1;
	return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s.at(-1)!, n: s.length };
};
const maxOf = (xs: (number | null)[]) => {
	const v = xs.filter((x): x is number => x !== null);
	return v.length ? Math.max(...v) : null;
};

const browserRuns = (results.get('browser') ?? []).map((r) => r.result as BrowserRunResult);
const nodeRuns = (e: NodeEngine) => (results.get(e) ?? []).map((r) => r.result as EngineRunResult);
const nativeStat = stat(nodeRuns('native').map((r) => r.seconds));
const limitStat = stat(nodeRuns('limit').map((r) => r.seconds));

interface Row {
	label: string;
	stat: Stat | null;
	memory: string;
	split: string;
}
const tableRows: Row[] = [];
if (engines.includes('browser')) {
	const wt = browserRuns.map((r) => r.workerTimings).filter((t): t is NonNullable<typeof t> => t !== null);
	const ph = browserRuns.map((r) => r.phases).filter((t): t is NonNullable<typeof t> => t !== null);
	const med = (xs: number[]) => stat(xs)?.median.toFixed(0) ?? '–';
	tableRows.push({
		label: 'browser: marks',
		stat: stat(browserRuns.map((r) => r.seconds)),
		memory: `renderer RSS ${fmtMb(maxOf(browserRuns.map((r) => r.memory.rendererPeakRssMb)))}; wasm ${fmtMb(maxOf(browserRuns.map((r) => r.memory.wasmMemoryMb)))}`,
		split: ph.length
			? `open ${med(ph.map((p) => p.openMs))} · read ${med(wt.map((t) => t.readMs))} · score ${med(wt.map((t) => t.scoreMs))} · render ${med(ph.map((p) => p.renderMs))} · rescore ${med(browserRuns.map((r) => r.rescoreMs))}`
			: `rescore ${med(browserRuns.map((r) => r.rescoreMs))}`
	});
	tableRows.push({
		label: 'browser: wall',
		stat: stat(browserRuns.map((r) => r.wallSeconds)),
		memory: `JS heap: page ${fmtMb(maxOf(browserRuns.map((r) => r.memory.pageHeapMb)))}, engine ${fmtMb(maxOf(browserRuns.map((r) => r.memory.engineWorkerHeapMb)))}, duckdb ${fmtMb(maxOf(browserRuns.map((r) => r.memory.duckdbWorkerHeapMb)))}`,
		split: ''
	});
}
const NODE_LABEL: Record<NodeEngine, string> = {
	native: 'native, 1 thread',
	'native-mt': 'native, default thr.',
	'wasm-node': 'duckdb-wasm in Node',
	limit: 'limit: least work, native 1t'
};
for (const engine of NODE_ENGINES) {
	if (!engines.includes(engine)) continue;
	const list = nodeRuns(engine);
	const med = (f: (t: EngineRunResult['timings']) => number) => stat(list.map((r) => f(r.timings)))?.median.toFixed(0) ?? '–';
	const threads = list[0]?.threads;
	tableRows.push({
		label: engine === 'native-mt' && threads ? `native, ${threads} threads` : NODE_LABEL[engine],
		stat: stat(list.map((r) => r.seconds)),
		memory: `process RSS ${fmtMb(maxOf(list.map((r) => r.peakRssMb)))} (${fmtMb(maxOf(list.map((r) => r.baselineRssMb)))} before the file)`,
		split: !list.length
			? ''
			: engine === 'limit'
				? 'one statement'
				: `open ${med((t) => t.openMs)} · read ${med((t) => t.readMs)} · score ${med((t) => t.scoreMs)} · rescore ${med((t) => t.rescoreMs)}`
	});
}

const customers = reference?.summary.customers ?? undefined;
const lines: string[] = [];
lines.push('');
lines.push(
	`RFM Studio bench · ${fmtInt(rows)} ${layout === 'lines' ? 'line-item rows (Shopify-style)' : 'rows'} (${(data.bytes / 2 ** 20).toFixed(1)} MB, seed ${seed}) · ${customers === undefined ? '?' : fmtInt(customers)} customers · ${runs} runs each, seconds: median [min – max]`
);
const header = ['engine', 'median s', 'min – max', '× native 1t', '× limit', 'steps, ms (median)', 'peak memory'];
const body = tableRows.map((r) => [
	r.label,
	r.stat ? r.stat.median.toFixed(3) : 'failed',
	r.stat ? `${r.stat.min.toFixed(3)} – ${r.stat.max.toFixed(3)}${r.stat.n < runs ? ` (${r.stat.n} ok)` : ''}` : '',
	r.stat && nativeStat ? `${(r.stat.median / nativeStat.median).toFixed(2)}×` : '–',
	r.stat && limitStat ? `${(r.stat.median / limitStat.median).toFixed(2)}×` : '–',
	r.split,
	r.memory
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
const fmtRow = (cells: string[]) =>
	cells
		.map((c, i) => (i === 1 || i === 3 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
		.join('  ')
		.trimEnd();
lines.push(fmtRow(header));
lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
for (const b of body) lines.push(fmtRow(b));
lines.push('');
lines.push(
	`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB · Node ${machine.node}${machine.chromium ? ` · ${machine.chromium}` : ''} · load avg ${machine.loadAverageBefore.join(' ')} before, ${machine.loadAverageAfter.join(' ')} after`
);
const versions = [...new Set(NODE_ENGINES.flatMap((e) => nodeRuns(e).map((r) => r.version)))];
const browserEngine = browserRuns[0]?.engineInfo;
if (versions.length || browserEngine)
	lines.push(`DuckDB: ${[...versions, ...(browserEngine ? [`browser: ${browserEngine}`] : [])].join(' · ')}`);
if (engines.includes('browser')) {
	lines.push(
		'browser: marks = rfm:matrix-ready − rfm:file-received (engine already started); wall = setInputFiles → svg[aria-label^="RFM matrix"] visible.'
	);
}
if (engines.some((e) => e !== 'browser'))
	lines.push('Node engines: the same SQL in a fresh process, engine already open; RSS includes Node itself.');
if (reference && disagreements.length === 0 && incomplete.length === 0 && summaries.length > 1)
	lines.push(
		`results agree: ${summaries.length} runs match ${reference.engine} run ${reference.run} (rows read and used, customers, orders, revenue, analysis date, every matrix cell).`
	);
if (reference && reference.engine !== 'native')
	lines.push(`NOTE: no native run: results are compared with ${reference.engine} run ${reference.run}, not with native DuckDB.`);
if (engines.includes('limit'))
	lines.push('limit: one read_csv + GROUP BY customer + ntile statement, native, 1 thread; its quintiles are not compared.');
for (const d of disagreements) lines.push(`WARNING: ${d}`);
for (const m of incomplete) lines.push(`FAILED: ${m}`);
if (uncaptured.length > 0)
	lines.push(`WARNING: ${uncaptured.length} browser run(s) have no steps: the worker's answers were not captured.`);
if (noReference) lines.push(`FAILED: ${noReference}.`);
for (const f of failures) lines.push(`FAILED: ${f.engine} run ${f.run}: ${f.error.split('\n')[0]}`);
console.log(lines.join('\n'));

// ---------------------------------------------------------------- trace

let traces: Partial<Record<NodeEngine, EngineRunResult['trace']>> | undefined;
if (args.trace) {
	traces = {};
	for (const engine of NODE_ENGINES.filter((e) => engines.includes(e))) {
		const r = await nodeRun(engine, data.path, { BENCH_TRACE: '1' });
		traces[engine] = r.trace;
		console.log(`\nSQL statements, ${engine} (one extra traced run, ${r.seconds.toFixed(3)} s):`);
		for (const t of r.trace ?? []) console.log(`${t.ms.toFixed(1).padStart(9)} ms  ${t.sql.slice(0, 110)}`);
	}
}

// ---------------------------------------------------------------- JSON

mkdirSync(OUT, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const jsonPath = join(OUT, `results-n${rows}-${stamp}.json`);
const json = {
	at: new Date().toISOString(),
	rows,
	seed,
	runs,
	file: { path: data.path.replace(`${ROOT}/`, ''), bytes: data.bytes },
	customers: customers ?? null,
	machine,
	summary: Object.fromEntries(tableRows.map((r) => [r.label, r.stat])),
	ratioBrowserToNative1t: (() => {
		const b = stat(browserRuns.map((r) => r.seconds));
		return b && nativeStat ? b.median / nativeStat.median : null;
	})(),
	ratioBrowserToLimit: (() => {
		const b = stat(browserRuns.map((r) => r.seconds));
		return b && limitStat ? b.median / limitStat.median : null;
	})(),
	disagreements,
	incomplete,
	noReference,
	failures,
	runsByEngine: Object.fromEntries([...results].map(([e, list]) => [e, list.map((r) => ({ ...r.result, summary: undefined }))])),
	referenceSummary: reference?.summary ?? null,
	traces
};
writeFileSync(jsonPath, JSON.stringify(json, null, '\t'));
writeFileSync(join(OUT, `results-n${rows}-latest.json`), JSON.stringify(json, null, '\t'));
console.log(`\nJSON: ${jsonPath.replace(`${ROOT}/`, '')}`);
const verdict = [
	failures.length > 0 ? `${failures.length} failed run(s)` : '',
	disagreements.length > 0 ? `${disagreements.length} run(s) disagree with the reference` : '',
	incomplete.length > 0 ? `${incomplete.length} run(s) lack compared fields` : '',
	uncaptured.length > 0 && incomplete.length === 0 ? `${uncaptured.length} browser run(s) without the worker's answers` : '',
	noReference ? 'no independent reference ran' : ''
].filter(Boolean);
if (verdict.length > 0) {
	console.log(`BENCH FAILED: ${verdict.join('; ')} (details above).`);
	process.exitCode = 1;
}

function fmtInt(n: number): string {
	return new Intl.NumberFormat('en').format(n);
}
function fmtMb(mb: number | null | undefined): string {
	return mb == null ? 'n/a' : `${Math.round(mb)} MB`;
}
