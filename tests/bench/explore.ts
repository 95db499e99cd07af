/**
 * Customer list scroll frame time in headless Chromium, on 100k and 1M customers.
 *
 * `npx tsx tests/bench/explore.ts [--customers 100000,1000000] [--seconds 4] [--no-build]`
 *
 * For each size: writes an order file with exactly that many customers (1 to 4 orders each,
 * seeded, cached under tests/bench/out/), builds the site (once), loads the file in the page,
 * opens "Show all customers" and then scrolls the list programmatically inside the page:
 *  - steady: scrollTop grows by 2,400 px a second (a brisk wheel scroll), for --seconds;
 *  - jumps: a new random position every frame (dragging the scroll thumb across a million rows),
 *    for --seconds.
 * Frame times are the gaps between requestAnimationFrame callbacks; "blank" is the share of
 * frames whose rows in view were still waiting for the engine, and "filled" how long the rows
 * took to arrive after the last jump.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { randomLcg } from 'd3';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/browser-launch';
import { serveStatic } from '../support/serve-static';

const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'tests/bench/out');
const BUILD_DIR = 'build-bench-explore';

const { values: args } = parseArgs({
	options: {
		customers: { type: 'string', default: '100000,1000000' },
		seconds: { type: 'string', default: '4' },
		'no-build': { type: 'boolean', default: false }
	}
});
const sizes = args.customers.split(',').map((s) => Number(s.replace(/_/g, '')));
const seconds = Number(args.seconds);

/** `order_id,customer_id,order_date,amount` with exactly `customers` customers (1 to 4 orders each). */
function customersCsv(customers: number): { path: string; rows: number; bytes: number } {
	mkdirSync(OUT, { recursive: true });
	const path = join(OUT, `explore-customers-${customers}-v1.csv`);
	let rows = 0;
	const random = randomLcg(7);
	const write = !existsSync(path);
	const tmp = `${path}.${process.pid}.tmp`;
	const fd = write ? openSync(tmp, 'w') : -1;
	let chunk = 'order_id,customer_id,order_date,amount\n';
	const day0 = Date.UTC(2022, 0, 1);
	for (let c = 0; c < customers; c++) {
		const orders = 1 + Math.floor(random() * random() * 4);
		for (let k = 0; k < orders; k++) {
			rows++;
			const day = new Date(day0 + Math.floor(random() * 1096) * 86_400_000).toISOString().slice(0, 10);
			// Drawn whether or not the file is written, so the row count is the same from the cache.
			const amount = (5 + random() * random() * 400).toFixed(2);
			if (write) chunk += `#${rows},C${1_000_000 + c},${day},${amount}\n`;
			if (write && chunk.length > 1 << 20) {
				writeSync(fd, chunk);
				chunk = '';
			}
		}
	}
	if (write) {
		writeSync(fd, chunk);
		closeSync(fd);
		renameSync(tmp, path);
	}
	return { path, rows, bytes: statSync(path).size };
}

if (!args['no-build']) {
	console.log(`Building the site into ${BUILD_DIR}/…`);
	const build = spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
		cwd: ROOT,
		env: { ...process.env, BUILD_DIR },
		encoding: 'utf8'
	});
	if (build.status !== 0) {
		console.error(`${build.stdout}\n${build.stderr}`);
		process.exit(1);
	}
}

/**
 * Runs in the page (a string: tsx would wrap a function in helpers the page lacks). Scrolls the
 * grid for `ms` in `mode` and returns the frame gaps and how many frames showed unloaded rows.
 */
