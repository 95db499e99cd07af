/**
 * Exploring customers on the R `rfm` package's example orders, scored in "R rfm compatible" mode:
 * every number the page shows is checked against values computed here from the CSV and the
 * quantile breaks the package publishes (tests/reference/rfm-r/NOTES.md).
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { chooseFile, expect, openSite, test, waitForResults } from './support/fixtures.ts';
import { daysBetween, en, gridSegment, parseCsv } from './support/orders.ts';
import { customerGrid, gridCustomerIds, gridRows, waitForGrid } from './support/customer-grid.ts';

const DATA = new URL('../reference/rfm-r/', import.meta.url);
const ordersFile = fileURLToPath(new URL('rfm_data_orders.csv', DATA));
const ANALYSIS_DATE = '2006-12-31';
/** NOTES.md: R rfm's quantile breaks on these orders (already +1); a value at a break gets the higher bin. */
const BREAKS = { recency: [115, 181, 297.4, 482], frequency: [4, 5, 6, 8], monetary: [255.8, 382, 506.4, 666] };
const bin = (x: number, breaks: number[]) => breaks.filter((b) => x >= b).length;

interface Customer {
	id: string;
	orders: { day: string; amount: number }[];
	frequency: number;
	revenue: number;
	lastOrder: string;
	recency: number;
	r: number;
	f: number;
	m: number;
}

/** The customers, computed from the CSV: one order per row (the file has no order id). */
const customers = (() => {
	const [, ...rows] = parseCsv(readFileSync(ordersFile, 'utf8'));
	const byId = new Map<string, Customer>();
	for (const [id, day, amount] of rows) {
		const c = byId.get(id!) ?? { id: id!, orders: [], frequency: 0, revenue: 0, lastOrder: '', recency: 0, r: 0, f: 0, m: 0 };
		c.orders.push({ day: day!, amount: Number(amount) });
		byId.set(id!, c);
	}
	for (const c of byId.values()) {
		c.orders.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
		c.frequency = c.orders.length;
		c.revenue = c.orders.reduce((s, o) => s + o.amount, 0);
		c.lastOrder = c.orders.at(-1)!.day;
		c.recency = daysBetween(c.lastOrder, ANALYSIS_DATE);
		c.r = 5 - bin(c.recency, BREAKS.recency);
		c.f = 1 + bin(c.frequency, BREAKS.frequency);
		c.m = 1 + bin(c.revenue, BREAKS.monetary);
	}
	return [...byId.values()];
})();

// Each test loads a file and walks several views; axe adds seconds per view on a busy machine.
test.describe.configure({ timeout: 180_000 });

const byRevenue = (a: Customer, b: Customer) => b.revenue - a.revenue || (a.id < b.id ? -1 : 1);
const byOrders = (a: Customer, b: Customer) => a.frequency - b.frequency || (a.id < b.id ? -1 : 1);

async function selectByLabelStart(select: Locator, prefix: string): Promise<void> {
	const labels = await select.locator('option').allTextContents();
	const label = labels.find((l) => l.trim().startsWith(prefix));
	expect(label, `an option starting with "${prefix}"`).toBeDefined();
	await select.selectOption({ label: label!.trim() });
}

/** The R example orders, analysed and scored the R rfm way. */
async function openScored(page: Page): Promise<void> {
	await openSite(page);
	await chooseFile(page, ordersFile);
	await waitForResults(page);
	await selectByLabelStart(page.getByLabel('Scoring method'), 'R rfm compatible');
	await expect(page.locator('td[data-metric="recency"][data-score="5"]')).toContainText('under 115');
	await waitForResults(page);
}

test('the independent customers match the published summary', () => {
	// Guards the computation the tests below rely on (NOTES.md: 995 customers, 4,906 orders).
	expect(customers).toHaveLength(995);
	expect(customers.reduce((s, c) => s + c.frequency, 0)).toBe(4906);
});

