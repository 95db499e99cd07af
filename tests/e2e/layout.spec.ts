/**
 * The page's layout and themes (issue 16): the whole RFM matrix on the first screen of a laptop,
 * no view wider than a phone, and a dark theme that follows the system or the merchant's choice.
 */
import type { Page } from '@playwright/test';
import { expect, rfmMatrix, test, waitForResults } from './support/fixtures.ts';

const VIEWS = ['Matrix and segments', 'Segment rules', 'Customers', 'History', 'Repeat purchases', 'Predictions', 'Builder', 'Charts'];

async function openDemo(page: Page): Promise<void> {
	await page.goto('./#demo=42');
	await waitForResults(page);
}

for (const [width, height] of [
	[1280, 720],
	[1440, 900]
] as const) {
	test(`at ${width}×${height} the whole matrix is on the first screen, without scrolling`, async ({ page }) => {
		await page.setViewportSize({ width, height });
		await openDemo(page);
		// The segment table beside it has rendered too (it comes a frame after the matrix).
		await expect(page.getByRole('region', { name: 'Segment table' })).toBeVisible();
		expect(await page.evaluate(() => scrollY)).toBe(0);
		const box = await rfmMatrix(page).boundingBox();
		expect(box).not.toBeNull();
		expect(box!.y).toBeGreaterThanOrEqual(0);
		expect(box!.x).toBeGreaterThanOrEqual(0);
		expect(box!.y + box!.height).toBeLessThanOrEqual(height);
		expect(box!.x + box!.width).toBeLessThanOrEqual(width);
		// All 25 cells, at a size a merchant reads (not a thumbnail).
		await expect(rfmMatrix(page).locator('g.cell')).toHaveCount(25);
		expect(box!.width).toBeGreaterThan(400);
	});
}

test('at 390×844 no view makes the page scroll sideways', async ({ page }) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 390, height: 844 });
	await openDemo(page);
	for (const view of VIEWS) {
		await page.getByRole('tab', { name: view }).click();
		await expect(page.getByRole('tab', { name: view })).toHaveAttribute('aria-selected', 'true');
		await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
		// Poll: charts and tables of a view arrive over a few frames.
		await expect
			.poll(() => page.evaluate(() => document.documentElement.scrollWidth - innerWidth), { message: view, timeout: 5_000 })
			.toBeLessThanOrEqual(0);
		// And stays so once the view has settled.
		await page.waitForTimeout(500);
		expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth), view).toBeLessThanOrEqual(0);
	}
});

test('the theme follows the system, and the toggle is remembered without a flash of the other theme', async ({ page }) => {
	const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.goto('./');
	const dark = await background();
	await page.emulateMedia({ colorScheme: 'light' });
	const light = await background();
	expect(dark).not.toEqual(light);

	// The merchant chooses dark while the system is light: kept across a reload.
	const toggle = page.getByRole('button', { name: 'Dark theme' });
	await expect(toggle).toHaveAttribute('aria-pressed', 'false');
	await toggle.click();
	await expect(toggle).toHaveAttribute('aria-pressed', 'true');
	expect(await background()).toEqual(dark);
	// Before any of the app's scripts run (theme.js is in <head>), the page is already dark.
	await page.addInitScript(() => {
		document.addEventListener('DOMContentLoaded', () => {
			(window as unknown as { themeAtLoad: string | null }).themeAtLoad = document.documentElement.getAttribute('data-theme');
		});
	});
	await page.reload();
	expect(await page.evaluate(() => (window as unknown as { themeAtLoad: string | null }).themeAtLoad)).toBe('dark');
	expect(await background()).toEqual(dark);
	await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
	// And back to light.
	await page.getByRole('button', { name: 'Dark theme' }).click();
	expect(await background()).toEqual(light);
});

for (const colorScheme of ['light', 'dark'] as const) {
	test(`axe finds no colour-contrast failure on the overview in the ${colorScheme} theme`, async ({ page }) => {
		const { default: AxeBuilder } = await import('@axe-core/playwright');
		await page.emulateMedia({ colorScheme });
		await openDemo(page);
		await expect(page.getByRole('region', { name: 'Segment table' })).toBeVisible();
		const results = await new AxeBuilder({ page }).withRules(['color-contrast']).analyze();
		const failures = results.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`));
		expect(failures).toEqual([]);
	});
}
