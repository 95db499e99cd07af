/**
 * Files a merchant may drop by mistake, or that lack what RFM needs: each gets a message in an
 * alert that names the problem, and no analysis.
 */
import { chooseFile, expect, openSite, rfmMatrix, test, waitForResults, type TestFile } from './support/fixtures.ts';
import { csvFile, en, expectedAnalysis, toCsv } from './support/orders.ts';

/** A real 1×1 PNG image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const noResults = async (page: import('@playwright/test').Page) => {
	await expect(rfmMatrix(page)).toHaveCount(0);
	await expect(page.getByTestId('customers')).toHaveCount(0);
};

const unreadable: { what: string; file: TestFile; message: RegExp }[] = [
	{
		what: 'an empty file',
		file: { name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) },
		message: /file is empty \(0 bytes\)/
	},
	{
		what: 'a PNG image',
		file: { name: 'orders.png', mimeType: 'image/png', buffer: PNG },
		message: /This is a PNG image, not an order export/
	},
	{
		what: 'a binary file named .csv',
		file: {
			name: 'orders.csv',
			mimeType: 'text/csv',
			buffer: Buffer.from([0x4f, 0x72, 0x64, 0x00, 0x01, 0x02, 0xfe, 0x00, 0x10, 0x20, 0x00, 0x7f])
		},
		message: /not a text file \(it contains binary data\)/
	}
];

for (const { what, file, message } of unreadable) {
	test(`${what} is refused with a message saying what it is`, async ({ page }) => {
		await openSite(page);
		await chooseFile(page, file);
		await expect(page.getByRole('alert')).toHaveText(message);
		await expect(page.getByRole('alert'), 'says what to do').toContainText('Export your orders');
		await noResults(page);
	});
}

test('a file without a date column asks for the order date; a column without dates excludes every row', async ({ page }) => {
	const csv = toCsv(
		['Order Ref', 'Customer', 'Total'],
		[
			['A-1', 'alice@example.com', '12.50'],
			['A-2', 'bob@example.com', '30.00'],
			['A-3', 'alice@example.com', '7.25'],
			['A-4', 'carol@example.com', '99.90']
		]
	);
	await openSite(page);
	await chooseFile(page, csvFile('no-dates.csv', csv));

	const alert = page.getByRole('alert');
	await expect(alert).toHaveText(/holds the order date\b/);
	await expect(alert).not.toContainText('amount');
	const orderDate = page.getByRole('combobox', { name: 'Order date', exact: true });
	await expect(orderDate).toBeVisible();
	await expect(orderDate).toHaveValue('');
	await expect(page.getByRole('combobox', { name: 'Customer', exact: true })).toHaveValue('Customer');
	await expect(page.getByRole('combobox', { name: 'Order amount', exact: true })).toHaveValue('Total');
	await noResults(page);

	// Choosing a column re-runs the analysis, which finds no date in it and says so.
	await orderDate.selectOption('Order Ref');
	await expect(alert).toHaveText(/None of the 4 rows could be used \(missing or unreadable order date: 4 rows\)/);
	// The panel folds once every field has a column; its summary still shows the choice.
	await expect(page.getByText('Order date: “Order Ref”')).toBeVisible();
	await noResults(page);
});

test('a date column with an unrecognised header is chosen in the mapping panel and the analysis runs', async ({ page }) => {
	const rows = [
		['alice', '2024-03-01', '12.50'],
		['bob', '2024-03-04', '30.00'],
		['alice', '2024-04-11', '7.25'],
		['carol', '2024-04-20', '99.90'],
		['bob', 'soon', '15.00'],
		['dave', '2024-05-02', '40.00'],
		['alice', '2024-05-30', '22.00'],
		['erin', '2024-06-01', '5.00'],
		['bob', '2024-06-03', '18.00'],
		['carol', '2024-06-07', '61.10']
	];
	const csv = toCsv(['Customer', 'When', 'Total'], rows);
	const expected = expectedAnalysis(csv, { customer: 'Customer', date: 'When', amount: 'Total' });
	await openSite(page);
	await chooseFile(page, csvFile('when.csv', csv));
	await expect(page.getByRole('alert')).toHaveText(/holds the order date\b/);
	await noResults(page);

	await page.getByRole('combobox', { name: 'Order date', exact: true }).selectOption('When');
	await waitForResults(page);
	await expect(page.getByRole('alert')).toHaveCount(0);
	await expect(page.getByTestId('customers')).toHaveText(en.count(expected.customers.size));
	await expect(page.getByTestId('orders')).toHaveText(en.count(expected.orders));
	await expect(page.getByTestId('revenue')).toContainText(en.money(expected.revenue));
	await expect(page.getByTestId('analysis-date')).toHaveText(en.date('2024-06-08'));
	await expect(page.getByTestId('rows-used')).toHaveText('9');
	await expect(page.locator('li[data-reason="unreadable_date"]')).toContainText('1 rows');
});

test('a file where no row has a readable amount says that no row could be used, and why', async ({ page }) => {
	const csv = toCsv(
		['Order ID', 'Customer', 'Order Date', 'Total'],
		[
			['1001', 'alice', '2024-03-01', 'n/a'],
			['1002', 'bob', '2024-03-02', ''],
			['1003', 'carol', '2024-03-03', 'TBD'],
			['1004', 'alice', '2024-03-09', '—'],
			['1005', 'dave', '2024-03-11', 'free?']
		]
	);
	await openSite(page);
	await chooseFile(page, csvFile('no-amounts.csv', csv));

	// The detector finds no amount column; the mapping panel asks for it.
	const alert = page.getByRole('alert');
	await expect(alert).toHaveText(/holds the order amount\b/);
	await noResults(page);

	// Taking "Total" anyway: every row is excluded, and the message names the reason and the count.
	await page.getByRole('combobox', { name: 'Order amount', exact: true }).selectOption('Total');
	await expect(alert).toHaveText(/None of the 5 rows could be used \(missing or unreadable amount: 5 rows\)/);
	await expect(alert).toContainText('mapping panel');
	await noResults(page);
});
