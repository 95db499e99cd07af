// Temporary: screenshots for review, not committed.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { dropFile, expect, openSite, test, waitForResults } from './support/fixtures.ts';
const OUT = '/tmp/agree/shots';
async function settled(page: Page) {
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
	await expect(page.getByRole('status')).toHaveCount(0);
}
for (const [w, h] of [[1440, 900], [390, 844]] as const) {
	test(`shots ${w}`, async ({ page }) => {
		test.setTimeout(180_000);
		await page.setViewportSize({ width: w, height: h });
		await page.goto('./#demo=42&n=1000&lv=4');
		await waitForResults(page);
		await settled(page);
		await page.locator('figure').first().screenshot({ path: `${OUT}/matrix-lv4-${w}.png` });
		await page.locator('tr[data-segment="Champions"]').getByRole('button', { name: 'Champions' }).click();
		await settled(page);
		await page.getByRole('radio', { name: /^Email tool list/ }).check();
		await expect(page.getByTestId('audience-rows')).toBeVisible();
		await page.locator('section.export').screenshot({ path: `${OUT}/export-${w}.png` });
		await page.goto('./#demo=42&n=500&lv=7');
		await waitForResults(page);
		await page.screenshot({ path: `${OUT}/notice-${w}.png` });
		// Shopify: spread scores, summary with < 5.
		await openSite(page);
		await dropFile(page, { name: 'orders_export.csv', mimeType: 'text/csv', buffer: readFileSync('/work/shared/data/shopify/orders_export_forezia_devstore.csv') });
		await waitForResults(page);
		await settled(page);
		await page.locator('table.thresholds').screenshot({ path: `${OUT}/thresholds-${w}.png` });
		await page.locator('.thresholds + *').first().screenshot({ path: `${OUT}/thresholds-note-${w}.png` }).catch(() => {});
		await page.screenshot({ path: `${OUT}/shopify-${w}.png`, fullPage: true });
		await page.getByRole('button', { name: 'Share a summary' }).click();
		const link = await page.getByLabel(/^Summary link/).inputValue();
		await page.goto(link);
		await expect(page.getByRole('heading', { name: /shared summary/ })).toBeVisible();
		await page.screenshot({ path: `${OUT}/summary-${w}.png`, fullPage: true });
		// Returns in a profile and the headline note.
		const csv = 'order_id,customer_id,order_date,amount\n1,A,2024-01-05,100.00\n2,A,2024-02-05,50.00\n3,A,2024-02-20,-20.00\n4,B,2024-03-01,80.00\n5,GONE,2024-03-02,-15.00\n';
		await openSite(page);
		await dropFile(page, { name: 'returns.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
		await waitForResults(page);
		await settled(page);
		await page.getByTestId('revenue-reconcile').screenshot({ path: `${OUT}/reconcile-${w}.png` });
		await page.getByRole('tab', { name: 'Customers' }).click();
		await page.getByRole('button', { name: 'Show all customers' }).click();
		await settled(page);
		await page.locator('[data-customer="A"]').first().dblclick().catch(() => {});
		await page.keyboard.press('Enter').catch(() => {});
		await page.screenshot({ path: `${OUT}/profile-${w}.png`, fullPage: true });
	});
}
