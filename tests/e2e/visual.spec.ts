/**
 * Visual tests (issue 16): the first screen of the overview, every view and the import report at
 * three sizes, light and dark, against the baselines in visual.spec.ts-snapshots/ (made with
 * `npx playwright test tests/e2e/visual.spec.ts --project root --update-snapshots` on Debian's
 * Chromium, which CI runs too). One demo load per size and theme, stepping through the views, keeps
 * the whole file near a minute; the base-path project skips it (playwright.config.ts): the pages
 * are the same.
 *
 * Deterministic: the demo's seed is fixed, so are its dates (it ends on Jan 1, 2026 whatever the
 * clock says); animations are stopped; support/visual.css hides what changes between runs (the
 * offline badge, times in milliseconds).
 */
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test, waitForResults } from './support/fixtures.ts';

const VIEWS = [
	['overview', 'Matrix and segments'],
	['rules', 'Segment rules'],
	['customers', 'Customers'],
	['history', 'History'],
	['repeat', 'Repeat purchases'],
	['predictions', 'Predictions'],
	['builder', 'Builder'],
	['charts', 'Charts']
] as const;

const SIZES = [
	[1440, 900],
	[1280, 720],
	[390, 844]
] as const;

/** Hides what changes between runs (times, the offline badge) while a screenshot is taken. */
const stylePath = fileURLToPath(new URL('./support/visual.css', import.meta.url));

/** What shows that a view has drawn all of its first screen (charts arrive one after another). */
const READY: Partial<Record<(typeof VIEWS)[number][0], (page: Page) => Promise<void>>> = {
	charts: (page) => expect(page.getByRole('region', { name: 'Revenue concentration' })).toBeVisible(),
	builder: (page) => expect(page.getByTestId('count-ms')).toBeVisible(),
	repeat: (page) => expect(page.getByText(/customers have at least two orders/)).toBeVisible()
};

for (const [width, height] of SIZES) {
	for (const colorScheme of ['light', 'dark'] as const) {
		test(`views at ${width}×${height}, ${colorScheme}`, async ({ page }) => {
			test.setTimeout(120_000);
			await page.setViewportSize({ width, height });
			await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
			await page.goto('./#demo=42');
			// Six of these run two at a time: the demo can take longer than the usual wait to score.
			await expect(page.getByRole('tab', { name: 'Matrix and segments' })).toBeVisible({ timeout: 60_000 });
			await waitForResults(page);
			for (const [id, name] of VIEWS) {
				await page.getByRole('tab', { name }).click();
				await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
				await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
				await READY[id]?.(page);
				await page.evaluate(() => scrollTo(0, 0));
				await expect(page, `${id}`).toHaveScreenshot(`${id}-${width}x${height}-${colorScheme}.png`, {
					animations: 'disabled',
					stylePath
				});
			}
			const report = page.locator('#import-report');
			// The same scroll every run (the card's box is rounded to pixels from where it sits).
			await report.evaluate((card) => scrollTo(0, Math.round(card.getBoundingClientRect().top + scrollY) - 16));
			await expect(report).toHaveScreenshot(`import-report-${width}x${height}-${colorScheme}.png`, { animations: 'disabled', stylePath });
		});
	}
}
