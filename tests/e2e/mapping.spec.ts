/**
 * The mapping panel: it shows which column feeds each field, and choosing another column
 * re-reads the file with it.
 */
import { chooseFile, expect, openSite, test, waitForResults } from './support/fixtures.ts';
import { COLUMNS, csvFile, en, expectedAnalysis, shopOrdersCsv } from './support/orders.ts';

const csv = shopOrdersCsv();
const columns = { customer: COLUMNS.customer, date: COLUMNS.date, amount: COLUMNS.amount, orderId: COLUMNS.orderId };
const byClient = expectedAnalysis(csv, columns);
const byCountry = expectedAnalysis(csv, { ...columns, customer: COLUMNS.country });

test('the detected columns are shown, and choosing another customer column re-scores by it', async ({ page }) => {
	// Rows without a client ref do have a country: scored by country, they are used.
	expect(byCountry.customers.size).toBe(5);
	expect(byCountry.rowsUsed).toBe(byClient.rowsUsed + 2);

	await openSite(page);
	await chooseFile(page, csvFile('shop-orders.csv', csv));
	await waitForResults(page);
	await expect(page.getByTestId('customers')).toHaveText(en.count(byClient.customers.size));

	// Every required column was found, so the panel is folded with a summary of the choices.
	const summary = page.getByText('Order file', { exact: true });
	await expect(page.getByText(`Customer: “${COLUMNS.customer}”`)).toBeVisible();
	await summary.click();
	const customer = page.getByRole('combobox', { name: 'Customer', exact: true });
	await expect(customer).toHaveValue(COLUMNS.customer);
	await expect(page.getByRole('combobox', { name: 'Order id', exact: true })).toHaveValue(COLUMNS.orderId);
	await expect(page.getByRole('combobox', { name: 'Order date', exact: true })).toHaveValue(COLUMNS.date);
	await expect(page.getByRole('combobox', { name: 'Order amount', exact: true })).toHaveValue(COLUMNS.amount);
	await expect(page.getByRole('table', { name: 'First rows of shop-orders.csv' })).toBeVisible();

	await customer.selectOption(COLUMNS.country);
	await waitForResults(page);
	await expect(page.getByTestId('customers')).toHaveText(en.count(byCountry.customers.size));
	await expect(page.getByTestId('orders')).toHaveText(en.count(byCountry.orders));
	await expect(page.getByTestId('revenue')).toContainText(en.money(byCountry.revenue));
	await expect(page.getByTestId('rows-used')).toHaveText(en.count(byCountry.rowsUsed));
	await expect(page.locator('li[data-reason="no_customer"]')).toHaveCount(0);
	await expect(page.getByTestId('analysis-date')).toHaveText(en.date(byCountry.analysisDate));
	await expect(page.getByText(`Customer: “${COLUMNS.country}”`)).toBeVisible();

	// And back: the first numbers return.
	await page.getByRole('combobox', { name: 'Customer', exact: true }).selectOption(COLUMNS.customer);
	await waitForResults(page);
	await expect(page.getByTestId('customers')).toHaveText(en.count(byClient.customers.size));
	await expect(page.getByTestId('rows-used')).toHaveText(en.count(byClient.rowsUsed));
	await expect(page.getByRole('alert')).toHaveCount(0);
});
