/**
 * Repeat-purchase benchmark: each question of the Repeat purchases view in Chromium, after the
 * matrix, on a generated Shopify-style line-item export (tests/bench/data.ts: SKUs, a coupon on
 * one order in eleven). The figure is the page's own measure around the engine call
 * (`rfm:journeys-<question>`, set by JourneysView); the first question also builds the journey
 * tables (numbered orders, items). Goal: each under 1 s at 1M orders.
 *
 *   npx tsx tests/bench/journeys.ts [--lines 3m] [--no-build]
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/browser-launch';
import { serveStatic } from '../support/serve-static';
import { lineItemsCsv } from './data';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILD_DIR = 'build-bench';
const { values: args } = parseArgs({
	options: { lines: { type: 'string', default: '3m' }, 'no-build': { type: 'boolean', default: false } }
});
const lines = Math.round(Number(args.lines!.replace(/m$/i, 'e6').replace(/k$/i, 'e3')));
const QUESTIONS = [
	['What they buy next', 'next'],
	['First orders', 'first'],
	['Time between orders', 'gaps'],
	['Cohort value', 'cohorts'],
	['Discounts', 'discounts']
] as const;
const GOAL_SECONDS = 1;

const file = lineItemsCsv(resolve(import.meta.dirname, 'out'), lines, 42);
console.log(
	`${lines.toLocaleString('en')} line items: ${file.path} (${(file.bytes / 2 ** 20).toFixed(0)} MB${file.generated ? ', generated' : ''})`
);
if (!args['no-build']) {
	const build = spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
		cwd: ROOT,
		env: { ...process.env, BUILD_DIR },
		encoding: 'utf8'
	});
	if (build.status !== 0) throw new Error(`vite build failed: ${build.stderr.slice(-2000)}`);
}
const server = await serveStatic(join(ROOT, BUILD_DIR), 0);
const browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
const poll = async <T>(read: () => Promise<T | null>, what: string, timeoutMs = 600_000): Promise<T> => {
	for (const start = Date.now(); Date.now() - start < timeoutMs; await new Promise((r) => setTimeout(r, 200))) {
		const value = await read();
		if (value !== null) return value;
	}
	throw new Error(`Timed out waiting for ${what}`);
};
try {
	const page = await browser.newPage();
	page.on('pageerror', (e) => console.warn(`  [page error] ${e.message}`));
	await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
	await page.getByText('Engine ready').waitFor({ timeout: 120_000 });
	await page.locator('input[type=file]').setInputFiles(file.path);
	await page.locator('svg[aria-label^="RFM matrix"]').waitFor({ timeout: 1_800_000 });
	const matrix = await page.evaluate(() => {
		const [received] = performance.getEntriesByName('rfm:file-received');
		const [ready] = performance.getEntriesByName('rfm:matrix-ready');
		return received && ready ? (ready.startTime - received.startTime) / 1000 : NaN;
	});
	const orders =
		(await page
			.locator('main')
			.getByText(/orders of [\d,]+ customers/)
			.first()
			.textContent()) ?? '';
	console.log(`Chromium ${browser.version()}; drop to matrix ${matrix.toFixed(2)} s (${orders.trim()})`);
	await page.getByRole('tab', { name: 'Repeat purchases' }).click();
	let over = 0;
	for (const [label, question] of QUESTIONS) {
		await page.getByRole('button', { name: label, exact: true }).click();
		const seconds = await poll(
			() => page.evaluate((name) => performance.getEntriesByName(name).at(-1)?.duration ?? null, `rfm:journeys-${question}`),
			label
		).then((ms) => ms / 1000);
		const problem = await page.getByRole('alert').count();
		if (seconds > GOAL_SECONDS) over++;
		console.log(
			`  ${label.padEnd(22)} ${seconds.toFixed(2).padStart(6)} s${seconds > GOAL_SECONDS ? `  ABOVE THE ${GOAL_SECONDS} s GOAL` : ''}${problem ? '  (a message is shown)' : ''}`
		);
	}
	console.log(over === 0 ? `Every question under ${GOAL_SECONDS} s.` : `${over} question(s) above ${GOAL_SECONDS} s.`);
} finally {
	await browser.close();
	await new Promise((r) => server.close(r));
}
