/**
 * Links into the app: the demo store (`#demo=`), view links (demo and the merchant's own file),
 * summary links (aggregates only) and `?src=` files, against the built site.
 */
import { createServer, type Server } from 'node:http';
import type { Page } from '@playwright/test';
import { chooseFile, expect, matrixCells, openSite, test, waitForResults } from './support/fixtures.ts';
import { csvFile, en, expectedAnalysis, shopOrdersCsv } from './support/orders.ts';
import { generateDemoStore } from '../../src/lib/demo/generator.ts';
import { FIRST_NAMES, LAST_NAMES } from '../../src/lib/demo/catalogue.ts';
import { customerGrid, waitForGrid } from './support/customer-grid.ts';

const demoCsv = (seed: number, n: number) => Buffer.concat(generateDemoStore(seed, n).parts).toString('utf8');
const demoColumns = { customer: 'customer_id', date: 'ordered_at', amount: 'line_total', orderId: 'order_id' };

/** Waits until the engine is idle and no link is still loading. */
async function settled(page: Page): Promise<void> {
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
	await expect(page.getByRole('status')).toHaveCount(0);
}

test('#demo=42 opens the demo store: 5,000 customers, the generated date range, its orders', async ({ page }) => {
	const csv = demoCsv(42, 5_000);
	const expected = expectedAnalysis(csv, demoColumns);
	// Orders the ingest does not count: cancelled and refunded ones (their status says so), and guests'.
	const rows = csv.split('\n').slice(1, -1);
	const notSales = new Set(rows.filter((r) => r.split(',')[1] !== '' && /,(cancelled|refunded),USD,/.test(r)).map((r) => r.split(',')[0]))
		.size;

	await page.goto('./#demo=42');
	await waitForResults(page);
	await expect(page).toHaveTitle('demo-store-42.csv — RFM Studio');
	await expect(page.getByTestId('customers')).toHaveText(en.count(5_000));
	expect(expected.customers.size).toBe(5_000);
	await expect(page.getByTestId('date-range')).toHaveText(`${en.date(expected.firstOrder)} – ${en.date(expected.lastOrder)}`);
	await expect(page.getByTestId('analysis-date')).toHaveText(en.date(expected.analysisDate));
	const orders = await page.getByTestId('orders').textContent();
	expect(notSales).toBeGreaterThan(100);
	expect(orders).toBe(en.count(expected.orders - notSales));
	const cells = await matrixCells(page);
	expect(cells.reduce((s, c) => s + c.customers, 0)).toBe(5_000);
	// The address keeps naming the demo (the default size is left out).
	expect(new URL(page.url()).hash).toBe('#demo=42');
});

test('a view link of the demo reopens the same view in a fresh page; back and forward walk the views', async ({ page, context }) => {
	await page.goto('./#demo=7&n=1000');
	await waitForResults(page);
	await page.getByRole('combobox', { name: 'Segments', exact: true }).selectOption('twelve');
	await settled(page);
	await page.getByRole('button', { name: /^R5 F1:/ }).click();
	await expect(page.getByRole('tab', { name: 'Customers' })).toHaveAttribute('aria-selected', 'true');
	await settled(page);
	const heading = await page.locator('#customers-title').textContent();
	expect(heading).toMatch(/: [\d,]+ customers$/);
	await expect.poll(() => new URL(page.url()).hash).toBe('#demo=7&n=1000&tab=customers&rs=twelve&sel=c5.1');

	await page.getByRole('button', { name: 'Copy view link' }).click();
	const link = await page.getByLabel(/^View link/).inputValue();
	expect(link).toBe(page.url());
	// No customer data in a link: ids, emails, names.
	expect(link).not.toMatch(/C1\d{5}|@|example\.com/);

	const fresh = await context.newPage();
	await fresh.goto(link);
	await expect(fresh.getByRole('tab', { name: 'Customers' })).toHaveAttribute('aria-selected', 'true');
	await settled(fresh);
	await expect(fresh.locator('#customers-title')).toHaveText(heading!);
	await expect(fresh.getByRole('combobox', { name: 'Segments', exact: true })).toHaveValue('twelve');
	const total = await customerGrid(page).getAttribute('data-total');
	expect(Number(total)).toBeGreaterThan(0);
	await waitForGrid(fresh, Number(total));
	await fresh.close();

	// Back: the customer list closes and the matrix returns; forward: the list again.
	await page.goBack();
	await expect(page.getByRole('tab', { name: 'Matrix and segments' })).toHaveAttribute('aria-selected', 'true');
	await expect.poll(() => new URL(page.url()).hash).toBe('#demo=7&n=1000&rs=twelve');
	await page.goForward();
	await expect(page.getByRole('tab', { name: 'Customers' })).toHaveAttribute('aria-selected', 'true');
	await settled(page);
	await expect(page.locator('#customers-title')).toHaveText(heading!);
	// Reload keeps the view.
	await page.reload();
	await expect(page.getByRole('tab', { name: 'Customers' })).toHaveAttribute('aria-selected', 'true');
	await settled(page);
	await expect(page.locator('#customers-title')).toHaveText(heading!);
});

