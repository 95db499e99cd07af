/**
 * Load throughput by file format: the same orders as CSV, Parquet and Excel, each dropped on the
 * built site in headless Chromium; prints MB/s (file size ÷ time from the file reaching the page to
 * the matrix on screen, the page's own marks) and rows/s.
 *
 *   npx tsx tests/bench/formats.ts                   # 100,000 orders, 3 runs per format, builds the site
 *   npx tsx tests/bench/formats.ts --rows 20000 --runs 1 --no-build --only CSV,xlsx
 *
 * The site is built into build-bench/ (as `npm run bench` does); --no-build reuses it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { chromium } from '@playwright/test';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { chromiumLaunchOptions } from '../support/browser-launch';
import { serveStatic } from '../support/serve-static';
import { xlsx, type XCell } from '../fixtures/xlsx-writer';
import { excelSerial } from '../fixtures/orders-data';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILD_DIR = 'build-bench';
const OUT = join(ROOT, 'tests/bench/out/formats');

const { values: args } = parseArgs({
	options: {
		rows: { type: 'string', default: '100000' },
		runs: { type: 'string', default: '3' },
		only: { type: 'string', default: 'CSV,Parquet,xlsx' },
		'no-build': { type: 'boolean', default: false }
	}
});
const rows = Number(args.rows.replace(/k$/i, '000').replace(/m$/i, '000000'));
const runs = Number(args.runs);

// ------------------------------------------------------------ the same orders, three formats

interface Order {
	orderId: number;
	customer: string;
	orderedAt: string;
	amount: number;
}
const pad = (n: number) => String(n).padStart(2, '0');
/** Deterministic orders: 1 in 8 rows a repeat customer of a small pool, two years of dates. */
function orders(n: number): Order[] {
	const out: Order[] = [];
	let seed = 42;
	const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
	for (let i = 0; i < n; i++) {
		const t = new Date(Date.UTC(2023, 0, 1) + Math.floor(rnd() * 730 * 86_400) * 1000);
		out.push({
			orderId: 100_000 + i,
			customer: `c${Math.floor(rnd() * Math.max(10, n / 4))}`,
			orderedAt: `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`,
			amount: Math.round(rnd() * 50_000 + 500) / 100
		});
	}
	return out;
}

mkdirSync(OUT, { recursive: true });
const data = orders(rows);
const files: { format: string; path: string }[] = [];
{
	const csv = [
		'order_id,customer_id,ordered_at,amount',
		...data.map((o) => `${o.orderId},${o.customer},${o.orderedAt},${o.amount.toFixed(2)}`)
	].join('\n');
	files.push({ format: 'CSV', path: join(OUT, `orders-${rows}.csv`) });
	writeFileSync(files.at(-1)!.path, csv + '\n');

	const arrow = tableFromArrays({
		order_id: BigInt64Array.from(data.map((o) => BigInt(o.orderId))),
		customer_id: data.map((o) => o.customer),
		ordered_at: data.map((o) => new Date(`${o.orderedAt.replace(' ', 'T')}Z`)),
		amount: Float64Array.from(data.map((o) => o.amount))
	});
	const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
	files.push({ format: 'Parquet', path: join(OUT, `orders-${rows}.parquet`) });
	writeFileSync(files.at(-1)!.path, writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, 'stream')), props));

	const sheet: XCell[][] = [
		['order_id', 'customer_id', 'ordered_at', 'amount'],
		...data.map((o): XCell[] => [o.orderId, o.customer, { date: excelSerial(o.orderedAt) }, o.amount])
	];
	files.push({ format: 'xlsx', path: join(OUT, `orders-${rows}.xlsx`) });
	writeFileSync(files.at(-1)!.path, xlsx([{ name: 'Orders', rows: sheet }]));
}

// ------------------------------------------------------------ the site, the browser

if (!args['no-build']) {
	console.log(`Building the site into ${BUILD_DIR}/ (vite build)…`);
	const build = spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build'], {
		cwd: ROOT,
		env: { ...process.env, BUILD_DIR },
		encoding: 'utf8'
	});
	if (build.status !== 0) {
		console.error(`${build.stdout}\n${build.stderr}`.trim().split('\n').slice(-30).join('\n'));
		process.exit(1);
	}
}
const server = await serveStatic(join(ROOT, BUILD_DIR), 0);
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions() });

