/**
 * The e2e `test`: every test gets a traffic guard (the privacy promise — nothing leaves the
 * browser — checked on every page, worker and service worker), plus helpers to open the site,
 * load or drop a file, and read what the page shows.
 */
import { readFile } from 'node:fs/promises';
import { test as base, expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { parseCsv } from './orders.ts';

/** Per project: the base path the site is served under ("" at the root). */
export interface SiteOptions {
	basePath: string;
}

/** What the traffic guard saw. Each list must be empty when a test ends. */
export interface Traffic {
	/** Requests (pages, dedicated and nested workers, service workers, websockets) to another origin. */
	foreign: string[];
	/** Requests to the test server outside the site's base path: a link or asset that ignores BASE_PATH. */
	outsideBase: string[];
	/** Responses of 400 and above from the test server: a missing asset. */
	failed: string[];
	/** Uncaught exceptions in the page. */
	pageErrors: string[];
	/**
	 * Origins a test allows besides the site: only a `?src` test, for exactly the host its link
	 * names (push the origin before opening the page).
	 */
	allowed: string[];
}

export interface TestFile {
	name: string;
	mimeType: string;
	buffer: Buffer;
}

/**
 * Records every request the context sees. Playwright reports requests of dedicated workers and
 * of workers they start (DuckDB's own worker inside the engine worker) as page requests, and
 * service worker requests on the context; Chromium's own background traffic is not reported.
 */
function watchTraffic(context: BrowserContext, siteUrl: string, basePath: string): Traffic {
	const site = new URL(siteUrl);
	const traffic: Traffic = { foreign: [], outsideBase: [], failed: [], pageErrors: [], allowed: [] };
	const check = (url: string, who: string) => {
		if (url.startsWith('data:') || url === 'about:blank') return;
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			traffic.foreign.push(`${who}: ${url} (unparseable URL)`);
			return;
		}
		// A blob: URL made by the page (the CSV download) has the page's origin.
		if (parsed.origin !== site.origin && traffic.allowed.includes(parsed.origin)) return;
		if (parsed.origin !== site.origin) {
			traffic.foreign.push(`${who}: ${url}`);
			return;
		}
		if (parsed.protocol !== 'blob:' && basePath && !parsed.pathname.startsWith(`${basePath}/`)) {
			traffic.outsideBase.push(`${who}: ${url}`);
		}
	};
	const watchPage = (page: Page) => {
		page.on('websocket', (ws) => check(ws.url(), 'websocket'));
		page.on('worker', (worker) => check(worker.url(), 'worker script'));
		page.on('pageerror', (e) => traffic.pageErrors.push(e.message));
	};
	context.on('request', (request) => check(request.url(), request.serviceWorker() ? 'service worker request' : 'request'));
	context.on('serviceworker', (worker) => check(worker.url(), 'service worker script'));
	context.on('response', (response) => {
		if (response.status() >= 400 && new URL(response.url()).origin === site.origin) {
			traffic.failed.push(`${response.status()} ${response.url()}`);
		}
	});
	context.pages().forEach(watchPage);
	context.on('page', watchPage);
	return traffic;
}

export const test = base.extend<SiteOptions & { traffic: Traffic }>({
	basePath: ['', { option: true }],
	traffic: [
		async ({ context, baseURL, basePath }, use) => {
			const traffic = watchTraffic(context, baseURL!, basePath);
			await use(traffic);
			expect(traffic.foreign, 'requests to an origin other than the test server').toEqual([]);
			expect(traffic.outsideBase, `requests outside the base path "${basePath}"`).toEqual([]);
			expect(traffic.failed, 'failed requests to the test server').toEqual([]);
			expect(traffic.pageErrors, 'uncaught errors in the page').toEqual([]);
		},
		{ auto: true }
	]
});

export { expect };

/** Opens the site's home page (relative to the project's baseURL, so under the base path too). */
export async function openSite(page: Page): Promise<void> {
	await page.goto('./');
	await expect(page.getByRole('heading', { level: 1, name: 'RFM Studio' })).toBeVisible();
}

/** The drop zone, by its accessible name. */
export const dropZone = (page: Page): Locator => page.getByRole('region', { name: 'Drop an order file' });

/** The file picker inside the drop zone ("Choose a file…", then "Load another file…"). */
export const filePicker = (page: Page): Locator => dropZone(page).getByLabel(/Choose files|Load other files/);

/** Picks a file with the drop zone's file input. */
export async function chooseFile(page: Page, file: TestFile | string | string[]): Promise<void> {
	await filePicker(page).setInputFiles(file);
}

/** Drops a file on the drop zone with a real DataTransfer (dragenter → dragover → drop). */
export async function dropFile(page: Page, file: TestFile): Promise<void> {
	const dataTransfer = await page.evaluateHandle(
		({ name, mimeType, bytes }) => {
			const dt = new DataTransfer();
			dt.items.add(new File([new Uint8Array(bytes)], name, { type: mimeType }));
			return dt;
		},
		{ name: file.name, mimeType: file.mimeType, bytes: [...file.buffer] }
	);
	const zone = dropZone(page);
	await zone.dispatchEvent('dragenter', { dataTransfer });
	await zone.dispatchEvent('dragover', { dataTransfer });
	await zone.dispatchEvent('drop', { dataTransfer });
	await dataTransfer.dispose();
}

/**
 * The RFM matrix on screen. The overview's has buttons for cells, so it is a group (an image may
 * not hold controls); the rule editor's, without buttons, is an image.
 */
export const rfmMatrix = (page: Page): Locator =>
	page.getByRole('group', { name: /^RFM matrix/ }).or(page.getByRole('img', { name: /^RFM matrix/ }));

/** Waits for an analysis to be on screen. */
export async function waitForResults(page: Page): Promise<void> {
	// aria-busy is set the moment the page asks the engine for something, before any progress shows.
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
	await expect(rfmMatrix(page)).toBeVisible();
	await expect(page.getByRole('status')).toHaveCount(0);
}

export interface MatrixCellOnPage {
	r: number;
	f: number;
	customers: number;
	revenue: number;
	segment: string;
}

/** Every cell of the RFM matrix as the page draws it (its data-* attributes). */
export async function matrixCells(page: Page): Promise<MatrixCellOnPage[]> {
	const matrix = rfmMatrix(page);
	return matrix.locator('g.cell').evaluateAll((cells) =>
		cells.map((c) => ({
			r: Number(c.getAttribute('data-r')),
			f: Number(c.getAttribute('data-f')),
			customers: Number(c.getAttribute('data-customers')),
			revenue: Number(c.getAttribute('data-revenue')),
			segment: c.getAttribute('data-segment') ?? ''
		}))
	);
}

/** Chooses Export › Customers (CSV) in the top bar and returns the downloaded file's name and parsed rows. */
export async function exportCustomers(page: Page): Promise<{ fileName: string; header: string; rows: Record<string, string>[] }> {
	await page.getByRole('banner').getByRole('button', { name: 'Export', exact: true }).click();
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /^Customers \(CSV\)/ }).click()]);
	const text = await readFile(await download.path(), 'utf8');
	const [header = [], ...body] = parseCsv(text);
	return {
		fileName: download.suggestedFilename(),
		header: header.join(','),
		rows: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])))
	};
}