test('a matrix cell opens exactly its customers; sort, search and columns', async ({ page }) => {
	await openScored(page);
	const inCell = customers.filter((c) => c.r === 5 && c.f === 5);
	expect(inCell.length).toBeGreaterThan(10);
	await page.locator('g.cell[data-r="5"][data-f="5"]').click();
	await expect(page.getByRole('tab', { name: 'Customers' })).toHaveAttribute('aria-selected', 'true');
	await expect(page.getByRole('heading', { name: `Matrix cell R5 F5: ${inCell.length} customers` })).toBeVisible();
	await waitForGrid(page, inCell.length);
	// Default order: highest revenue first.
	expect(await gridCustomerIds(page)).toEqual([...inCell].sort(byRevenue).map((c) => c.id));

	const grid = customerGrid(page);
	const ordersHeader = grid.getByRole('columnheader', { name: 'Orders' });
	await ordersHeader.getByRole('button').click();
	await expect(ordersHeader).toHaveAttribute('aria-sort', 'ascending');
	await waitForGrid(page, inCell.length);
	const ascending = await gridRows(page);
	expect(ascending.map((r) => r.customer_id)).toEqual([...inCell].sort(byOrders).map((c) => c.id));
	expect(ascending.map((r) => Number(r.frequency))).toEqual([...inCell].sort(byOrders).map((c) => c.frequency));
	await ordersHeader.getByRole('button').click();
	await expect(ordersHeader).toHaveAttribute('aria-sort', 'descending');
	await expect.poll(async () => (await gridRows(page))[0]?.frequency).toBe(String(Math.max(...inCell.map((c) => c.frequency))));

	// Search everyone by part of an id, case-insensitively.
	await page.getByRole('button', { name: 'Show all customers' }).click();
	await waitForGrid(page, customers.length);
	await page.getByLabel('Search customers').fill('STARK');
	const stark = customers.filter((c) => c.id.toLowerCase().includes('stark'));
	expect(stark.length).toBeGreaterThan(0);
	await waitForGrid(page, stark.length);
	await expect(page.getByTestId('list-total')).toHaveText(`${stark.length} customers match`);
	expect((await gridCustomerIds(page)).sort()).toEqual(stark.map((c) => c.id).sort());
	await page.getByLabel('Search customers').fill('no such customer %');
	await waitForGrid(page, 0);
	await expect(page.getByText('No customer matches.')).toBeVisible();
	await page.getByLabel('Search customers').fill('');
	await waitForGrid(page, customers.length);

	// Columns: drop Segment, add Average order and R.
	await page
		.locator('summary')
		.filter({ hasText: /^Columns$/ })
		.click();
	await page.getByRole('checkbox', { name: 'Segment', exact: true }).uncheck();
	await page.getByRole('checkbox', { name: 'Average order' }).check();
	await page.getByRole('checkbox', { name: 'R', exact: true }).check();
	// Names show once the ingest keeps the file's first and last names (the `customers` table).
	const names = (await grid.getByRole('columnheader', { name: 'Name' }).count()) > 0 ? ['Name'] : [];
	await expect(grid.getByRole('columnheader')).toHaveText([
		'Customer',
		...names,
		'RFM',
		'R',
		/^Orders/,
		'Revenue',
		'Average order',
		'Last order',
		'Days since'
	]);
	// Back to highest revenue first: a new column sorts ascending, a second click descending.
	const revenueHeader = grid.getByRole('columnheader', { name: /^Revenue/ });
	await revenueHeader.getByRole('button').click();
	await expect(revenueHeader).toHaveAttribute('aria-sort', 'ascending');
	await revenueHeader.getByRole('button').click();
	await expect(revenueHeader).toHaveAttribute('aria-sort', 'descending');
	const expectedTop = [...customers].sort(byRevenue).slice(0, 40);
	await expect(grid.locator('#customer-row-0')).toHaveAttribute('data-customer', expectedTop[0]!.id);
	const top = (await gridRows(page)).slice(0, 40);
	expect(top.map((r) => r.customer_id)).toEqual(expectedTop.map((c) => c.id));
	for (const [i, row] of top.entries()) {
		const c = expectedTop[i]!;
		expect(row.average_order, c.id).toBe(en.money(c.revenue / c.frequency));
		expect(row.r, c.id).toBe(String(c.r));
		expect(row.rfm, c.id).toBe(String(c.r * 100 + c.f * 10 + c.m));
		expect(row.recency_days, c.id).toBe(en.count(c.recency));
		expect(row.segment, c.id).toBeUndefined();
	}
});

