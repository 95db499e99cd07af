/**
 * History end to end: a generated order file dropped on the page (the demo store is built in
 * parallel; this fixture stands in for it), the History tab's migration between the default
 * dates, a flow clicked open as a customer list, and that list saved as a segment.
 */
import { dropFile, expect, openSite, test, waitForResults } from './support/fixtures.ts';
import { csvFile } from './support/orders.ts';
import { seededRandom } from '../support/random.ts';
import { gridRows, waitForGrid } from './support/customer-grid.ts';

const DAY = 86_400_000;
const isoOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;

/** 300 customers over 18 months: one-off buyers, regulars, and regulars who stopped 100–200 days before the end. */
function historyOrdersCsv(): { csv: string; firstOrders: Map<string, string>; lastOrder: string } {
	const rnd = seededRandom(11);
	const start = dayOf('2023-01-01');
	const end = dayOf('2024-06-30');
	const rows: string[] = ['order_id,customer_id,order_date,amount'];
	const firstOrders = new Map<string, string>();
	let lastOrder = '';
	let n = 0;
	for (let c = 0; c < 300; c++) {
		const id = `C${2000 + c}`;
		const first = start + Math.floor((end - start) * rnd());
		const kind = rnd();
		// Stoppers buy often, then stop, so some Champions of 90 days ago are at risk today.
		const stop = kind < 0.2 ? end - 100 - Math.floor(100 * rnd()) : end;
		const count = kind < 0.45 ? 1 + Math.floor(12 * rnd()) : rnd() < 0.6 ? 1 : 2 + Math.floor(3 * rnd());
		const from = Math.min(first, stop);
		for (let k = 0; k < count; k++) {
			const day = k === 0 ? from : from + Math.floor((stop - from + 1) * rnd());
			const date = isoOf(day);
			if (!firstOrders.has(id) || date < firstOrders.get(id)!) firstOrders.set(id, date);
			if (date > lastOrder) lastOrder = date;
			rows.push(`#${++n},${id},${date},${(10 + 190 * rnd()).toFixed(2)}`);
		}
	}
	return { csv: rows.join('\n') + '\n', firstOrders, lastOrder };
}

const fixture = historyOrdersCsv();
const en = (iso: string) =>
	new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
		new Date(`${iso}T00:00:00Z`)
	);

