/**
 * The traffic guard (support/fixtures.ts) checks every test; these tests check the guard itself
 * and the promise the page makes.
 */
import { chooseFile, expect, openSite, test, waitForResults } from './support/fixtures.ts';
import { csvFile, shopOrdersCsv } from './support/orders.ts';

const CANARY = 'http://privacy-canary.invalid';

// The page's CSP refuses blob: workers and requests to other origins, which is what the guard test
// must make: these tests check the guard and the app's own traffic, not the policy (offline-csp.spec.ts does).
test.use({ bypassCSP: true });

test('the guard sees requests made by a worker and by a worker that worker starts', async ({ page, context, traffic }) => {
	// Never let a canary reach the network, whether or not routing covers workers (.invalid never resolves anyway).
	await context.route(`${CANARY}/**`, (route) => route.abort());
	await openSite(page);
	await page.evaluate((canary) => {
		// Playwright attaches to a nested worker shortly after it starts; the inner worker asks once
		// it has been running a moment, as DuckDB's worker does (it fetches its wasm when told to).
		const inner = `setTimeout(() => fetch('${canary}/from-nested-worker').catch(() => {}).finally(() => postMessage('done')), 250);`;
		const outer = `fetch('${canary}/from-worker').catch(() => {});
			const w = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(inner)}], { type: 'text/javascript' })));
			w.onmessage = () => postMessage('done');`;
		return new Promise<void>((resolve) => {
			const worker = new Worker(URL.createObjectURL(new Blob([outer], { type: 'text/javascript' })));
			worker.onmessage = () => resolve();
		});
	}, CANARY);
	await expect.poll(() => traffic.foreign.join('\n')).toContain(`${CANARY}/from-worker`);
	await expect.poll(() => traffic.foreign.join('\n')).toContain(`${CANARY}/from-nested-worker`);
	// Seen: the guard works. Clear it so this test passes the guard's own end-of-test check.
	traffic.foreign.length = 0;
});

test('the guard sees websockets opened by a worker and by a nested worker', async ({ page, traffic }) => {
	await openSite(page);
	await page.evaluate((canary) => {
		const ws = canary.replace(/^http/, 'ws');
		// As above, the nested worker waits a moment so Playwright has attached to it.
		const inner = `setTimeout(() => { try { new WebSocket('${ws}/ws-from-nested-worker'); } finally { postMessage('done'); } }, 250);`;
		const outer = `try { new WebSocket('${ws}/ws-from-worker'); } catch {}
			const w = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(inner)}], { type: 'text/javascript' })));
			w.onmessage = () => postMessage('done');`;
		return new Promise<void>((resolve) => {
			const worker = new Worker(URL.createObjectURL(new Blob([outer], { type: 'text/javascript' })));
			worker.onmessage = () => resolve();
		});
	}, CANARY);
	const ws = CANARY.replace(/^http/, 'ws');
	await expect.poll(() => traffic.foreign.join('\n')).toContain(`websocket: ${ws}/ws-from-worker`);
	await expect.poll(() => traffic.foreign.join('\n')).toContain(`websocket: ${ws}/ws-from-nested-worker`);
	traffic.foreign.length = 0;
});

test('the guard sees requests made by the service worker, which fetches DuckDB for the workers', async ({ page, context, traffic }) => {
	await context.route(`${CANARY}/**`, (route) => route.abort());
	await openSite(page);
	// The site's own service worker (src/service-worker.ts), once it is installed and running.
	const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.state ?? null))).toBe('activated');
	await serviceWorker.evaluate((canary) => fetch(`${canary}/from-service-worker`).catch(() => undefined), CANARY);
	await expect.poll(() => traffic.foreign.join('\n')).toContain(`service worker request: ${CANARY}/from-service-worker`);
	traffic.foreign.length = 0;
});

test('analysing a file fetches only the site’s own files: DuckDB is served by the site', async ({ page, traffic, baseURL }) => {
	const requested: string[] = [];
	// The context sees the page's and its workers' requests and, once the offline service worker
	// controls the page, the ones it makes on their behalf (a fetch it serves is not a page request).
	page.context().on('request', (r) => requested.push(r.url()));
	await openSite(page);
	await expect(page.getByText('Your order data is read in this browser and never leaves this device.')).toBeVisible();
	await chooseFile(page, csvFile('shop-orders.csv', shopOrdersCsv()));
	await waitForResults(page);
	// DuckDB's wasm is fetched by its worker, itself started by the engine worker: both from the site.
	expect(requested.some((u) => u.startsWith(baseURL!) && /duckdb-(eh|mvp)[^/]*\.wasm$/.test(u))).toBe(true);
	expect(requested.some((u) => u.startsWith(baseURL!) && /duckdb-browser-(eh|mvp)[^/]*\.worker[^/]*\.js$/.test(u))).toBe(true);
	expect(traffic.foreign).toEqual([]);
});