const SCROLL = `async ({ mode, ms }) => {
	const grid = document.querySelector('[role=grid][aria-label=Customers]');
	const blank = () => grid.querySelector('[role=row][data-customer=""]') !== null;
	const frames = [];
	let blanks = 0;
	grid.scrollTop = 0;
	await new Promise((r) => requestAnimationFrame(r));
	const start = performance.now();
	let last = start;
	let seed = 1;
	const random = () => ((seed = (seed * 1664525 + 1013904223) % 4294967296) / 4294967296);
	await new Promise((resolve) => {
		const frame = (now) => {
			frames.push(now - last);
			last = now;
			if (blank()) blanks++;
			if (now - start >= ms) return resolve(null);
			const max = grid.scrollHeight - grid.clientHeight;
			grid.scrollTop = mode === 'steady' ? Math.min(max, ((now - start) / 1000) * 2400) : random() * max;
			requestAnimationFrame(frame);
		};
		requestAnimationFrame(frame);
	});
	const stopped = performance.now();
	while (blank() && performance.now() - stopped < 30000) await new Promise((r) => setTimeout(r, 5));
	return { frames: frames.slice(1), blanks, filledMs: performance.now() - stopped, scrollHeight: grid.scrollHeight };
}`;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const server = await serveStatic(join(ROOT, BUILD_DIR), 0);
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
console.log(
	`Chromium ${browser.version()}, list scroll frame times (ms), ${seconds} s per mode; load average ${loadavg()
		.map((l) => l.toFixed(1))
		.join(' ')} on ${availableParallelism()} cores`
);
try {
	for (const customers of sizes) {
		const file = customersCsv(customers);
		const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
		await page.goto(url);
		await page.getByText('Engine ready').waitFor({ timeout: 120_000 });
		const t0 = performance.now();
		await page.locator('input[type=file]').setInputFiles(file.path);
		await page.locator('svg[aria-label^="RFM matrix"]').waitFor({ timeout: 600_000 });
		const loadS = (performance.now() - t0) / 1000;
		await page.getByRole('tab', { name: 'Customers' }).click();
		const t1 = performance.now();
		await page.getByRole('button', { name: 'Show all customers' }).click();
		const grid = page.getByRole('grid', { name: 'Customers' });
		await page.waitForFunction(
			(n) => document.querySelector('[role=grid][aria-label=Customers]')?.getAttribute('data-total') === String(n),
			customers,
			{ timeout: 300_000 }
		);
		await page.waitForFunction(() => document.querySelector('[role=grid] [role=row][data-customer=""]') === null, null, {
			timeout: 300_000
		});
		const listS = (performance.now() - t1) / 1000;
		await grid.focus();
		console.log(
			`\n${customers.toLocaleString('en')} customers (${file.rows.toLocaleString('en')} orders, ${(file.bytes / 2 ** 20).toFixed(0)} MB): file to matrix ${loadS.toFixed(1)} s, list ready ${listS.toFixed(2)} s`
		);
		const cdp = await page.context().newCDPSession(page);
		await cdp.send('Performance.enable');
		/** The page's main-thread time so far (s): script, style, layout and all tasks, from Chromium's counters. */
		const busy = async () => {
			const { metrics } = await cdp.send('Performance.getMetrics');
			const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
			return { script: get('ScriptDuration'), style: get('RecalcStyleDuration'), layout: get('LayoutDuration'), task: get('TaskDuration') };
		};
		for (const mode of ['steady', 'jumps']) {
			const before = await busy();
			const r = (await page.evaluate(`(${SCROLL})(${JSON.stringify({ mode, ms: seconds * 1000 })})`)) as {
				frames: number[];
				blanks: number;
				filledMs: number;
				scrollHeight: number;
			};
			const after = await busy();
			const perFrame = (k: keyof typeof after) => (((after[k] - before[k]) * 1000) / r.frames.length).toFixed(1);
			const sorted = [...r.frames].sort((a, b) => a - b);
			const over = (ms: number) => ((100 * r.frames.filter((f) => f > ms).length) / r.frames.length).toFixed(1);
			console.log(
				`  ${mode.padEnd(6)} frames ${r.frames.length}: median ${quantile(sorted, 0.5).toFixed(1)}, p95 ${quantile(sorted, 0.95).toFixed(1)}, p99 ${quantile(sorted, 0.99).toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}; >20 ms ${over(20)} %, >50 ms ${over(50)} %; blank ${((100 * r.blanks) / r.frames.length).toFixed(0)} % of frames, rows filled ${r.filledMs.toFixed(0)} ms after the last frame (scroll height ${r.scrollHeight.toLocaleString('en')} px)`
			);
			console.log(
				`         main thread per frame: tasks ${perFrame('task')} ms (script ${perFrame('script')}, style ${perFrame('style')}, layout ${perFrame('layout')})`
			);
		}
		await page.close();
	}
} finally {
	await browser.close();
	server.closeAllConnections();
	server.close();
}