test('History: the migration since 90 days ago, a flow opened as its customers and saved as a segment', async ({ page }) => {
	test.setTimeout(120_000);
	const analysisDate = isoOf(dayOf(fixture.lastOrder) + 1);
	const from = isoOf(dayOf(analysisDate) - 90);
	const newcomers = [...fixture.firstOrders.values()].filter((d) => d > from).length;

	await openSite(page);
	await dropFile(page, csvFile('history-orders.csv', fixture.csv));
	await waitForResults(page);
	await page.getByRole('tab', { name: 'History' }).click();

	const sankey = page.getByRole('group', { name: /^Customers moving between segments/ });
	await expect(sankey).toBeVisible({ timeout: 60_000 });
	await expect(page.getByLabel('From', { exact: true })).toHaveValue(from);
	await expect(page.getByLabel('To', { exact: true })).toHaveValue(analysisDate);

	const bands = sankey.locator('path[data-from]');
	const flows = await bands.evaluateAll((paths) =>
		paths.map((p) => ({
			from: p.getAttribute('data-from')!,
			to: p.getAttribute('data-to')!,
			customers: Number(p.getAttribute('data-customers'))
		}))
	);
	// Every customer is in one flow; the new customers of the period come from "Not yet customers".
	expect(flows.reduce((s, f) => s + f.customers, 0)).toBe(fixture.firstOrders.size);
	expect(flows.filter((f) => f.from === 'Not yet customers').reduce((s, f) => s + f.customers, 0)).toBe(newcomers);
	expect(newcomers).toBeGreaterThan(0);

	// The transition matrix says the same: one cell per flow with its customers, and every customer in its total.
	const matrix = page.getByRole('table', { name: 'Transition matrix' });
	const count = (n: number) => new Intl.NumberFormat('en-US').format(n);
	const cells = await matrix.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));
	expect(cells.sort()).toEqual(flows.map((f) => `${f.from} to ${f.to}: ${count(f.customers)} customers`).sort());
	await expect(matrix.locator('tfoot tr').first().getByRole('cell').last()).toHaveText(count(fixture.firstOrders.size));

	// Open the largest flow between two different segments, from the keyboard.
	const moved = flows.filter((f) => f.from !== f.to && f.from !== 'Not yet customers').sort((a, b) => b.customers - a.customers)[0]!;
	const band = sankey.locator(`path[data-from="${moved.from}"][data-to="${moved.to}"]`);
	await band.focus();
	await page.keyboard.press('Enter');

	const heading = page.getByRole('heading', {
		name: `${moved.from} on ${en(from)}, ${moved.to} on ${en(analysisDate)}: ${moved.customers} customers`
	});
	await expect(heading).toBeVisible();
	await waitForGrid(page, moved.customers);
	// The later date is the analysis date, so the list's (current) segment is where the flow ends.
	const segments = (await gridRows(page)).map((r) => r.segment);
	expect(segments).toHaveLength(moved.customers);
	expect(new Set(segments)).toEqual(new Set([moved.to]));

	await page.getByRole('button', { name: 'Save as segment' }).click();
	await expect(page.getByRole('status')).toHaveText(`Saved as “were ${moved.from}, now ${moved.to}”. Find it under History.`);

	await page.getByRole('tab', { name: 'History' }).click();
	// The saved segment opens the same customers again.
	await page.getByRole('button', { name: `were ${moved.from}, now ${moved.to}`, exact: true }).click();
	await expect(heading).toBeVisible();
	await waitForGrid(page, moved.customers);
	await page.getByRole('tab', { name: 'History' }).click();
	await expect(sankey).toBeVisible();

	// New customers: the band from "Not yet customers" lists customers whose first order is after the first date.
	const arrived = flows.filter((f) => f.from === 'Not yet customers').sort((a, b) => b.customers - a.customers)[0]!;
	await sankey.locator(`path[data-from="Not yet customers"][data-to="${arrived.to}"]`).focus();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { name: new RegExp(`: ${arrived.customers} customers$`) })).toBeVisible();
	await page
		.locator('summary')
		.filter({ hasText: /^Columns$/ })
		.click();
	await page.getByRole('checkbox', { name: 'First order' }).check();
	const firsts = (await gridRows(page)).map((r) => r.first_order!);
	expect(firsts).toHaveLength(arrived.customers);
	for (const shown of firsts) expect(Date.parse(`${shown} UTC`)).toBeGreaterThan(Date.parse(`${from}T00:00:00Z`));
	await expect(page.getByRole('alert')).toHaveCount(0);

	// Dates in the wrong order get a message beside them, and the defaults come back with one click.
	await page.getByRole('tab', { name: 'History' }).click();
	const late = isoOf(dayOf(analysisDate) + 5);
	await page.getByLabel('From', { exact: true }).fill(late);
	await expect(page.getByRole('alert')).toHaveText(`The first date (${late}) must come before the second (${analysisDate}).`);
	await page.getByRole('button', { name: 'Back to the defaults' }).click();
	await expect(page.getByLabel('From', { exact: true })).toHaveValue(from);
	await expect(sankey).toBeVisible();
	await expect(page.getByRole('alert')).toHaveCount(0);
});

test("History's choices are part of the link: reloading it shows the same grains and dates", async ({ page }) => {
	await page.goto('./#demo=7&n=500');
	await waitForResults(page);
	await page.getByRole('tab', { name: 'History' }).click();
	await page.getByRole('combobox', { name: 'Every' }).selectOption('quarter');
	await page.getByRole('combobox', { name: 'Cohorts by' }).selectOption('quarter');
	await page.getByRole('textbox', { name: 'From', exact: true }).fill('2025-01-01');
	await page.getByRole('textbox', { name: 'From', exact: true }).dispatchEvent('change');
	await expect.poll(() => decodeURIComponent(new URL(page.url()).hash)).toContain('"grain":"quarter"');
	const link = page.url();
	expect(decodeURIComponent(link)).toContain('"from":"2025-01-01"');
	expect(decodeURIComponent(link)).not.toMatch(/@|C\d{5}/);

	const fresh = await page.context().newPage();
	await fresh.goto(link);
	// The link opens on the History tab (no matrix on screen): its view is applied once the demo is scored.
	await expect(fresh.getByRole('tab', { name: 'History' })).toHaveAttribute('aria-selected', 'true', { timeout: 60_000 });
	await expect(fresh.getByRole('combobox', { name: 'Every' })).toHaveValue('quarter');
	await expect(fresh.getByRole('combobox', { name: 'Cohorts by' })).toHaveValue('quarter');
	await expect(fresh.getByRole('textbox', { name: 'From', exact: true })).toHaveValue('2025-01-01');
	await fresh.close();
});
