/**
 * The R package `rfm` 0.3.0's own example data, scored in "R rfm compatible" mode with its README
 * rules, must show the segment summary the package publishes (tests/reference/rfm-r/NOTES.md).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator } from '@playwright/test';
import { chooseFile, expect, exportCustomers, openSite, test, waitForResults } from './support/fixtures.ts';
import { en, parseCsv } from './support/orders.ts';
import { README_FIRST_TEN } from '../support/r-rfm-reference';

const DATA = new URL('../reference/rfm-r/', import.meta.url);
const ordersFile = fileURLToPath(new URL('rfm_data_orders.csv', DATA));
const [, ...summaryRows] = parseCsv(readFileSync(new URL('expected_segment_summary_orders_2006-12-31.csv', DATA), 'utf8'));
/** segment,customers,orders,revenue,aov — aov as R's tibble prints it, to 3 significant digits. */
const published = summaryRows.map(([segment, customers, orders, revenue, aov]) => ({
	segment: segment!,
	customers: Number(customers),
	orders: Number(orders),
	revenue: Number(revenue),
	aov: Number(aov)
}));

/** Selects the option whose label starts with `prefix` (labels carry an explanation after the name). */
async function selectByLabelStart(select: Locator, prefix: string): Promise<void> {
	const labels = await select.locator('option').allTextContents();
	const label = labels.find((l) => l.trim().startsWith(prefix));
	expect(label, `an option starting with "${prefix}" in ${JSON.stringify(labels)}`).toBeDefined();
	await select.selectOption({ label: label!.trim() });
}

test('R rfm compatible scoring with the R package rules shows the published segment summary', async ({ page }) => {
	expect(published).toHaveLength(10);
	await openSite(page);
	await chooseFile(page, ordersFile);
	await waitForResults(page);

	// NOTES.md: 995 customers, 4,906 orders, revenue 464,158, analysis date 2006-12-31.
	await expect(page.getByTestId('customers')).toHaveText('995');
	await expect(page.getByTestId('orders')).toHaveText('4,906');
	await expect(page.getByTestId('revenue')).toContainText('464,158.00');
	await expect(page.getByTestId('analysis-date')).toHaveText(en.date('2006-12-31'));

	const thresholds = page.getByRole('table', { name: 'How scores were given' });
	await selectByLabelStart(page.getByLabel('Scoring method'), 'R rfm compatible');
	// NOTES.md: the R breaks for recency are 115, 181, 297.4, 482 (already +1); score 5 is below 115 days.
	await expect(thresholds.locator('td[data-metric="recency"][data-score="5"]')).toContainText('under 115');
	await waitForResults(page);

	await selectByLabelStart(page.getByRole('combobox', { name: 'Segments' }), 'R rfm package rules');
	const table = page.getByRole('table', { name: 'Segments' });
	// "Lost" and "Loyal Customers" exist only in the R rules: the table shows the re-scored segments.
	await expect(table.locator('tr[data-segment="Lost"]')).toHaveCount(1);
	await expect(table.locator('tr[data-segment="Loyal Customers"]')).toHaveCount(1);
	await expect(table.locator('tbody tr[data-segment]')).toHaveCount(published.length);
	await expect(table.locator('tr[data-segment="Others"]')).toHaveCount(0);
	await waitForResults(page);

	for (const want of published) {
		const row = table.locator(`tr[data-segment="${want.segment}"]`);
		// The row header names the segment (a button opening its customers), then its description.
		await expect(row.getByRole('rowheader').getByRole('button')).toHaveText(want.segment);
		// Customers, orders and revenue carry their exact values in data-value.
		const values = row.locator('td[data-value]');
		await expect(values).toHaveCount(3);
		await expect(values.nth(0), `${want.segment} customers`).toHaveAttribute('data-value', String(want.customers));
		await expect(values.nth(1), `${want.segment} orders`).toHaveAttribute('data-value', String(want.orders));
		await expect(values.nth(2), `${want.segment} revenue`).toHaveAttribute('data-value', String(want.revenue));
		// The page's average order value against the one R printed, to 3 significant digits
		// (87.65 printed as "87.6"): allow one unit of the last printed digit.
		const aovText = (await row.getByRole('cell').nth(5).textContent())!;
		const unit = 10 ** (Math.floor(Math.log10(want.aov)) - 2);
		expect(
			Math.abs(Number(aovText.replace(/[^0-9.]/g, '')) - want.aov),
			`${want.segment} average order value ${aovText} vs ${want.aov}`
		).toBeLessThanOrEqual(unit);
	}
	await expect(page.getByRole('alert')).toHaveCount(0);

	// NOTES.md: the README's first customers and their R rfm scores.
	const exported = await exportCustomers(page);
	const byId = new Map(exported.rows.map((r) => [r.customer_id, r]));
	const readme = README_FIRST_TEN;
	for (const [id, recency, frequency, monetary, rfm] of readme) {
		const row = byId.get(id);
		expect(row, id).toBeDefined();
		expect([Number(row!.recency_days), Number(row!.frequency), Number(row!.monetary), Number(row!.rfm)], id).toEqual([
			recency,
			frequency,
			monetary,
			rfm
		]);
	}
});
