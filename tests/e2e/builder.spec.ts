/**
 * The segment builder end to end on the built site: a two-group segment's live counts against
 * values computed in this file, saving and seeing it again after a reload, opening it as a
 * customer list, every export preset (hashes checked with Node's crypto), keyboard-only use and
 * the printable report.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { parquetReadObjects } from 'hyparquet';
import { chooseFile, expect, openSite, rfmMatrix, test, waitForResults } from './support/fixtures.ts';
import { csvFile, en, parseCsv } from './support/orders.ts';
import { recencyOf, storeOrders, type StoreCustomer } from './support/store-orders.ts';
import { gridCustomerIds } from './support/customer-grid.ts';

const store = storeOrders();
const file = csvFile('store-orders.csv', store.csv);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** (orders ≥ 3 AND total spent > 200) OR (orders = 1 AND days since last order ≤ 60). */
const inSegment = (c: StoreCustomer, analysisDate = store.analysisDate) =>
	(c.orders >= 3 && c.revenueCents > 20_000) || (c.orders === 1 && recencyOf(c, analysisDate) <= 60);
const members = store.customers.filter((c) => inSegment(c));

async function openBuilder(page: Page) {
	await openSite(page);
	await chooseFile(page, file);
	await waitForResults(page);
	await page.getByRole('tab', { name: 'Builder' }).click();
	await expect(page.getByRole('heading', { name: 'Segment builder' })).toBeVisible();
}

const counts = (page: Page) => page.getByRole('region', { name: 'Matching customers' });

async function expectCounts(page: Page, customers: StoreCustomer[]) {
	const orders = customers.reduce((s, c) => s + c.orders, 0);
	const revenue = customers.reduce((s, c) => s + c.revenueCents, 0) / 100;
	await expect(counts(page)).toHaveAttribute('data-state', 'ready');
	await expect(page.getByTestId('builder-customers')).toHaveText(en.count(customers.length));
	await expect(page.getByTestId('builder-orders')).toHaveText(en.count(orders));
	await expect(page.getByTestId('builder-revenue')).toHaveText(en.money(revenue));
	await expect(page.getByTestId('builder-aov')).toHaveText(en.money(orders ? revenue / orders : 0));
}

async function buildTwoGroupSegment(page: Page) {
	await page.getByRole('button', { name: 'Add condition to group 1' }).click();
	await page.getByLabel('Group 1, condition 1: value').fill('3');
	await page.getByRole('button', { name: 'Add condition to group 1' }).click();
	await page.getByLabel('Group 1, condition 2: field').selectOption({ label: 'Total spent' });
	await page.getByLabel('Group 1, condition 2: comparison').selectOption({ label: '>' });
	await page.getByLabel('Group 1, condition 2: value').fill('200');
	await page.getByRole('button', { name: 'Add group' }).click();
	await page.getByLabel('Group 2, condition 1: comparison').selectOption({ label: '=' });
	await page.getByLabel('Group 2, condition 1: value').fill('1');
	await page.getByRole('button', { name: 'Add condition to group 2' }).click();
	await page.getByLabel('Group 2, condition 2: field').selectOption({ label: 'Days since last order' });
	await page.getByLabel('Group 2, condition 2: comparison').selectOption({ label: '≤' });
	await page.getByLabel('Group 2, condition 2: value').fill('60');
	await page.getByLabel('Groups combined with').selectOption('any');
}

async function download(page: Page, layout: RegExp): Promise<{ name: string; rows: string[][] }> {
	await page.getByRole('radio', { name: layout }).check();
	const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download export' }).click()]);
	return { name: file.suggestedFilename(), rows: parseCsv(await readFile(await file.path(), 'utf8')) };
}

test('the fixture covers both groups and customers outside them', () => {
	expect(members.length).toBeGreaterThan(5);
	expect(members.some((c) => c.orders === 1)).toBe(true);
	expect(members.some((c) => c.orders >= 3)).toBe(true);
	expect(store.customers.length - members.length).toBeGreaterThan(5);
});

test('a two-group segment counts the customers, orders, revenue and average order computed independently', async ({ page }) => {
	await openBuilder(page);
	await expectCounts(page, store.customers);
	await buildTwoGroupSegment(page);
	await expectCounts(page, members);
	// AND instead of OR between the groups: nobody has 1 order and 3 or more.
	await page.getByLabel('Groups combined with').selectOption('all');
	await expectCounts(page, []);
	await page.getByLabel('Groups combined with').selectOption('any');
	await expectCounts(page, members);

	await page.getByRole('button', { name: 'Show these customers' }).click();
	await expect(page.getByRole('heading', { name: `Segment “Built segment”: ${members.length} customers` })).toBeVisible();
	const shown = await gridCustomerIds(page);
	expect(shown.sort()).toEqual(members.map((c) => c.id).sort());
});

