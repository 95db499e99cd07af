/**
 * Scoring settings and segment rules changed in the UI: the matrix, the segment table and the
 * export follow. Expected values are derived in the test from the export's own per-customer
 * recency/frequency (themselves checked against an independent calculation in analysis.spec.ts).
 */
import { fileURLToPath } from 'node:url';
import { chooseFile, expect, exportCustomers, matrixCells, openSite, test, waitForResults } from './support/fixtures.ts';
import { gridCustomerIds, waitForGrid } from './support/customer-grid.ts';

const ordersFile = fileURLToPath(new URL('../reference/rfm-r/rfm_data_orders.csv', import.meta.url));

/** The score of `value` under inclusive upper bounds `cuts` (lowest band first); recency reversed. */
function fixedScore(value: number, cuts: number[], reversed: boolean): number {
	const band = cuts.findIndex((c) => value <= c);
	const index = band === -1 ? cuts.length : band;
	return reversed ? cuts.length + 1 - index : index + 1;
}

test('fixed thresholds typed in the settings score every customer by them', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, ordersFile);
	await waitForResults(page);

	await page.getByLabel('Scoring method').selectOption('fixed');
	await waitForResults(page);
	// Frequency bands 1–4 · 5–6 · 7–8 · 9–11 · 12+ instead of the defaults.
	const cuts = { recency: [30, 90, 180, 365], frequency: [4, 6, 8, 11], monetary: [50, 100, 250, 500] };
	for (const [i, v] of cuts.frequency.entries()) {
		await page.getByLabel(`Frequency (orders) threshold ${i + 1}`).fill(String(v));
		await page.getByLabel(`Frequency (orders) threshold ${i + 1}`).press('Enter');
		await waitForResults(page);
	}
	const thresholds = page.getByRole('table', { name: 'How scores were given' });
	await expect(thresholds.locator('td[data-metric="frequency"][data-score="2"]')).toContainText('5 – 6');

	const { rows } = await exportCustomers(page);
	expect(rows).toHaveLength(995);
	for (const row of rows) {
		expect(Number(row.r), `${row.customer_id} r`).toBe(fixedScore(Number(row.recency_days), cuts.recency, true));
		expect(Number(row.f), `${row.customer_id} f`).toBe(fixedScore(Number(row.frequency), cuts.frequency, false));
		expect(Number(row.m), `${row.customer_id} m`).toBe(fixedScore(Number(row.monetary), cuts.monetary, false));
	}
	// The matrix counts the same customers per cell as the export.
	const cells = await matrixCells(page);
	for (const cell of cells) {
		const inCell = rows.filter((r) => Number(r.r) === cell.r && Number(r.f) === cell.f).length;
		expect(cell.customers, `R${cell.r} F${cell.f}`).toBe(inCell);
	}
});

test('a rule renamed and widened in the editor changes the matrix, the segment table and the export', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, ordersFile);
	await waitForResults(page);

	await page.getByRole('tab', { name: 'Segment rules' }).click();
	const first = page.locator('li[data-rule]').first();
	await expect(first).toHaveAttribute('data-rule', 'Champions');
	await first.getByLabel('Name of rule 1').fill('VIPs');
	await first.getByLabel('Name of rule 1').press('Enter');
	const vips = page.locator('li[data-rule="VIPs"]');
	// Champions are R5 F4–5: widen to F3–5, taking R5 F3 from Potential Loyalist (first match wins).
	await vips.getByLabel('VIPs frequency from').selectOption('3');
	await vips.getByLabel('What to do').fill('Invite them to the VIP preview.');
	await vips.getByLabel('What to do').blur();
	await waitForResults(page);
	await expect(page.getByRole('list', { name: 'Rule check' })).toHaveCount(0);

	await page.getByRole('tab', { name: 'Matrix and segments' }).click();
	await waitForResults(page);
	const cells = await matrixCells(page);
	expect(
		cells
			.filter((c) => c.segment === 'VIPs')
			.map((c) => `R${c.r}F${c.f}`)
			.sort()
	).toEqual(['R5F3', 'R5F4', 'R5F5']);
	const table = page.getByRole('table', { name: 'Segments' });
	await expect(table.locator('tr[data-segment="Champions"]')).toHaveCount(0);
	const vipRow = table.locator('tr[data-segment="VIPs"]');
	await expect(vipRow).toContainText('Invite them to the VIP preview.');

	const { header, rows } = await exportCustomers(page);
	expect(header.startsWith('customer_id,first_order,last_order,recency_days,frequency,monetary,r,f,m,rfm,segment')).toBe(true);
	const expectedVips = rows.filter((r) => Number(r.r) === 5 && Number(r.f) >= 3);
	expect(rows.filter((r) => r.segment === 'VIPs')).toEqual(expectedVips);
	expect(expectedVips.length).toBeGreaterThan(0);
	await expect(vipRow.locator('td').first()).toHaveAttribute('data-value', String(expectedVips.length));
	expect(expectedVips.every((r) => r.suggested_action === 'Invite them to the VIP preview.')).toBe(true);
});

test('three score levels give a 3×3 matrix and a rule set rewritten for that scale', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, ordersFile);
	await waitForResults(page);

	await page.getByLabel('Score levels').selectOption('3');
	await waitForResults(page);
	const cells = await matrixCells(page);
	expect(cells).toHaveLength(9);
	expect(cells.reduce((s, c) => s + c.customers, 0)).toBe(995);
	const { rows } = await exportCustomers(page);
	expect(new Set(rows.map((r) => r.r))).toEqual(new Set(['1', '2', '3']));
	await page.getByRole('tab', { name: 'Segment rules' }).click();
	await expect(page.getByRole('list', { name: 'Rule check' })).toHaveCount(0);
});

test('behaviour segments open their customers, and a matrix cell opens its own', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, ordersFile);
	await waitForResults(page);
	const { rows } = await exportCustomers(page);

	// Behaviour segments stand beside the RFM segments, on the same view.
	const loyal = page.locator('tr[data-behaviour="loyal"]');
	// Loyal: more than 5 orders (the default threshold), counted independently from the export.
	const expectedLoyal = rows.filter((r) => Number(r.frequency) > 5);
	await expect(loyal.locator('td').first()).toHaveAttribute('data-value', String(expectedLoyal.length));
	await loyal.getByRole('button', { name: 'Loyal customers' }).click();
	await expect(page.getByRole('heading', { name: `Loyal customers: ${expectedLoyal.length} customers` })).toBeVisible();
	await expect(page.getByRole('tab', { name: 'Customers' })).toHaveAttribute('aria-selected', 'true');

	await page.getByRole('tab', { name: 'Matrix and segments' }).click();
	await page.locator('g.cell[data-r="5"][data-f="5"]').click();
	const inCell = rows.filter((r) => r.r === '5' && r.f === '5');
	await expect(page.getByRole('heading', { name: `Matrix cell R5 F5: ${inCell.length} customers` })).toBeVisible();
	await waitForGrid(page, inCell.length);
	const listed = await gridCustomerIds(page);
	expect(listed.sort()).toEqual(inCell.map((r) => r.customer_id).sort());
});
