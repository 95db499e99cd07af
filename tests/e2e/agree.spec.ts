/**
 * Every number agrees with every other (issue 20): a view link keeps every setting and shows the
 * numbers the same view shows when reached by clicking, and says what it cannot apply; any group
 * goes to the e-mail tool from where the merchant is, one row per address.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, exportCustomers, matrixCells, test, waitForResults } from './support/fixtures.ts';
import { parseCsv } from './support/orders.ts';
import { generateDemoStore } from '../../src/lib/demo/generator.ts';

/** Waits until the engine is idle and no link is still loading. */
async function settled(page: Page): Promise<void> {
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
	await expect(page.getByRole('status')).toHaveCount(0);
}

/** The segment table as the page shows it: segment → customers, orders, revenue. */
async function segmentTable(page: Page): Promise<Record<string, number[]>> {
	const rows = page.locator('table.data:has(caption:text-is("Segments")) tbody tr');
	return Object.fromEntries(
		await rows.evaluateAll((trs) =>
			trs.map((tr) => [
				tr.getAttribute('data-segment') ?? '',
				[...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value')))
			])
		)
	);
}

test('a link with lv=4&lb=m12 keeps 1–4 and the 12-month window, with the numbers of the same view reached by clicking', async ({
	page,
	context
}) => {
	await page.goto('./#demo=42&lv=4&lb=m12');
	await waitForResults(page);
	await settled(page);
	await expect(page.getByLabel('Score levels')).toHaveValue('4');
	await expect(page.getByLabel('Orders counted')).toHaveValue('12');
	// The address keeps what the link said.
	await expect.poll(() => new URL(page.url()).hash).toBe('#demo=42&lv=4&lb=m12');
	await expect(page.getByRole('note')).toHaveCount(0);
	const cells = await matrixCells(page);
	expect(cells).toHaveLength(16);
	expect(Math.max(...cells.map((c) => c.r))).toBe(4);
	await expect(page.getByText('Recency score (4 = bought most recently) →')).toBeVisible();
	const table = await segmentTable(page);

	// The same view by clicking: the demo at its defaults, then 1–4 and the last 12 months.
	const clicked = await context.newPage();
	await clicked.goto('./#demo=42');
	await waitForResults(clicked);
	await clicked.getByLabel('Score levels').selectOption('4');
	await settled(clicked);
	await clicked.getByLabel('Orders counted').selectOption('12');
	await settled(clicked);
	await expect.poll(() => new URL(clicked.url()).hash).toBe('#demo=42&lv=4&lb=m12');
	expect(await matrixCells(clicked)).toEqual(cells);
	expect(await segmentTable(clicked)).toEqual(table);
	await expect(clicked.getByTestId('customers')).toHaveText((await page.getByTestId('customers').textContent())!);
	await expect(clicked.getByTestId('revenue')).toHaveText((await page.getByTestId('revenue').textContent())!);
	// And back to 1–5: the default view's numbers, not a drifted map.
	await clicked.getByLabel('Score levels').selectOption('5');
	await settled(clicked);
	await clicked.getByLabel('Orders counted').selectOption('all');
	await settled(clicked);
	const fresh = await context.newPage();
	await fresh.goto('./#demo=42');
	await waitForResults(fresh);
	await settled(fresh);
	expect(await segmentTable(clicked)).toEqual(await segmentTable(fresh));
	expect(await matrixCells(clicked)).toEqual(await matrixCells(fresh));
});

test('a link setting the page cannot apply is named on screen', async ({ page }) => {
	await page.goto('./#demo=42&n=500&lv=7&lb=m12');
	await waitForResults(page);
	await expect(page.getByRole('note')).toContainText('score levels "7" are not 3, 4 or 5 (1–5 is used)');
	await expect(page.getByLabel('Score levels')).toHaveValue('5');
	await expect(page.getByLabel('Orders counted')).toHaveValue('12');
});

/** The demo store's customers as its generator writes them: e-mail and marketing consent per customer id. */
function demoContacts(seed: number, n: number): Map<string, { email: string; accepts: string }> {
	const lines = Buffer.concat(generateDemoStore(seed, n).parts).toString('utf8').trim().split('\n');
	const header = lines[0]!.split(',');
	const [id, email, accepts] = ['customer_id', 'email', 'accepts_marketing'].map((h) => header.indexOf(h));
	const out = new Map<string, { email: string; accepts: string }>();
	for (const line of lines.slice(1)) {
		const cells = line.split(',');
		if (cells[id!]) out.set(cells[id!]!, { email: cells[email!]!, accepts: cells[accepts!]! });
	}
	return out;
}

/**
 * The e-mail tool list the test expects for these customers: those who did not decline marketing,
 * one row per address (lower-cased), the customer with the most revenue kept (ties: the smaller id).
 */
function expectedEmails(customers: Record<string, string>[], contacts: ReturnType<typeof demoContacts>): string[] {
	const best = new Map<string, { id: string; revenue: number }>();
	for (const c of customers) {
		const contact = contacts.get(c.customer_id!)!;
		if (contact.accepts === 'no') continue;
		const email = contact.email.trim().toLowerCase();
		const revenue = Number(c.revenue);
		const other = best.get(email);
		if (!other || revenue > other.revenue || (revenue === other.revenue && c.customer_id! < other.id))
			best.set(email, { id: c.customer_id!, revenue });
	}
	return [...best.keys()].sort();
}

/** Downloads the e-mail tool list from the export dialog on screen; returns its rows and the counts shown before. */
async function emailList(page: Page): Promise<{ name: string; rows: string[][]; shown: string }> {
	const box = page.locator('details#list-export');
	if (!(await box.evaluate((d) => (d as HTMLDetailsElement).open))) await box.locator('summary').click();
	await page.getByRole('radio', { name: /^Email tool list/ }).check();
	await expect(page.getByTestId('audience-rows')).toBeVisible();
	const shown = (await page.getByTestId('audience-counts').textContent())!;
	const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download export' }).click()]);
	return { name: file.suggestedFilename(), rows: parseCsv(await readFile(await file.path(), 'utf8')), shown };
}

test('Champions to the e-mail tool from the matrix cell, the segment table and a saved segment: the addresses computed here', async ({
	page
}) => {
	await page.goto('./#demo=42&n=1000');
	await waitForResults(page);
	await settled(page);
	const contacts = demoContacts(42, 1000);
	const { rows: scored } = await exportCustomers(page);
	const champions = scored.filter((c) => c.segment === 'Champions');
	const cell = scored.filter((c) => c.r === '5' && c.f === '5');
	expect(cell.length).toBeGreaterThan(5);
	expect(champions.length).toBeGreaterThan(cell.length);
	const wantChampions = expectedEmails(champions, contacts);
	// The demo has customers sharing an address and customers who declined: both are left out here.
	expect(wantChampions.length).toBeLessThan(champions.length);

	// 1. The matrix cell R5 F5 (inside Champions): its customers' list carries the export dialog.
	await page.locator('g.cell[data-r="5"][data-f="5"]').click();
	await settled(page);
	const fromCell = await emailList(page);
	expect(fromCell.rows[0]).toEqual(['email', 'first_name', 'last_name', 'tags']);
	expect(
		fromCell.rows
			.slice(1)
			.map((r) => r[0])
			.sort()
	).toEqual(expectedEmails(cell, contacts));
	expect(new Set(fromCell.rows.slice(1).map((r) => r[3]))).toEqual(new Set(['Champions']));
	const declined = cell.filter((c) => contacts.get(c.customer_id!)!.accepts === 'no').length;
	expect(fromCell.shown).toContain(`${fromCell.rows.length - 1} of ${cell.length} customers go in the file`);
	if (declined > 0) expect(fromCell.shown).toContain(`${declined} declined marketing`);

	// 2. The segment table's Champions.
	await page.getByRole('tab', { name: 'Matrix and segments' }).click();
	await page.locator('tr[data-segment="Champions"]').getByRole('button', { name: 'Champions' }).click();
	await settled(page);
	const fromTable = await emailList(page);
	expect(
		fromTable.rows
			.slice(1)
			.map((r) => r[0])
			.sort()
	).toEqual(wantChampions);
	expect(fromTable.name).toMatch(/champions-email-list\.csv$/);
	const duplicates = champions.filter((c) => contacts.get(c.customer_id!)!.accepts !== 'no').length - wantChampions.length;
	expect(fromTable.shown).toContain(`${wantChampions.length} of ${champions.length} customers go in the file`);
	if (duplicates > 0) expect(fromTable.shown).toContain(`${duplicates} sharing an e-mail address`);

	// 3. A saved segment "RFM segment is Champions", exported straight from the saved list.
	await page.getByRole('tab', { name: 'Builder' }).click();
	await page.getByRole('button', { name: 'Add condition to group 1' }).click();
	await page.getByLabel('Group 1, condition 1: field').selectOption({ label: 'RFM segment' });
	await page.getByLabel('Group 1, condition 1: value').fill('Champions');
	await page.getByLabel('Segment name').fill('Champions');
	await page.getByRole('button', { name: 'Save segment' }).click();
	await page.getByRole('table', { name: 'Saved segments' }).getByRole('button', { name: 'Export Champions' }).click();
	await expect(page.getByRole('heading', { name: `Segment “Champions”: ${champions.length} customers` })).toBeVisible();
	await settled(page);
	const fromSaved = await emailList(page);
	expect(
		fromSaved.rows
			.slice(1)
			.map((r) => r[0])
			.sort()
	).toEqual(wantChampions);
	expect(new Set(fromSaved.rows.slice(1).map((r) => r[3]))).toEqual(new Set(['Champions']));
});
