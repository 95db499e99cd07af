/**
 * The History benchmark in Chromium: the built site, a generated file set on the file input, the
 * History tab opened; the figures are the page's own measures around the engine calls
 * (`rfm:history-migration`, `rfm:history-over-time`: 24 monthly snapshots by default).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/browser-launch';
import { serveStatic } from '../support/serve-static';
import type { HistoryFigures } from './history-compare';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILD_DIR = 'build-bench-history';

export interface HistoryBrowserResult {
	chromium: string;
	matrixSeconds: number;
	migrationSeconds: number;
	overTimeSeconds: number;
	periods: number;
	/** What the page shows as data, keyed as `historyFigures` keys them: matrix cells, number of snapshots, migration flows' customers. */
	figures: HistoryFigures;
}

/** Builds the site (unless `reuse` and a build exists), then times History on `file` in a fresh Chromium. */
export async function historyInBrowser(file: string, reuse = false): Promise<HistoryBrowserResult> {
	const dir = join(ROOT, BUILD_DIR);
	if (!reuse || !existsSync(dir)) {
		const build = spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build'], {
			cwd: ROOT,
			env: { ...process.env, BUILD_DIR },
			encoding: 'utf8'
		});
		if (build.status !== 0) throw new Error(`vite build failed: ${build.stderr.slice(-2000)}`);
	}
	const server = await serveStatic(dir, 0);
	const browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
	try {
		const page = await browser.newPage();
		page.on('pageerror', (e) => console.warn(`  [page error] ${e.message}`));
		await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
		await page.getByText('Engine ready').waitFor({ timeout: 120_000 });
		await page.locator('input[type=file]').setInputFiles(file);
		await page.locator('svg[aria-label^="RFM matrix"]').waitFor({ timeout: 600_000 });
		const cells = await page.locator('svg[aria-label^="RFM matrix"] g.cell').evaluateAll((gs) =>
			gs.map((g) => ({
				key: `R${g.getAttribute('data-r')} F${g.getAttribute('data-f')}`,
				customers: Number(g.getAttribute('data-customers')),
				revenue: Number(g.getAttribute('data-revenue'))
			}))
		);
		const matrixSeconds = await page.evaluate(() => {
			const [received] = performance.getEntriesByName('rfm:file-received');
			const [ready] = performance.getEntriesByName('rfm:matrix-ready');
			return received && ready ? (ready.startTime - received.startTime) / 1000 : NaN;
		});
		await page.getByRole('tab', { name: 'History' }).click();
		const measures = await page.waitForFunction(
			() => {
				const [migration] = performance.getEntriesByName('rfm:history-migration');
				const [overTime] = performance.getEntriesByName('rfm:history-over-time');
				return migration && overTime ? { migration: migration.duration / 1000, overTime: overTime.duration / 1000 } : null;
			},
			undefined,
			{ timeout: 600_000, polling: 500 }
		);
		const { migration, overTime } = (await measures.jsonValue())!;
		const periods = await page
			.getByRole('img', { name: /^Segment sizes per month/ })
			.locator('g[fill] > rect')
			.evaluateAll((rects) => {
				const xs = new Set(rects.map((r) => r.getAttribute('x')));
				return xs.size;
			});
		const bands = page.getByRole('group', { name: /^Customers moving between segments/ }).locator('path[data-from]');
		await bands.first().waitFor({ timeout: 60_000 });
		const flows = await bands.evaluateAll((paths) =>
			paths.map((p) => ({
				from: p.getAttribute('data-from'),
				to: p.getAttribute('data-to'),
				customers: Number(p.getAttribute('data-customers'))
			}))
		);
		const figures: HistoryFigures = new Map();
		for (const c of cells) {
			if (c.customers === 0) continue;
			figures.set(`matrix ${c.key} customers`, c.customers);
			figures.set(`matrix ${c.key} revenue`, c.revenue);
		}
		figures.set('periods', periods);
		for (const f of flows) figures.set(`migration ${f.from} → ${f.to} customers`, f.customers);
		return { chromium: browser.version(), matrixSeconds, migrationSeconds: migration, overTimeSeconds: overTime, periods, figures };
	} finally {
		await browser.close();
		await new Promise((r) => server.close(r));
	}
}