test('keyboard: move through the list and open a profile with the right numbers', async ({ page }) => {
	await openScored(page);
	await page.getByRole('tab', { name: 'Customers' }).click();
	await page.getByRole('button', { name: 'Show all customers' }).click();
	await waitForGrid(page, customers.length);
	const grid = customerGrid(page);
	await grid.focus();
	const sorted = [...customers].sort(byRevenue);
	// Down 30 rows (past the first screen: the grid scrolls to keep the active row in view), then up 1.
	for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowUp');
	await expect(grid).toHaveAttribute('aria-activedescendant', 'customer-row-29');
	await expect(grid.locator('#customer-row-29')).toBeInViewport();
	await page.keyboard.press('Enter');
	const c = sorted[29]!;
	const dialog = page.getByRole('dialog', { name: `Customer ${c.id}` });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByTestId('profile-segment')).toHaveText(gridSegment(c.r, c.f));
	await expect(dialog.getByTestId('profile-scores')).toHaveText(`${c.r} ${c.f} ${c.m}`);
	await expect(dialog.getByTestId('profile-orders')).toHaveText(en.count(c.frequency));
	await expect(dialog.getByTestId('profile-total')).toHaveText(en.money(c.revenue));
	await expect(dialog.getByTestId('profile-average')).toHaveText(en.money(c.revenue / c.frequency));
	await expect(dialog.getByTestId('profile-last')).toHaveText(en.date(c.lastOrder));
	await expect(dialog.getByTestId('profile-recency')).toHaveText(en.count(c.recency));
	// Orders over time: one mark per order, and the same orders as a table.
	await expect(dialog.locator('circle')).toHaveCount(c.frequency);
	await dialog.getByText('Orders as a table').click();
	await expect(dialog.getByRole('table', { name: 'Orders' }).locator('tbody tr')).toHaveText(
		c.orders.map((o) => `${en.date(o.day)}${en.money(o.amount)}`)
	);
	await expect(dialog.getByText('This file has no line items')).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(grid).toBeFocused();
	await page.keyboard.press('End');
	await expect(grid).toHaveAttribute('aria-activedescendant', `customer-row-${customers.length - 1}`);
	await expect(grid.locator(`#customer-row-${customers.length - 1}`)).toHaveAttribute('data-customer', sorted.at(-1)!.id);
});

test('matrix cells show the chosen metric, with an accessible tooltip', async ({ page }) => {
	await openScored(page);
	const cell = page.locator('g.cell[data-r="5"][data-f="5"]');
	const inCell = customers.filter((c) => c.r === 5 && c.f === 5);
	const revenue = inCell.reduce((s, c) => s + c.revenue, 0);
	const orders = inCell.reduce((s, c) => s + c.frequency, 0);
	await expect(cell).toHaveAttribute('data-value', String(inCell.length));
	const picker = page.getByLabel('Cells show');
	await picker.selectOption({ label: 'Revenue' });
	await expect(cell).toHaveAttribute('data-value', String(revenue));
	await picker.selectOption({ label: 'Average order value' });
	expect(Number(await cell.getAttribute('data-value'))).toBeCloseTo(revenue / orders, 9);
	await picker.selectOption({ label: 'Average monetary value' });
	await expect.poll(async () => Number(await cell.getAttribute('data-value'))).toBeCloseTo(revenue / inCell.length, 9);

	await cell.hover();
	const tooltip = page.getByRole('tooltip');
	await expect(tooltip).toBeVisible();
	await expect(tooltip).toContainText(`${inCell.length} customers`);
	await expect(tooltip).toContainText(`Revenue ${en.money(revenue)}`);
	await expect(tooltip).toContainText(`Average order ${en.money(revenue / orders)}`);
	await page.mouse.move(0, 0);
	await expect(tooltip).toHaveCount(0);
	// Keyboard focus shows it too, and the cell points at it.
	const other = page.locator('g.cell[data-r="1"][data-f="1"]');
	await other.focus();
	await expect(page.getByRole('tooltip')).toContainText('R1 F1');
	await expect(other).toHaveAttribute('aria-describedby', (await page.getByRole('tooltip').getAttribute('id'))!);
});

