/**
 * The design system (issue 16): every control on every view is one of the shared components in
 * src/lib/ui/controls (each renders a data-component attribute), and axe finds nothing on any view
 * in either theme. Each test loads the demo once and steps through the views, to keep CI short.
 */
import type { Page } from '@playwright/test';
import { expect, test, waitForResults } from './support/fixtures.ts';

const VIEWS = ['Matrix and segments', 'Segment rules', 'Customers', 'History', 'Repeat purchases', 'Predictions', 'Builder', 'Charts'];

/** Opens a view and waits until the page asks the engine for nothing more. */
async function showView(page: Page, view: string): Promise<void> {
	await page.getByRole('tab', { name: view }).click();
	await expect(page.getByRole('tab', { name: view })).toHaveAttribute('aria-selected', 'true');
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
}

/** The visible controls that are not one of the shared components, described for the failure message. */
function strayControls(page: Page): Promise<string[]> {
	return page.evaluate(() =>
		[...document.querySelectorAll<HTMLElement>('button, select, input, textarea, [role=tab], [role=checkbox], [role=radio]')]
			.filter((el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
			.filter((el) => el.getBoundingClientRect().width > 0)
			.filter((el) => !el.closest('[data-component]'))
			// Exempt: the drop zone's file input. The browser draws a file input itself (it cannot be
			// styled), so the drop zone hides it and shows its <label> as the button instead.
			.filter((el) => !(el instanceof HTMLInputElement && el.type === 'file' && el.closest('.drop')))
			.map(
				(el) =>
					`${el.tagName.toLowerCase()}[${el.getAttribute('type') ?? el.getAttribute('role') ?? ''}] "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`
			)
	);
}

test('every visible control on every view is one of the shared components', async ({ page }) => {
	test.setTimeout(120_000);
	await page.goto('./');
	expect(await strayControls(page), 'start page').toEqual([]);
	// A fresh load: a hash typed on a page whose engine is still starting may be ignored.
	await page.goto('about:blank');
	await page.goto('./#demo=42');
	await waitForResults(page);
	for (const view of VIEWS) {
		await showView(page, view);
		await page.waitForTimeout(300);
		expect(await strayControls(page), view).toEqual([]);
	}
});

for (const colorScheme of ['light', 'dark'] as const) {
	test(`axe finds nothing on any view in the ${colorScheme} theme`, async ({ page }) => {
		test.setTimeout(180_000);
		const { default: AxeBuilder } = await import('@axe-core/playwright');
		const violations = async (where: string) => {
			const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
			return results.violations.flatMap((v) =>
				v.nodes.map(
					(n) => `${where}: ${v.id} (${v.impact ?? ''}) ${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`
				)
			);
		};
		await page.emulateMedia({ colorScheme });
		await page.goto('./');
		const found = await violations('start page');
		// A fresh load: a hash typed on a page whose engine is still starting may be ignored.
		await page.goto('about:blank');
		await page.goto('./#demo=42');
		await waitForResults(page);
		for (const view of VIEWS) {
			await showView(page, view);
			await page.waitForTimeout(300);
			found.push(...(await violations(view)));
		}
		expect(found).toEqual([]);
	});
}
