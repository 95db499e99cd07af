/**
 * `npm run bench -- [--suites matrix,formats,builder,explore,history,journeys,predict,demo] [matrix options]`
 *
 * Every benchmark in turn, each in its own process (they build their own copy of the site and
 * start their own browsers), printing its figures as it goes:
 *
 * - matrix: drop-to-matrix in Chromium vs native DuckDB on the same file and SQL, and vs the least
 *   possible work (`limit`), at 100k and 1M rows (3 runs), 5M and 20M rows (1 run, without the slow
 *   DuckDB-WASM-in-Node engine), and a 20M-row Shopify-style line-item export (run.ts). Options
 *   given here (`--rows 1m`, `--only browser,native`) replace these sizes with one run of run.ts.
 * - formats: load throughput (MB/s) of CSV, Parquet and xlsx of the same orders.
 * - builder: segment builder recount time on 100k and 1M customers.
 * - explore: customer list scroll frame times on 100k and 1M customers.
 * - history: 24 monthly snapshots, migration and cohorts on 1M orders (DuckDB-WASM in Node, native
 *   DuckDB, and Chromium).
 * - journeys: each question of the Repeat purchases view in Chromium after the matrix, on a
 *   Shopify-style export of 3M line items (about 1M orders).
 * - predict: BG/NBD + Gamma-Gamma fitting on 2,357, 23,570 and 200,000 customers; each purchase model's
 *   fit and the 200-resample bootstrap at 200,000 customers in Chromium.
 * - demo: demo store generation (5k, 50k, 200k customers) in Chromium.
 *
 * Each suite also runs alone: `npx tsx tests/bench/<suite>.ts --help`.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const HERE = import.meta.dirname;
const BIG = ['--runs', '1', '--only', 'browser,native,limit', '--no-build'];
const SUITES: Record<string, { file: string; args: string[][] }> = {
	matrix: {
		file: 'run.ts',
		args: [
			['--rows', '100000'],
			['--rows', '1m', '--no-build'],
			['--rows', '5m', ...BIG],
			['--rows', '20m', ...BIG],
			['--rows', '20m', '--layout', 'lines', ...BIG]
		]
	},
	formats: { file: 'formats.ts', args: [[]] },
	builder: { file: 'builder.ts', args: [['--customers', '100000,1000000']] },
	explore: { file: 'explore.ts', args: [['--customers', '100000,1000000']] },
	history: { file: 'history.ts', args: [['--rows', '1m', '--engines', 'wasm-node,native', '--browser']] },
	journeys: { file: 'journeys.ts', args: [['--lines', '3m']] },
	predict: { file: 'predict.ts', args: [[]] },
	demo: { file: 'demo.ts', args: [[]] }
};

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--suites');
const only = onlyAt >= 0 ? argv[onlyAt + 1]!.split(',').map((s) => s.trim()) : Object.keys(SUITES);
const rest = onlyAt >= 0 ? [...argv.slice(0, onlyAt), ...argv.slice(onlyAt + 2)] : argv;
const unknown = only.filter((s) => !(s in SUITES));
if (unknown.length > 0) {
	console.error(`Unknown suite ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}.`);
	process.exit(2);
}

let failed = 0;
for (const name of only) {
	const suite = SUITES[name]!;
	const runs = name === 'matrix' && rest.length > 0 ? [rest] : suite.args;
	for (const args of runs) {
		console.log(`\n━━ ${name}: tsx tests/bench/${suite.file} ${args.join(' ')}`);
		const started = Date.now();
		const run = spawnSync('npx', ['tsx', resolve(HERE, suite.file), ...args], { stdio: 'inherit' });
		console.log(
			`━━ ${name}: ${run.status === 0 ? 'done' : `failed (exit ${run.status})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`
		);
		if (run.status !== 0) failed++;
	}
}
process.exit(failed > 0 ? 1 : 0);
