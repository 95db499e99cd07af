/**
 * The Predictions tab on the CDNOW sample (../shared/data/cdnow/NOTES.md), dropped as published
 * (whitespace-separated, no header: the CDNOW layout reads it, its $0.00 purchases included): the
 * holdout check fits on orders to 1997-09-30 in weeks, so it must show the published BG/NBD and
 * Gamma-Gamma estimates and the holdout purchases of weeks 40–78.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dropFile, expect, exportCustomers, openSite, test, waitForResults } from './support/fixtures.ts';
import { csvFile, parseCsv } from './support/orders.ts';

const cdnow = {
	name: 'CDNOW_sample.txt',
	mimeType: 'text/plain',
	buffer: readFileSync(resolve(import.meta.dirname, '../../../shared/data/cdnow/CDNOW_sample.txt'))
};

test('Predictions on CDNOW show the published estimates and the holdout check of weeks 40–78', async ({ page }) => {
	await openSite(page);
	await dropFile(page, cdnow);
	await waitForResults(page);
	await page.getByRole('tab', { name: 'Predictions' }).click();
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');

	const fits = page.getByRole('table', { name: 'Fitted parameters' });
	const holdoutFit = fits.getByRole('row', { name: /holdout check/ });
	await expect(holdoutFit.getByRole('rowheader')).toHaveText('Orders to Sep 30, 1997 (holdout check)');
	await expect(holdoutFit.getByRole('cell')).toHaveText([
		'2,357',
		'946',
		'0.243',
		'4.414',
		'0.793',
		'2.426',
		'-9582.4',
		'6.25',
		'3.74',
		'15.44',
		'-4055.9'
	]);
	await expect(fits.getByRole('row', { name: /All orders to Jun 30, 1998/ })).toBeVisible();

	const totals = page.getByRole('definition').filter({ hasText: /^1,882$/ });
	await expect(page.getByText('Actual repeat purchases, weeks 40–78')).toBeVisible();
	await expect(totals).toHaveCount(1);
	await expect(page.getByLabel('Holdout totals').getByRole('definition').nth(1)).toContainText('1,653');

	const groups = page.getByRole('table', { name: 'Holdout check by repeat purchases' });
	await expect(groups.getByRole('row')).toHaveCount(9);
	await expect(groups.getByRole('row', { name: /^0 / }).getByRole('cell')).toHaveText(['1,411', '0.24', '0.23']);
	await expect(groups.getByRole('row', { name: /^7\+ / }).getByRole('cell')).toHaveText(['64', '6.36', '6.16']);
	await expect(page.getByRole('img', { name: /Cumulative repeat purchases/ })).toBeVisible();

	// CDNOW fits well: no warning hides anything.
	await expect(page.getByRole('alert')).toHaveCount(0);
	await expect(page.getByRole('table', { name: 'Predictions by segment' })).toBeVisible();
	await expect(page.getByRole('table', { name: 'Customers with the highest predicted value' }).getByRole('row')).toHaveCount(21);

	const downloading = page.waitForEvent('download');
	await page
		.getByRole('definition')
		.filter({ hasText: /^[\d,]+\s*Export$/ })
		.first()
		.getByRole('button', { name: 'Export' })
		.click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('CDNOW_sample-likely-lost.csv');
	const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
	expect(rows[0]).toEqual([
		'customer_id',
		'segment',
		'repeat_purchases',
		'p_alive',
		'expected_orders_30d',
		'expected_orders_90d',
		'expected_orders_365d',
		'expected_order_value',
		'predicted_value',
		'likely_lost',
		'high_predicted_value'
	]);
	expect(rows.length).toBeGreaterThan(100);
	expect(rows.slice(1).every((r) => Number(r[3]) < 0.3)).toBe(true);

	// The customer export now carries the predictions too.
	const exported = await exportCustomers(page);
	expect(exported.header).toMatch(
		/,p_alive,expected_orders_30d,expected_orders_90d,expected_orders_365d,expected_order_value,predicted_value$/
	);
	expect(exported.rows).toHaveLength(2357);
	expect(exported.rows.every((r) => r.p_alive !== '' && Number(r.p_alive) >= 0 && Number(r.p_alive) <= 1)).toBe(true);
});

test('Predictions are hidden, with the reason, when there are too few repeat buyers', async ({ page }) => {
	const lines = ['customer_id,date,amount'];
	for (let i = 0; i < 150; i++) lines.push(`c${i},2024-01-${String(1 + (i % 28)).padStart(2, '0')},20`);
	for (let i = 0; i < 10; i++) lines.push(`c${i},2024-03-${String(1 + i).padStart(2, '0')},30`);
	await openSite(page);
	await dropFile(page, csvFile('few-repeat.csv', `${lines.join('\n')}\n`));
	await waitForResults(page);
	await page.getByRole('tab', { name: 'Predictions' }).click();
	const warning = page.getByRole('alert', { name: 'Model warnings' });
	await expect(warning).toContainText('Predictions are hidden');
	await expect(warning).toContainText('Only 10 customers ordered again on another day');
	await expect(page.getByRole('table', { name: 'Predictions by segment' })).toHaveCount(0);
	await expect(page.getByRole('table', { name: 'Fitted parameters' })).toBeVisible();
});