test('a saved segment is listed with its counts after a reload, and can be edited and deleted', async ({ page }) => {
	await openBuilder(page);
	await buildTwoGroupSegment(page);
	await expectCounts(page, members);
	await page.getByLabel('Segment name').fill('Big or fresh');
	await page.getByRole('button', { name: 'Save segment' }).click();
	await expect(page.getByText('Saved “Big or fresh”.')).toBeVisible();

	await page.reload();
	await openBuilder(page);
	const saved = page.getByRole('table', { name: 'Saved segments' });
	const row = saved.getByRole('row', { name: /Big or fresh/ });
	await expect(row.getByRole('cell').nth(0)).toHaveText(en.count(members.length));
	await expect(row.getByRole('cell').nth(2)).toHaveText(en.money(members.reduce((s, c) => s + c.revenueCents, 0) / 100));

	// Another file: the saved segment is counted again on it.
	const smaller = storeOrders(20);
	const smallerMembers = smaller.customers.filter((c) => inSegment(c, smaller.analysisDate));
	expect(smallerMembers.length).not.toBe(members.length);
	await chooseFile(page, csvFile('store-orders-first-20.csv', smaller.csv));
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
	await expect(page.getByText('store-orders-first-20.csv ·')).toBeVisible();
	await expect(row.getByRole('cell').nth(0)).toHaveText(en.count(smallerMembers.length));
	await expect(row.getByRole('cell').nth(1)).toHaveText(en.count(smallerMembers.reduce((s, c) => s + c.orders, 0)));
	await chooseFile(page, file);
	await expect(page.getByText('store-orders.csv ·')).toBeVisible();
	await expect(row.getByRole('cell').nth(0)).toHaveText(en.count(members.length));

	await row.getByRole('button', { name: 'Edit Big or fresh' }).click();
	await expect(page.getByLabel('Group 2, condition 2: value')).toHaveValue('60');
	await expectCounts(page, members);
	await row.getByRole('button', { name: 'Delete Big or fresh' }).click();
	await expect(page.getByText('No saved segments in this browser yet.')).toBeVisible();
});

test('every export preset holds the segment, hashed as Meta and Google ask', async ({ page }) => {
	await openBuilder(page);
	await buildTwoGroupSegment(page);
	await expectCounts(page, members);
	await page.getByLabel('Segment name').fill('Big or fresh');
	const ids = members.map((c) => c.id).sort();

	const columns = await download(page, /^Columns I choose/);
	expect(columns.name).toBe('store-orders-big-or-fresh.csv');
	expect(columns.rows[0]).toEqual(['customer_id', 'email', 'first_name', 'last_name', 'segment', 'orders', 'total_spent', 'last_order']);
	const byId = new Map(store.customers.map((c) => [c.id, c]));
	expect(
		columns.rows
			.slice(1)
			.map((r) => r[0])
			.sort()
	).toEqual(ids);
	for (const [id, , , , , orders, spent, last] of columns.rows.slice(1)) {
		const c = byId.get(id!)!;
		expect([Number(orders), Number(spent), last]).toEqual([c.orders, c.revenueCents / 100, c.lastOrder]);
	}

	await page.getByRole('radio', { name: /^Email tool list/ }).check();
	await page.getByLabel('Leave out customers who said no to marketing').uncheck();
	const email = await download(page, /^Email tool list/);
	expect(email.rows[0]).toEqual(['email', 'first_name', 'last_name', 'tags']);
	expect(
		email.rows
			.slice(1)
			.map((r) => r[0])
			.sort()
	).toEqual(ids);
	expect(new Set(email.rows.slice(1).map((r) => r[3]))).toEqual(new Set(['Big or fresh']));

	const meta = await download(page, /^Meta customer list/);
	await expect(page.getByTestId('hash-note')).toContainText('plain emails never leave this device');
	expect(meta.rows[0]).toEqual(['email', 'phone', 'fn', 'ln', 'country']);
	expect(
		meta.rows
			.slice(1)
			.map((r) => r[0])
			.sort()
	).toEqual(ids.map((id) => sha256(id.trim().toLowerCase())).sort());
	const metaByHash = new Map(members.map((c) => [sha256(c.id), c]));
	for (const [emailHash, phone, fn] of meta.rows.slice(1)) {
		const c = metaByHash.get(emailHash!)!;
		// Phones and names are there once the ingest reads the richer columns; hashed by Meta's rules then.
		expect(['', sha256(c.phone.replace(/\D/g, ''))]).toContain(phone);
		expect(['', sha256(c.firstName.toLowerCase().replace(/[^\p{L}]/gu, ''))]).toContain(fn);
	}
	expect(meta.rows.flat().join(',')).not.toContain('@');

	const google = await download(page, /^Google Customer Match/);
	expect(google.rows[0]).toEqual(['Email', 'Phone', 'First Name', 'Last Name', 'Country', 'Zip']);
	const googleEmail = (e: string) => (e.endsWith('@gmail.com') ? e.replace(/\.(?=[^@]*@)/g, '') : e);
	expect(googleEmail('ann.lee.4@gmail.com')).toBe('annlee4@gmail.com');
	expect(
		google.rows
			.slice(1)
			.map((r) => r[0])
			.sort()
	).toEqual(ids.map((id) => sha256(googleEmail(id))).sort());
	for (const [emailHash, phone] of google.rows.slice(1)) {
		const c = members.find((m) => sha256(googleEmail(m.id)) === emailHash)!;
		expect(['', sha256(`+${c.phone.replace(/\D/g, '')}`)]).toContain(phone);
	}
});

