/**
 * The privacy promise enforced by the page (Content-Security-Policy) and the app kept on the
 * device: offline reload after a first visit, and "Remember this data on this device".
 */
import type { Page } from '@playwright/test';
import { chooseFile, expect, exportCustomers, openSite, test, waitForResults } from './support/fixtures.ts';
import { csvFile, en, shopOrdersCsv } from './support/orders.ts';
import { waitForGrid } from './support/customer-grid.ts';

/** Collects the page's CSP violation reports (the browser fires them in the page). */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
	await page.addInitScript(() => {
		const seen: string[] = [];
		(window as unknown as { __violations: string[] }).__violations = seen;
		document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
	return () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

test('the page carries a CSP that allows only its own origin for scripts, workers and wasm', async ({ page }) => {
	await openSite(page);
	const csp = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
	expect(csp).toBeTruthy();
	const directives = new Map(
		csp!
			.split(';')
			.map((d) => d.trim().split(/\s+/))
			.filter((d) => d[0])
			.map(([name, ...values]) => [name!, values])
	);
	expect(directives.get('default-src')).toEqual(["'self'"]);
	expect(directives.get('script-src')?.filter((v) => !v.startsWith("'sha256-"))).toEqual(["'self'", "'wasm-unsafe-eval'"]);
	expect(directives.get('worker-src')).toEqual(["'self'"]);
	expect(directives.get('connect-src')).toEqual(["'self'", 'https:', 'http://localhost:*', 'http://127.0.0.1:*']);
	expect(directives.get('object-src')).toEqual(["'none'"]);
});

test('with the CSP in place a whole session (demo, file, tabs, exports) makes no request to another origin and breaks no rule', async ({
	page,
	traffic
}) => {
	const violations = await watchViolations(page);
	await page.goto('./#demo=3&n=500');
	await waitForResults(page);
	await chooseFile(page, csvFile('shop-orders.csv', shopOrdersCsv()));
	await waitForResults(page);
	await page.getByRole('tab', { name: 'Segment rules' }).click();
	await page.getByRole('tab', { name: 'Customers' }).click();
	await page.getByRole('button', { name: 'Show all customers' }).click();
	await waitForGrid(page, 36);
	await page.getByRole('tab', { name: 'Matrix and segments' }).click();
	const exported = await exportCustomers(page);
	expect(exported.rows).toHaveLength(36);
	await page.getByRole('button', { name: 'Share a summary' }).click();
	await expect(page.getByLabel(/^Summary link/)).toHaveValue(/#summary=/);
	expect(await violations()).toEqual([]);
	expect(traffic.foreign).toEqual([]);

	// The policy is live: a script or a worker from elsewhere is refused by the browser (Playwright
	// still reports the attempt, failed with reason "csp", before any byte leaves).
	const blocked: string[] = [];
	page.on('requestfailed', (r) => blocked.push(`${r.url()} ${r.failure()?.errorText}`));
	await page.evaluate(() => {
		const s = document.createElement('script');
		s.src = 'https://csp-canary.invalid/x.js';
		document.head.append(s);
		try {
			new Worker('https://csp-canary.invalid/w.js');
		} catch {
			// Refused synchronously (a cross-origin worker script is a SecurityError anyway).
		}
	});
	await expect.poll(violations).toContainEqual('script-src-elem https://csp-canary.invalid/x.js');
	await expect.poll(() => blocked).toContainEqual('https://csp-canary.invalid/x.js csp');
	expect(traffic.foreign).toEqual(['request: https://csp-canary.invalid/x.js']);
	// Accounted for above: blocked by the policy.
	traffic.foreign.length = 0;
});

test('after the first visit the app reloads offline and says it works offline', async ({ page, context }) => {
	await page.goto('./#demo=5&n=300');
	await waitForResults(page);
	// The service worker has stored the app (install finishes only when every file is cached).
	await expect(page.getByTestId('offline-status')).toHaveText('Works offline');
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
	const customers = await page.getByTestId('customers').textContent();

	await context.setOffline(true);
	try {
		await page.reload();
		await waitForResults(page);
		await expect(page.getByTestId('customers')).toHaveText(customers!);
		await expect(page.getByTestId('offline-status')).toHaveText('Offline: running from this device');
		await expect(page.getByRole('alert')).toHaveCount(0);
	} finally {
		await context.setOffline(false);
	}
});

/** The names at the top of the page's private file system (OPFS). */
function stored(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const root = (await navigator.storage.getDirectory()) as unknown as { keys(): AsyncIterable<string> };
		const names: string[] = [];
		for await (const name of root.keys()) names.push(name);
		return names;
	});
}

test('"Remember this data on this device" is off by default, keeps the file for a reload, and Forget removes it', async ({ page }) => {
	const csv = shopOrdersCsv();
	await openSite(page);
	await chooseFile(page, csvFile('shop-orders.csv', csv));
	await waitForResults(page);
	const remember = page.getByRole('checkbox', { name: 'Remember this data on this device' });
	await expect(remember).not.toBeChecked();
	expect(await stored(page)).toEqual([]);

	await remember.check();
	await expect(page.getByTestId('remembered')).toContainText('shop-orders.csv is kept in this browser');
	await page.goto('./');
	await waitForResults(page);
	await expect(page.getByText(/^shop-orders\.csv · \d+ KB$/)).toBeVisible();
	await expect(page.getByTestId('customers')).toHaveText(en.count(36));
	await expect(page.getByRole('checkbox', { name: 'Remember this data on this device' })).toBeChecked();

	expect(await stored(page)).toEqual(['rfm-studio-remembered']);
	// A reload keeps the view link's address (#file=…): the remembered file is that file.
	await page.reload();
	await waitForResults(page);
	await expect(page.getByTestId('pending-view')).toHaveCount(0);
	await expect(page.getByTestId('customers')).toHaveText(en.count(36));

	await page.getByRole('button', { name: 'Forget' }).click();
	await expect(page.getByTestId('remembered')).toHaveCount(0);
	expect(await stored(page)).toEqual([]);
	await page.goto('./');
	await expect(page.getByRole('region', { name: 'Drop an order file' })).toBeVisible();
	await expect(page.getByText('Drop your orders export here')).toBeVisible();
	await expect(page.getByTestId('customers')).toHaveCount(0);
});