test('a view link of the merchant’s own file asks for the file and applies the view only to the same file', async ({ page, context }) => {
	const csv = shopOrdersCsv();
	const file = csvFile('shop-orders.csv', csv);
	await openSite(page);
	await chooseFile(page, file);
	await waitForResults(page);
	await page.getByRole('combobox', { name: 'Segments', exact: true }).selectOption('six');
	await settled(page);
	await page.getByRole('tab', { name: 'Segment rules' }).click();
	await page.getByRole('button', { name: 'Copy view link' }).click();
	const link = await page.getByLabel(/^View link/).inputValue();
	expect(link).toMatch(/#file=\d+-[0-9a-f]{16}&tab=rules&lv=3&rs=six$/);
	expect(link).not.toContain('C-10');

	const other = await context.newPage();
	await other.goto(link);
	await expect(other.getByTestId('pending-view')).toContainText('Choose that file');
	// Another file: told so, shown with the default view.
	await chooseFile(other, csvFile('other.csv', csv.replace('C-1001', 'C-1999')));
	await waitForResults(other);
	await expect(other.getByRole('note').filter({ hasText: 'not the file this link was made from' })).toBeVisible();
	await expect(other.getByRole('combobox', { name: 'Segments', exact: true })).toHaveValue('grid');
	await other.close();

	const same = await context.newPage();
	await same.goto(link);
	await chooseFile(same, file);
	await expect(same.getByRole('tab', { name: 'Segment rules' })).toHaveAttribute('aria-selected', 'true');
	await settled(same);
	await expect(same.getByRole('combobox', { name: 'Segments', exact: true })).toHaveValue('six');
	await expect(same.getByRole('note').filter({ hasText: 'not the file' })).toHaveCount(0);
	await same.close();
});

test('a summary link opens a read-only summary with no customer id, email or name in the page or its address', async ({
	page,
	context
}) => {
	await page.goto('./#demo=42&n=1000');
	await waitForResults(page);
	const cells = await matrixCells(page);
	await page.getByRole('button', { name: 'Share a summary' }).click();
	const link = await page.getByLabel(/^Summary link/).inputValue();
	expect(link).toMatch(/#summary=[A-Za-z0-9_-]+$/);

	const fresh = await context.newPage();
	await fresh.goto(link);
	await expect(fresh.getByRole('heading', { name: /shared summary/ })).toBeVisible();
	await expect(fresh.getByTestId('customers')).toHaveText(en.count(1_000));
	// Cells of fewer than 5 customers travel as "< 5", without their figures; the others exactly.
	const small = (c: { customers: number }) => c.customers > 0 && c.customers < 5;
	expect(await matrixCells(fresh)).toEqual(cells.map((c) => (small(c) ? { ...c, customers: 0, revenue: 0 } : c)));
	for (const c of cells.filter(small)) await expect(fresh.locator(`g.cell[data-r="${c.r}"][data-f="${c.f}"] text.count`)).toHaveText('< 5');
	await expect(fresh.getByRole('table').filter({ hasText: 'Segment' }).first()).toBeVisible();
	// Nothing was loaded: no file, no engine work, no customer list.
	await expect(fresh.getByRole('tab', { name: 'Customers' })).toHaveCount(0);

	const html = await fresh.content();
	const url = fresh.url();
	const csv = demoCsv(42, 1_000);
	const ids = [...new Set(csv.match(/C1\d{5}/g))];
	expect(ids.length).toBe(1_000);
	for (const text of [html, url, decodeURIComponent(url)]) {
		expect(text).not.toMatch(/C1\d{5}/);
		expect(text).not.toContain('@example.com');
		expect(text).not.toMatch(/\+1 555/);
		for (const name of [...FIRST_NAMES, ...LAST_NAMES]) expect(text, `name ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
	}
	await fresh.close();
});

/** A second origin serving a CSV, with or without CORS, like a public bucket. */
async function fileServer(port: number, csv: string): Promise<Server> {
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
		if (url.pathname === '/cors/orders.csv') {
			res.setHeader('access-control-allow-origin', '*');
			res.setHeader('content-type', 'text/csv');
			res.end(csv);
		} else if (url.pathname === '/private/orders.csv') {
			res.setHeader('content-type', 'text/csv');
			res.end(csv);
		} else if (url.pathname === '/cors/page.html') {
			res.setHeader('access-control-allow-origin', '*');
			res.setHeader('content-type', 'text/html');
			res.end('<html>not a file</html>');
		} else {
			res.statusCode = 404;
			res.setHeader('access-control-allow-origin', '*');
			res.end('Not found');
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	return server;
}

test('?src= opens a CSV from another origin that allows it, and explains a refusal or a web page', async ({
	page,
	traffic,
	basePath
}, testInfo) => {
	const csv = shopOrdersCsv();
	const expected = expectedAnalysis(csv, {
		customer: 'Client Ref',
		date: 'Purchase Timestamp',
		amount: 'Order Value (EUR)',
		orderId: 'Order #'
	});
	// One port per project, next to the two sites (E2E_PORT, +1): the projects may run at once.
	const port = Number(process.env.E2E_PORT ?? 4317) + (basePath ? 3 : 2) + 10 * testInfo.repeatEachIndex;
	const origin = `http://127.0.0.1:${port}`;
	traffic.allowed.push(origin);
	const server = await fileServer(port, csv);
	try {
		await page.goto(`./?src=${encodeURIComponent(`${origin}/cors/orders.csv`)}`);
		await waitForResults(page);
		await expect(page.getByText(/^orders\.csv · \d+ KB$/)).toBeVisible();
		await expect(page.getByTestId('customers')).toHaveText(en.count(expected.customers.size));
		await expect(page.getByTestId('orders')).toHaveText(en.count(expected.orders));

		await page.goto(`./?src=${encodeURIComponent(`${origin}/private/orders.csv`)}`);
		await expect(page.getByRole('alert')).toContainText(`127.0.0.1:${port} did not let this page read orders.csv`);
		await expect(page.getByRole('alert')).toContainText('CORS');

		await page.goto(`./?src=${encodeURIComponent(`${origin}/cors/missing.csv`)}`);
		await expect(page.getByRole('alert')).toContainText('answered "404 Not Found" for missing.csv');

		await page.goto(`./?src=${encodeURIComponent(`${origin}/cors/page.html`)}`);
		await expect(page.getByRole('alert')).toContainText('sent a web page, not a data file');

		await page.goto(`./?src=${encodeURIComponent('http://example.com/orders.csv')}`);
		await expect(page.getByRole('alert')).toContainText('Only https:// files can be opened by link');
	} finally {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
});