test('the scored customer table downloads as Parquet with every customer', async ({ page }) => {
	await openBuilder(page);
	const [file] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Scored customer table (Parquet)' }).click()
	]);
	expect(file.suggestedFilename()).toBe('store-orders-rfm-customers.parquet');
	const bytes = await readFile(await file.path());
	const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
	const rows = await parquetReadObjects({ file: buffer });
	expect(rows.map((r) => r.customer_id).sort()).toEqual(store.customers.map((c) => c.id).sort());
	for (const row of rows) {
		const c = store.customers.find((x) => x.id === row.customer_id)!;
		expect([row.frequency, Math.round((row.revenue as number) * 100), (row.last_order as Date).toISOString().slice(0, 10)]).toEqual([
			c.orders,
			c.revenueCents,
			c.lastOrder
		]);
	}
});

test('the builder works from the keyboard alone', async ({ page }) => {
	await openBuilder(page);
	await expectCounts(page, store.customers);
	const add = page.getByRole('button', { name: 'Add condition to group 1' });
	await add.focus();
	await page.keyboard.press('Enter');
	// The new condition's field has the focus: choose "Number of orders" is already there; Tab to the comparison and value.
	await expect(page.getByLabel('Group 1, condition 1: field')).toBeFocused();
	await page.keyboard.press('Tab');
	await expect(page.getByLabel('Group 1, condition 1: comparison')).toBeFocused();
	await page.keyboard.press('Tab');
	await expect(page.getByLabel('Group 1, condition 1: value')).toBeFocused();
	await page.keyboard.press('Control+A');
	await page.keyboard.type('4');
	await expectCounts(
		page,
		store.customers.filter((c) => c.orders >= 4)
	);
	// Remove it again with the keyboard: Tab to "Remove", Enter.
	await page.keyboard.press('Tab');
	await expect(page.getByRole('button', { name: 'Remove group 1, condition 1' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expectCounts(page, store.customers);
	// Save by keyboard.
	await page.getByLabel('Segment name').focus();
	await page.keyboard.type('Everyone');
	await page.keyboard.press('Tab');
	await expect(page.getByRole('button', { name: 'Save segment' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('table', { name: 'Saved segments' }).getByRole('row', { name: /Everyone/ })).toBeVisible();
});

test('the printable report shows the headline, matrix and segment table and hides the controls', async ({ page }) => {
	await openBuilder(page);
	await page.getByRole('tab', { name: 'Matrix and segments' }).click();
	await expect(page.getByRole('table', { name: 'Segments' })).toBeVisible();
	await page.emulateMedia({ media: 'print' });
	await expect(rfmMatrix(page)).toBeVisible();
	await expect(page.getByRole('table', { name: 'Segments' })).toBeVisible();
	await expect(page.getByTestId('customers')).toBeVisible();
	await expect(page.getByRole('banner').getByRole('button', { name: 'Export', exact: true })).toBeHidden();
	await expect(page.getByRole('button', { name: 'Settings' })).toBeHidden();
	await expect(page.getByRole('tablist')).toBeHidden();
	await expect(page.getByRole('region', { name: 'Drop an order file' })).toBeHidden();
});
