/**
 * Real exports read with no questions asked: the layout is named on screen, every row is accounted
 * for in the import report (with a download of the excluded rows and their reasons), and the
 * merchant can override the layout or pick the currency scored.
 */
import { resolve } from 'node:path';
import { chooseFile, expect, openSite, test, waitForResults } from './support/fixtures.ts';
import { parseCsv } from './support/orders.ts';

const REFERENCE = resolve(import.meta.dirname, '../reference');
const FIXTURES = resolve(import.meta.dirname, '../fixtures');

test('a Shopify export is recognised: one order per Name, guests without any contact counted apart', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, `${REFERENCE}/shopify/orders_export_forezia_devstore.csv`);
	await waitForResults(page);
	await expect(page.getByTestId('layout')).toHaveAttribute('data-layout', 'shopify');
	const summary = page.locator('summary', { hasText: 'Shopify orders export' });
	await expect(summary).toBeVisible();
	// 40 line rows of 19 orders: 9 orders of 3 customers with an email; the 10 other orders (22 rows) have no contact at all.
	await expect(page.getByTestId('rows-read')).toHaveText('40');
	await expect(page.getByTestId('orders-found')).toHaveText('9');
	await expect(page.getByTestId('customers-found')).toHaveText('3');
	await expect(page.locator('li[data-reason="no_customer"]')).toContainText('22');
	await expect(page.getByTestId('customers')).toHaveText('3');

	// The merchant can read the file with the plain mapping instead, and come back.
	await summary.click();
	await page.getByRole('button', { name: 'Map the columns myself instead' }).click();
	await waitForResults(page);
	await expect(page.getByTestId('layout')).toHaveAttribute('data-layout', 'generic');
	await page.getByRole('button', { name: /Read it as a Shopify orders export again/ }).click();
	await waitForResults(page);
	await expect(page.getByTestId('layout')).toHaveAttribute('data-layout', 'shopify');
	await expect(page.getByTestId('orders-found')).toHaveText('9');
});

test('a Shopify export in two currencies scores one, says so, and scores the other on request; excluded rows download with reasons', async ({
	page
}) => {
	await openSite(page);
	await chooseFile(page, `${FIXTURES}/shopify-variant.csv`);
	await waitForResults(page);
	await expect(page.getByTestId('currency-note')).toContainText('EUR (6), USD (1)');
	await expect(page.getByTestId('fallback-note')).toContainText('1 order has no customer email');
	await expect(page.getByTestId('orders-found')).toHaveText('6');
	await expect(page.locator('li[data-reason="refunded"]')).toContainText('1');
	await expect(page.locator('li[data-reason="cancelled"]')).toContainText('1');

	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: /Download the excluded rows/ }).click();
	const download = await downloading;
	const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
	const [header, ...rows] = parseCsv(text);
	expect(header).toEqual(['file', 'row_number', 'reason', 'customer_id', 'order_id', 'order_date', 'amount', 'status', 'line']);
	expect(rows.map((r) => r.slice(0, 5).join(','))).toEqual([
		'shopify-variant.csv,13,refunded,ayumu.hirano@example.com,#1012',
		'shopify-variant.csv,16,cancelled,ayumu.hirano@example.com,#1014',
		// E-mail ids are one customer in any case: written in lower case.
		'shopify-variant.csv,18,other_currency,russel.winfield@example.com,#1016'
	]);

	await page.getByRole('combobox', { name: 'Currency scored' }).selectOption('USD');
	await waitForResults(page);
	await expect(page.getByTestId('orders-found')).toHaveText('1');
	await expect(page.locator('li[data-reason="other_currency"]')).toContainText('15');
});

test('two monthly exports dropped together are appended, and the order in both counts once', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, [`${FIXTURES}/monthly/orders-2024-01.csv`, `${FIXTURES}/monthly/orders-2024-02.csv`]);
	await waitForResults(page);
	await expect(page.getByTestId('rows-read')).toHaveText('8');
	await expect(page.getByTestId('orders-found')).toHaveText('7');
	await expect(page.getByTestId('customers-found')).toHaveText('4');
	await expect(page.locator('li[data-reason="duplicate"]')).toContainText('1');
	await expect(page.getByText('2 files: orders-2024-01.csv, orders-2024-02.csv')).toBeAttached();
});

test("Olist's orders, customers and payments dropped together are joined", async ({ page }) => {
	await openSite(page);
	const dir = `${FIXTURES}/olist`;
	await chooseFile(page, [
		`${dir}/olist_orders_dataset.csv`,
		`${dir}/olist_customers_dataset.csv`,
		`${dir}/olist_order_payments_dataset.csv`
	]);
	await waitForResults(page);
	await expect(page.getByTestId('layout')).toHaveAttribute('data-layout', 'olist');
	await expect(page.getByTestId('orders-found')).toHaveText('4');
	await expect(page.getByTestId('customers-found')).toHaveText('3');
	await expect(page.locator('li[data-reason="cancelled"]')).toContainText('1');
	await expect(page.locator('li[data-reason="not_a_sale"]')).toContainText('1');
});

test('an Olist orders file without its customers file gets a message saying which file to add', async ({ page }) => {
	await openSite(page);
	const dir = `${FIXTURES}/olist`;
	await chooseFile(page, [`${dir}/olist_orders_dataset.csv`, `${dir}/olist_order_payments_dataset.csv`]);
	await expect(page.getByRole('alert')).toContainText('Add olist_customers_dataset.csv');
});

test('UCI invoice lines and a CDNOW log are read by their layouts', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, `${FIXTURES}/uci-online-retail.csv`);
	await waitForResults(page);
	await expect(page.getByTestId('layout')).toHaveAttribute('data-layout', 'uci');
	await expect(page.getByTestId('orders-found')).toHaveText('8');
	await expect(page.getByTestId('return-rows')).toHaveText('2');
	await expect(page.getByTestId('customers')).toHaveText('5');

	await chooseFile(page, `${REFERENCE}/cdnow/CDNOW_sample.txt`);
	await waitForResults(page);
	await expect(page.getByTestId('layout')).toHaveAttribute('data-layout', 'cdnow');
	await expect(page.getByTestId('rows-read')).toHaveText('6,919');
	await expect(page.getByTestId('customers')).toHaveText('2,357');
});

test('dates that read both day-first and month-first are asked about, and the answer re-reads the file', async ({ page }) => {
	const csv = [
		'Order ID,Customer ID,Order Date,Total',
		'A1,ann,03/04/2024,10.00',
		'A2,bob,05/06/2024,20.00',
		'A3,ann,01/02/2024,5.00'
	].join('\n');
	await openSite(page);
	await chooseFile(page, { name: 'ambiguous.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	await waitForResults(page);
	// Day first by default (the slash habit outside the US is not assumed: the sample decides, then the question stays).
	const question = page.getByTestId('date-order-question');
	await expect(question).toBeVisible();
	const order = page.getByRole('combobox', { name: 'Date order' });
	const before = await page.getByTestId('analysis-date').textContent();
	const other = (await order.inputValue()) === 'dmy' ? 'mdy' : 'dmy';
	await order.selectOption(other);
	await waitForResults(page);
	// Latest order: 05/06/2024 is 5 June (day first) or May 6 (month first); the analysis date is the day after.
	await expect(page.getByTestId('analysis-date')).toHaveText(other === 'mdy' ? 'May 7, 2024' : 'Jun 6, 2024');
	expect(await page.getByTestId('analysis-date').textContent()).not.toBe(before);
	await expect(order).toHaveValue(other);
});
