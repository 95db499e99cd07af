/**
 * Scoring settings change the scores without reading the file again.
 */
import { chooseFile, expect, openSite, test, waitForResults } from './support/fixtures.ts';
import { csvFile, shopOrdersCsv } from './support/orders.ts';

test('two settings changed in quick succession both apply, with no stale "Cancelled" message', async ({ page }) => {
	// Regression: the second change cancelled the first rescore but started before it had stopped,
	// on the same DuckDB connection; it failed ("No order could be used") and the first one's
	// "Cancelled" message replaced that error, leaving the old scores under the new settings.
	await openSite(page);
	await chooseFile(page, csvFile('shop-orders.csv', shopOrdersCsv()));
	await waitForResults(page);
	const table = page.getByRole('table', { name: 'Segments' });
	await expect(table.locator('tr[data-segment="Hibernating"]')).toHaveCount(1);

	await page.getByLabel('Scoring method').selectOption('r-rfm');
	await page.getByRole('combobox', { name: 'Segments' }).selectOption('r-rfm');

	// R rfm compatible bands are half-open ("… to under …"); the R rules name "Lost", not "Hibernating".
	const thresholds = page.getByRole('table', { name: 'How scores were given' });
	await expect(thresholds.locator('td[data-metric="frequency"][data-score="1"]')).toContainText('to under');
	await expect(table.locator('tr[data-segment="Lost"]')).toHaveCount(1);
	await expect(table.locator('tr[data-segment="Hibernating"]')).toHaveCount(0);
	await waitForResults(page);
	await expect(page.getByRole('alert')).toHaveCount(0);
	await expect(page.getByLabel('Scoring method')).toHaveValue('r-rfm');
	await expect(page.getByRole('combobox', { name: 'Segments' })).toHaveValue('r-rfm');
});