test('charts: table views hold the numbers; charts save as SVG and PNG', async ({ page }) => {
	await openScored(page);
	await page.getByRole('tab', { name: 'Charts' }).click();

	const shares = page.getByRole('region', { name: 'Segment sizes: customers vs revenue' });
	const total = customers.reduce((s, c) => s + c.revenue, 0);
	const segments = new Map<string, { customers: number; revenue: number }>();
	for (const c of customers) {
		const s = segments.get(gridSegment(c.r, c.f)) ?? { customers: 0, revenue: 0 };
		s.customers++;
		s.revenue += c.revenue;
		segments.set(gridSegment(c.r, c.f), s);
	}
	await expect(shares.locator('tbody tr')).toHaveCount(segments.size);
	for (const [name, s] of segments) {
		const row = shares.locator(`tr[data-segment="${name}"]`);
		await expect(row.getByRole('cell').nth(0)).toHaveText(en.count(s.customers));
		await expect(row.getByRole('cell').nth(2)).toHaveText(en.money(s.revenue));
		await expect(row.getByRole('cell').nth(3)).toHaveText(
			`${(Math.round((s.revenue / total) * 1000) / 10).toFixed(1).replace(/\.0$/, '')}%`
		);
	}

	// Frequency histogram: each bin's customers, counted here.
	const frequency = page.getByRole('region', { name: 'Frequency: orders per customer' });
	const bins = await frequency.locator('tbody tr').evaluateAll((rows) =>
		rows.map((r) => ({
			from: Number(r.getAttribute('data-from')),
			to: r.getAttribute('data-to') === '' ? null : Number(r.getAttribute('data-to')),
			shown: r.querySelector('td')!.textContent!.trim()
		}))
	);
	expect(bins.length).toBeGreaterThan(3);
	expect(bins[0]!.from).toBeLessThanOrEqual(Math.min(...customers.map((c) => c.frequency)));
	for (const b of bins) {
		const n = customers.filter((c) => c.frequency >= b.from && (b.to === null || c.frequency < b.to)).length;
		expect(b.shown, `orders from ${b.from}`).toBe(en.count(n));
	}
	await expect(page.getByRole('region', { name: 'Recency: days since last order' }).locator('tbody tr').first()).toBeAttached();
	await expect(page.getByRole('region', { name: 'Monetary value per customer' }).locator('tbody tr').first()).toBeAttached();

	// Revenue concentration: the top 20 % (199 customers) and their share, computed here.
	const concentration = page.getByRole('region', { name: 'Revenue concentration' });
	const top = [...customers].sort(byRevenue).slice(0, Math.ceil(0.2 * customers.length));
	const row20 = concentration.locator('tr[data-percent="20"]');
	await expect(row20.getByRole('cell').first()).toHaveText(en.count(top.length));
	expect(Number(await row20.getAttribute('data-share'))).toBeCloseTo(top.reduce((s, c) => s + c.revenue, 0) / total, 9);

	// The table view is read by screen readers all along; "Show table" shows it on screen.
	const table = concentration.getByRole('table', { name: 'Revenue concentration' });
	await expect(table).not.toBeInViewport();
	await concentration.getByRole('button', { name: 'Show table' }).click();
	await expect(concentration.getByRole('button', { name: 'Show table' })).toHaveAttribute('aria-pressed', 'true');
	await expect(table).toBeVisible();
	expect((await table.boundingBox())!.height).toBeGreaterThan(100);

	const [svgDownload] = await Promise.all([page.waitForEvent('download'), concentration.getByRole('button', { name: 'Save SVG' }).click()]);
	expect(svgDownload.suggestedFilename()).toBe('revenue-concentration.svg');
	const svg = await readFile(await svgDownload.path(), 'utf8');
	expect(svg).toMatch(/^<\?xml/);
	expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
	// Styles travel inline: the curve's stroke colour from the component's CSS.
	expect(svg).toMatch(/<path[^>]*style="[^"]*stroke:\s*rgb\(31, 95, 168\)/);
	expect(svg).toContain('Top % of customers (by revenue)');
	const width = Number(/<svg[^>]*\swidth="(\d+)"/.exec(svg)![1]);
	const height = Number(/<svg[^>]*\sheight="(\d+)"/.exec(svg)![1]);

	const [pngDownload] = await Promise.all([page.waitForEvent('download'), concentration.getByRole('button', { name: 'Save PNG' }).click()]);
	expect(pngDownload.suggestedFilename()).toBe('revenue-concentration.png');
	const png = await readFile(await pngDownload.path());
	expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
	// IHDR: width and height at twice the chart's size.
	expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([width * 2, height * 2]);
	await expect(page.getByRole('alert')).toHaveCount(0);
});

/** axe's serious and critical findings, as readable lines. */
async function seriousIssues(page: Page): Promise<string[]> {
	const results = await new AxeBuilder({ page }).analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe finds no serious or critical issue on the main views', async ({ page }) => {
	await openSite(page);
	expect(await seriousIssues(page), 'start page').toEqual([]);
	await openScored(page);
	expect(await seriousIssues(page), 'matrix and segments').toEqual([]);
	await page.getByRole('tab', { name: 'Segment rules' }).click();
	expect(await seriousIssues(page), 'segment rules').toEqual([]);
	await page.getByRole('tab', { name: 'Charts' }).click();
	await expect(page.getByRole('region', { name: 'Revenue concentration' })).toBeVisible();
	expect(await seriousIssues(page), 'charts').toEqual([]);
	await page.getByRole('tab', { name: 'Matrix and segments' }).click();
	await page.locator('g.cell[data-r="5"][data-f="5"]').click();
	await waitForGrid(page);
	expect(await seriousIssues(page), 'customers').toEqual([]);
	await customerGrid(page).focus();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('dialog')).toBeVisible();
	expect(await seriousIssues(page), 'customer profile').toEqual([]);
});
