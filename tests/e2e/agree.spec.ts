/**
 * Every number agrees with every other (issue 20): a view link keeps every setting and shows the
 * numbers the same view shows when reached by clicking, and says what it cannot apply.
 */
import type { Page } from '@playwright/test';
import { expect, matrixCells, test, waitForResults } from './support/fixtures.ts';

/** Waits until the engine is idle and no link is still loading. */
async function settled(page: Page): Promise<void> {
	await expect(page.getByRole('main')).toHaveAttribute('aria-busy', 'false');
	await expect(page.getByRole('status')).toHaveCount(0);
}

/** The segment table as the page shows it: segment → customers, orders, revenue. */
async function segmentTable(page: Page): Promise<Record<string, number[]>> {
	const rows = page.locator('table.data:has(caption:text-is("Segments")) tbody tr');
	return Object.fromEntries(
		await rows.evaluateAll((trs) =>
			trs.map((tr) => [
				tr.getAttribute('data-segment') ?? '',
				[...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value')))
			])
		)
	);
}

test('a link with lv=4&lb=m12 keeps 1–4 and the 12-month window, with the numbers of the same view reached by clicking', async ({
	page,
	context
}) => {
	await page.goto('./#demo=42&lv=4&lb=m12');
	await waitForResults(page);
	await settled(page);
	await expect(page.getByLabel('Score levels')).toHaveValue('4');
	await expect(page.getByLabel('Orders counted')).toHaveValue('12');
	// The address keeps what the link said.
	await expect.poll(() => new URL(page.url()).hash).toBe('#demo=42&lv=4&lb=m12');
	await expect(page.getByRole('note')).toHaveCount(0);
	const cells = await matrixCells(page);
	expect(cells).toHaveLength(16);
	expect(Math.max(...cells.map((c) => c.r))).toBe(4);
	await expect(page.getByText('Recency score (4 = bought most recently) →')).toBeVisible();
	const table = await segmentTable(page);

	// The same view by clicking: the demo at its defaults, then 1–4 and the last 12 months.
	const clicked = await context.newPage();
	await clicked.goto('./#demo=42');
	await waitForResults(clicked);
	await clicked.getByLabel('Score levels').selectOption('4');
	await settled(clicked);
	await clicked.getByLabel('Orders counted').selectOption('12');
	await settled(clicked);
	await expect.poll(() => new URL(clicked.url()).hash).toBe('#demo=42&lv=4&lb=m12');
	expect(await matrixCells(clicked)).toEqual(cells);
	expect(await segmentTable(clicked)).toEqual(table);
	await expect(clicked.getByTestId('customers')).toHaveText((await page.getByTestId('customers').textContent())!);
	await expect(clicked.getByTestId('revenue')).toHaveText((await page.getByTestId('revenue').textContent())!);
	// And back to 1–5: the default view's numbers, not a drifted map.
	await clicked.getByLabel('Score levels').selectOption('5');
	await settled(clicked);
	await clicked.getByLabel('Orders counted').selectOption('all');
	await settled(clicked);
	const fresh = await context.newPage();
	await fresh.goto('./#demo=42');
	await waitForResults(fresh);
	await settled(fresh);
	expect(await segmentTable(clicked)).toEqual(await segmentTable(fresh));
	expect(await matrixCells(clicked)).toEqual(await matrixCells(fresh));
});

test('a link setting the page cannot apply is named on screen', async ({ page }) => {
	await page.goto('./#demo=42&n=500&lv=7&lb=m12');
	await waitForResults(page);
	await expect(page.getByRole('note')).toContainText('score levels "7" are not 3, 4 or 5 (1–5 is used)');
	await expect(page.getByLabel('Score levels')).toHaveValue('5');
	await expect(page.getByLabel('Orders counted')).toHaveValue('12');
});
