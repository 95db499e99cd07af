/**
 * A file beyond what the browser can hold: with DuckDB's memory capped at 64 MB (the page's
 * `?engineMemory=` parameter) a generated 600,000-row export stands in for a 200-million-row one.
 * The page says so in its own words before reading, and the next file is analysed as usual.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ordersCsv } from '../bench/data.ts';
import { capacityRows } from '../../src/lib/ingest/capacity.ts';
import { chooseFile, expect, rfmMatrix, test, waitForResults } from './support/fixtures.ts';
import { csvFile, en, shopOrdersCsv } from './support/orders.ts';

const big = ordersCsv(join(tmpdir(), 'rfm-studio-test-orders'), 600_000, 7);

test('a file too large for the memory says so before reading, and a good file is analysed after it', async ({ page }) => {
	// DuckDB reads `64MB` as 64,000,000 bytes, which the page shows as 61 MB.
	const limit = 64e6;
	expect(big.rows, 'the generated file is beyond 64 MB of memory').toBeGreaterThan(capacityRows(limit));
	await page.goto('./?engineMemory=64MB');
	await expect(page.getByRole('heading', { level: 1, name: 'RFM Studio' })).toBeVisible();
	await chooseFile(page, big.path);

	const alert = page.getByRole('alert');
	await expect(alert).toContainText(/This file has about [\d,]+ rows \(\d+ MB\): more than this browser can analyse at once/);
	// The row count is estimated from the file's first lines: within 5 % of the truth.
	const estimated = Number(/about ([\d,]+) rows \(/.exec((await alert.textContent()) ?? '')![1]!.replaceAll(',', ''));
	expect(Math.abs(estimated / big.rows - 1)).toBeLessThan(0.05);
	// What fits, as the message rounds it (two significant digits).
	await expect(alert).toContainText(`about ${en.count(Number(capacityRows(limit).toPrecision(2)))} rows, with the 61 MB of memory`);
	await expect(alert).toContainText('Nothing was read');
	await expect(alert).toContainText('Export a shorter period');
	await expect(alert).not.toContainText(/Out of Memory|Error|allocate/);
	await expect(rfmMatrix(page)).toHaveCount(0);

	await chooseFile(page, csvFile('shop-orders.csv', shopOrdersCsv()));
	await waitForResults(page);
	await expect(rfmMatrix(page)).toBeVisible();
	await expect(page.getByTestId('customers')).toHaveText('36');
});
