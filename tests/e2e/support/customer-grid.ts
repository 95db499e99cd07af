/**
 * Reading the virtual customer grid: it draws only the rows in view, so reading every customer
 * means scrolling it from top to bottom.
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures.ts';

export const customerGrid = (page: Page): Locator => page.getByRole('grid', { name: 'Customers' });

/** Waits until the grid holds `total` customers (when given) and every drawn row has arrived. */
export async function waitForGrid(page: Page, total?: number): Promise<void> {
	const grid = customerGrid(page);
	// Busy from a new query until its first rows arrive (a sort or search starts the list over).
	await expect(grid).toHaveAttribute('aria-busy', 'false');
	if (total !== undefined) await expect(grid).toHaveAttribute('data-total', String(total));
	await expect(grid.locator('[role="row"][data-customer=""]')).toHaveCount(0);
}

export type GridRow = { customer_id: string } & Record<string, string>;

/** Every row of the grid (customer id, then column id → text as shown), in list order. */
export async function gridRows(page: Page): Promise<GridRow[]> {
	const grid = customerGrid(page);
	await waitForGrid(page);
	const total = Number(await grid.getAttribute('data-total'));
	const seen = new Map<number, GridRow>();
	await grid.evaluate((el) => (el.scrollTop = 0));
	for (let guard = 0; guard < 10_000; guard++) {
		await waitForGrid(page);
		const rows = await grid.locator('[role="row"][data-index]').evaluateAll((els) =>
			els.map((el) => ({
				index: Number(el.getAttribute('data-index')),
				row: {
					...Object.fromEntries(
						[...el.querySelectorAll('[role="gridcell"]')].map((c) => [c.getAttribute('data-column') ?? '', c.textContent?.trim() ?? ''])
					),
					customer_id: el.getAttribute('data-customer') ?? ''
				}
			}))
		);
		for (const { index, row } of rows) seen.set(index, row);
		if (seen.size >= total) break;
		const moved = await grid.evaluate((el) => {
			const before = el.scrollTop;
			el.scrollTop += el.clientHeight * 0.8;
			return el.scrollTop !== before;
		});
		if (!moved) break;
		// Let the scroll event reach the grid before reading again.
		await grid.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))));
	}
	return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
}

/** The customer ids the grid lists, in order. */
export async function gridCustomerIds(page: Page): Promise<string[]> {
	return (await gridRows(page)).map((r) => r.customer_id);
}
