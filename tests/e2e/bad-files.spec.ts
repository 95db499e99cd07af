/**
 * What the page shows for bad files (issue 14): stray lines excluded and listed by row, the
 * engine's words only inside "Technical details", and formula cells neutralised in the export.
 * The corpus itself runs as unit tests (tests/unit/bad-input.test.ts); these check the page.
 */
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { chooseFile, exportCustomers, expect, openSite, test, waitForResults } from './support/fixtures.ts';
import { csvFile } from './support/orders.ts';

const HEADER = 'order_id,customer_email,order_date,total';
const orders = (n: number) =>
	Array.from({ length: n }, (_, i) => `${1001 + i},c${i % 6}@example.com,2024-0${1 + (i % 9)}-1${i % 10},${(12 + i).toFixed(2)}`);

test('stray lines are excluded and counted, and the download lists them by row and reason', async ({ page }) => {
	const lines = orders(40);
	lines[4] = '1005,c2@example.com,2024-02-05,1,234.50';
	lines[19] = '1020,c1@example.com,2024-03-01,2,000.00';
	const csv = [HEADER, ...lines, 'Total,,,12345', 'Exported by MyShop'].join('\n') + '\n';
	await openSite(page);
	await chooseFile(page, csvFile('stray.csv', csv));
	await waitForResults(page);
	await expect(page.getByRole('alert')).toHaveCount(0);
	await expect(page.getByTestId('orders')).toHaveText('38');
	await expect(page.locator('li[data-reason="too_many_fields"]')).toContainText('More fields than the header');
	await expect(page.locator('li[data-reason="too_many_fields"]')).toContainText('2 rows');
	await expect(page.locator('li[data-reason="too_few_fields"]')).toContainText('1 rows');
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Download the excluded rows with their reasons (CSV)' }).click()
	]);
	const text = await readFile(await download.path(), 'utf8');
	expect(text).toContain('stray.csv,5,too_many_fields,,,,,,"1005,c2@example.com,2024-02-05,1,234.50"');
	expect(text).toContain('stray.csv,20,too_many_fields,');
	expect(text).toContain('stray.csv,42,too_few_fields,,,,,,Exported by MyShop');
});

test('a .csv.gz cut short is refused in our words, the engine\'s words folded under "Technical details"', async ({ page }, testInfo) => {
	const whole = gzipSync(Buffer.from([HEADER, ...orders(4000)].join('\n') + '\n'));
	await openSite(page);
	await chooseFile(page, {
		name: 'orders.csv.gz',
		mimeType: 'application/gzip',
		buffer: whole.subarray(0, Math.floor(whole.length * 0.6))
	});
	const alert = page.getByRole('alert');
	await expect(alert).toHaveText(
		/^This \.gz file could not be unpacked because it is damaged or incomplete .*Download or export it again.*drop the file inside\.$/
	);
	await expect(alert).not.toContainText('Error');
	// The disclosure sits under the message, in the same box.
	const details = page.locator('.problem details');
	await expect(details.locator('summary')).toHaveText('Technical details');
	await expect(details.locator('pre')).toBeHidden();
	for (const [width, height] of [
		[1440, 900],
		[390, 844]
	] as const) {
		await page.setViewportSize({ width, height });
		await page.screenshot({ path: testInfo.outputPath(`bad-gz-${width}.png`), fullPage: false });
	}
	await details.locator('summary').click();
	await expect(details.locator('pre')).toBeVisible();
	await expect(details.locator('pre')).not.toBeEmpty();
	await page.screenshot({ path: testInfo.outputPath('bad-gz-details-390.png') });
});

test('the customer export writes formula-leading ids with a leading quote; numbers stay as they are', async ({ page }) => {
	const hostile = ['=HYPERLINK("http://evil.example","x")', '@SUM(1+1)', '+cmd|x', '-2+3'];
	const lines = hostile.flatMap((id, i) => [
		`${2001 + i},"${id.replaceAll('"', '""')}",2024-03-0${i + 1},${20 + i}.00`,
		`${2101 + i},"${id.replaceAll('"', '""')}",2024-04-0${i + 1},${30 + i}.00`
	]);
	const csv = ['order_id,customer_id,order_date,total', ...lines, '3001,alice,2024-05-01,15.00'].join('\n') + '\n';
	await openSite(page);
	await chooseFile(page, csvFile('hostile.csv', csv));
	await waitForResults(page);
	const { rows } = await exportCustomers(page);
	const ids = rows.map((r) => r.customer_id);
	for (const id of hostile) expect(ids).toContain(`'${id}`);
	expect(ids.filter((id) => /^[=+\-@\t\r]/.test(id!))).toEqual([]);
	expect(rows.find((r) => r.customer_id === 'alice')?.revenue).toBe('15.0');
});
