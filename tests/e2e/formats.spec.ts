/**
 * File formats on the built site: a workbook with a sheet picker, Parquet, a Latin-1 file, and a
 * message the merchant can act on for each file that cannot be used.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chooseFile, dropZone, expect, openSite, test, waitForResults, type TestFile } from './support/fixtures.ts';
import { en } from './support/orders.ts';
import { expectedFigures, FIXTURE_ORDERS } from '../fixtures/orders-data.ts';

const fixture = (name: string, mimeType = 'application/octet-stream'): TestFile => ({
	name,
	mimeType,
	buffer: readFileSync(resolve(import.meta.dirname, '../fixtures/formats', name))
});

const expected = expectedFigures();

const noResults = async (page: import('@playwright/test').Page) => {
	await expect(page.getByRole('img', { name: /^RFM matrix/ })).toHaveCount(0);
	await expect(page.getByTestId('customers')).toHaveCount(0);
};

async function expectFixtureResults(page: import('@playwright/test').Page) {
	await waitForResults(page);
	await expect(page.getByRole('alert')).toHaveCount(0);
	await expect(page.getByTestId('customers')).toHaveText(en.count(expected.customers));
	await expect(page.getByTestId('orders')).toHaveText(en.count(expected.orders));
	await expect(page.getByTestId('revenue')).toContainText(en.money(expected.revenue));
	await expect(page.getByTestId('rows-used')).toHaveText(String(FIXTURE_ORDERS.length));
}

test('an Excel workbook is read from the sheet with the orders, and another sheet can be picked', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, fixture('orders.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'));
	await expectFixtureResults(page);
	await expect(page.getByTestId('file-format')).toHaveText('Excel workbook');
	const sheet = page.getByRole('combobox', { name: 'Sheet' });
	await expect(sheet).toHaveValue('Orders');
	await expect(page.getByText('Read the sheet "Orders" (2 of the 2 sheets hold a table')).toBeVisible();

	// The summary sheet has no customer and no order date: the mapping panel asks for them.
	await sheet.selectOption('Summary');
	await expect(page.getByRole('alert')).toHaveText(/holds the customer and the order date\b/);
	await noResults(page);
	await expect(sheet).toHaveValue('Summary');
	await sheet.selectOption('Orders');
	await expectFixtureResults(page);
});

test('a Parquet file loads offline with the same figures', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, fixture('orders.parquet'));
	await expectFixtureResults(page);
	await expect(page.getByTestId('file-format')).toHaveText('Parquet file');
});

test('a Latin-1 file shows its accents, and a .csv.gz file is unpacked', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, fixture('orders-latin1.csv', 'text/csv'));
	await expectFixtureResults(page);
	await expect(page.getByTestId('file-format')).toHaveText('Delimited text, Windows-1252 / Latin-1');
	await expect(page.getByText('Read as Windows-1252 (Latin-1) text (the file is not UTF-8).')).toBeVisible();
	// The preview (folded once the analysis runs) shows the names as written.
	await expect(page.getByRole('cell', { name: FIXTURE_ORDERS[0]!.name, includeHidden: true }).first()).toBeAttached();

	await chooseFile(page, fixture('orders.csv.gz', 'application/gzip'));
	await expectFixtureResults(page);
	await expect(page.getByTestId('file-format')).toHaveText('Compressed text (.gz), UTF-8');
});

const header = 'Order ID,Customer,Order Date,Total';
const unusable: { what: string; file: TestFile; message: RegExp }[] = [
	{
		what: 'a file with only a header',
		file: { name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\r\n`) },
		message:
			/^This file has a header \(Order ID, Customer, Order Date, Total\) but no rows of orders\. Export the orders again .*drop the new file here\.$/
	},
	{
		what: 'a file whose separator is not recognised (one column)',
		file: {
			name: 'orders.csv',
			mimeType: 'text/csv',
			buffer: Buffer.from('order_id:customer:date:amount\n1:alice:2024-01-01:5\n2:bob:2024-01-02:6\n')
		},
		message:
			/^Only one column was found in this file \(its first line is "order_id:customer:date:amount"\).*No comma, semicolon, tab or pipe/
	},
	{
		what: 'a workbook with no table on any sheet',
		file: fixture('no-table.xlsx'),
		message: /^None of the sheets in this workbook \("Cover", "Empty"\) holds a table of orders/
	},
	{
		what: 'a damaged workbook',
		file: fixture('corrupt.xlsx'),
		message: /^This Excel workbook could not be opened .*damaged/
	},
	{
		what: 'a damaged .gz file',
		file: fixture('corrupt.csv.gz'),
		message: /^This \.gz file could not be unpacked .*damaged or incomplete/
	},
	{
		what: 'a damaged Parquet file',
		file: fixture('corrupt.parquet'),
		message: /^This Parquet file could not be read .*damaged or incomplete/
	}
];

for (const { what, file, message } of unusable) {
	test(`${what} gets a message that says what is wrong`, async ({ page }) => {
		await openSite(page);
		await chooseFile(page, file);
		await expect(page.getByRole('alert')).toHaveText(message);
		await noResults(page);
	});
}

test('every amount unreadable in a JSON file: no row could be used, and why', async ({ page }) => {
	const json = JSON.stringify(
		FIXTURE_ORDERS.slice(0, 5).map((o) => ({ order_id: o.orderId, customer_id: o.customer, order_date: o.orderedAt, total: 'n/a' }))
	);
	await openSite(page);
	await chooseFile(page, { name: 'orders.json', mimeType: 'application/json', buffer: Buffer.from(json) });
	await expect(page.getByRole('alert')).toHaveText(/holds the order amount\b/);
	await page.getByRole('combobox', { name: 'Order amount', exact: true }).selectOption('total');
	await expect(page.getByRole('alert')).toHaveText(/None of the 5 rows could be used \(missing or unreadable amount: 5 rows\)/);
	await noResults(page);
});

test('a workbook larger than the browser can hold: the limit and what to do', async ({ page }) => {
	await openSite(page);
	// 101 MB that start like a workbook (a ZIP): refused from its size before it is read.
	const dataTransfer = await page.evaluateHandle(() => {
		const dt = new DataTransfer();
		const zipStart = new Uint8Array([0x50, 0x4b, 0x03, 0x04]);
		dt.items.add(new File([zipStart, new Uint8Array(101 * 2 ** 20)], 'huge.xlsx'));
		return dt;
	});
	await dropZone(page).dispatchEvent('drop', { dataTransfer });
	await expect(page.getByRole('alert')).toHaveText(
		/^This file is 101 MB: too large for this browser to hold in memory, which it must do for Excel workbooks \(up to 100 MB\)\. Save the sheet as "CSV UTF-8"/
	);
	await noResults(page);
});