/** The page refused the file with a message of its own (`[role=alert]`). */
class Refused extends Error {}

/**
 * The refusals the bench expects: formats read whole into memory have a size limit, and past it the
 * page says the file is too large (README, "File formats"). Any other message, and any error that is
 * not the page's message (a timeout, a crash, a bug in this script), fails the suite.
 */
const EXPECTED_REFUSAL = /too large/i;

/** One load: a fresh page, engine ready, file set, matrix on screen. Seconds on the page's own clock. */
async function load(path: string): Promise<{ seconds: number; customers: string }> {
	const page = await browser.newPage();
	try {
		await page.goto(url);
		await page.getByText('Engine ready').waitFor({ timeout: 60_000 });
		await page.locator('input[type=file]').setInputFiles(path);
		// The matrix, or a message (a file the app cannot read on its own would otherwise wait forever).
		await page.waitForFunction(
			() => performance.getEntriesByName('rfm:matrix-ready').length > 0 || document.querySelector('[role=alert]') !== null,
			null,
			{ timeout: 600_000 }
		);
		const alert = await page.getByRole('alert').count();
		if (alert > 0) throw new Refused((await page.getByRole('alert').first().textContent())?.trim() ?? '');
		const ms = await page.evaluate(() => {
			const [received] = performance.getEntriesByName('rfm:file-received');
			const [ready] = performance.getEntriesByName('rfm:matrix-ready');
			return ready!.startTime - received!.startTime;
		});
		return { seconds: ms / 1000, customers: (await page.getByTestId('customers').textContent()) ?? '' };
	} finally {
		await page.close();
	}
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\nLoad throughput, ${rows.toLocaleString('en')} orders, ${runs} run(s) each, median (Chromium ${browser.version()}):`);
console.log('format    size MB   seconds    MB/s    rows/s   customers');
const failures: string[] = [];
const customersByFormat: { format: string; customers: string }[] = [];
try {
	for (const f of files.filter((f) => args.only.split(',').includes(f.format))) {
		const mb = statSync(f.path).size / 2 ** 20;
		const results = [];
		try {
			for (let r = 0; r < runs; r++) results.push(await load(f.path));
		} catch (e) {
			const message = e instanceof Error ? e.message : String(e);
			// A format the page refuses at this size (its message) is a figure too; the others still run.
			if (e instanceof Refused && EXPECTED_REFUSAL.test(message))
				console.log(`${f.format.padEnd(8)} ${mb.toFixed(1).padStart(8)}   refused (size limit): ${message}`);
			else {
				const what = e instanceof Refused ? `refused unexpectedly: ${message}` : `error: ${message.split('\n')[0]}`;
				console.log(`${f.format.padEnd(8)} ${mb.toFixed(1).padStart(8)}   FAILED, ${what}`);
				failures.push(`${f.format}: ${what}`);
			}
			continue;
		}
		customersByFormat.push({ format: f.format, customers: results[0]!.customers });
		const s = median(results.map((x) => x.seconds));
		console.log(
			`${f.format.padEnd(8)} ${mb.toFixed(1).padStart(8)} ${s.toFixed(2).padStart(9)} ${(mb / s).toFixed(1).padStart(7)} ${Math.round(
				rows / s
			)
				.toLocaleString('en')
				.padStart(9)}   ${results[0]!.customers}`
		);
	}
} finally {
	await browser.close();
	server.close();
}
// The same orders in every format: each read must find the same customers.
const [first, ...others] = customersByFormat;
for (const o of others)
	if (o.customers !== first!.customers)
		failures.push(`${o.format} found ${o.customers} customers where ${first!.format} found ${first!.customers}`);
if (!files.some((f) => args.only.split(',').includes(f.format))) failures.push(`--only ${args.only} names no format (CSV, Parquet, xlsx)`);
if (failures.length > 0) {
	console.log(`BENCH FAILED: ${failures.join('; ')}`);
	process.exitCode = 1;
} else if (customersByFormat.length > 1)
	console.log(`formats agree: ${customersByFormat.map((c) => c.format).join(', ')} found ${first!.customers} customers each.`);
