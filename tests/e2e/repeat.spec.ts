/**
 * The Repeat purchases view on the demo store: each question opens, its CSV downloads with the
 * named columns and agrees with what the page shows, and a number opens exactly that many
 * customers. The figures themselves are checked against plain-JavaScript answers in
 * tests/unit/journeys.test.ts.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { exportCustomers, expect, rfmMatrix, test, waitForResults } from './support/fixtures.ts';
import { gridRows, waitForGrid } from './support/customer-grid.ts';
import { parseCsv } from './support/orders.ts';

const count = (n: number) => new Intl.NumberFormat('en-US').format(n);

async function ask(page: Page, question: string) {
	await page.getByRole('tab', { name: 'Repeat purchases' }).click();
	await page.getByRole('button', { name: question, exact: true }).click();
	await expect(page.getByRole('button', { name: question, exact: true })).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByText('Counting…')).toHaveCount(0, { timeout: 60_000 });
	await expect(page.getByRole('alert')).toHaveCount(0);
}

async function downloadCsv(page: Page): Promise<{ name: string; header: string[]; rows: Record<string, string>[] }> {
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
	const [header = [], ...body] = parseCsv(await readFile(await download.path(), 'utf8'));
	return {
		name: download.suggestedFilename(),
		header,
		rows: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])))
	};
}

/** Clicks a number and checks the customer list holds that many customers, under `title`. */
async function drill(page: Page, button: ReturnType<Page['getByRole']>, expected: number, title: string | RegExp) {
	await button.click();
	await expect(page.getByRole('heading', { name: title })).toBeVisible();
	await waitForGrid(page, expected);
}

test('Repeat purchases on the demo store: every question, its CSV and the customers behind its numbers', async ({ page }) => {
	test.setTimeout(180_000);
	await page.goto('./#demo=42');
	// The demo store is generated and read first: on a busy 2-core machine that can take longer than an expect's default.
	await expect(rfmMatrix(page)).toBeVisible({ timeout: 90_000 });
	await waitForResults(page);

	// What they buy next.
	await ask(page, 'What they buy next');
	await expect(page.getByRole('group', { name: "The item standing for each customer's first, second and third order" })).toBeVisible();
	const next = await downloadCsv(page);
	expect(next.name).toBe('demo-store-42-next-purchases.csv');
	expect(next.header).toEqual(['from_item', 'to_item', 'customers', 'share_of_from', 'lift']);
	const after = page.getByRole('combobox', { name: 'After' });
	const from = (await after.inputValue())!;
	const table = page.getByRole('table', { name: `What customers bought next after ${from}` });
	const firstRow = table.getByRole('row').nth(1);
	const to = (await firstRow.getByRole('rowheader').textContent())!.trim();
	const pair = next.rows.find((r) => r.from_item === from && r.to_item === to)!;
	await expect(firstRow.getByRole('cell').first()).toHaveText(count(Number(pair.customers)));
	await expect(firstRow.getByRole('cell').nth(1)).toHaveText(`${(Number(pair.share_of_from) * 100).toFixed(1).replace(/\.0$/, '')}%`);
	await drill(
		page,
		firstRow.getByRole('button'),
		Number(pair.customers),
		`${from}, next ${to}: ${count(Number(pair.customers))} customers`
	);

	// First orders.
	await ask(page, 'First orders');
	const first = await downloadCsv(page);
	expect(first.header.slice(0, 7)).toEqual([
		'first_item',
		'customers',
		'repeat_rate_90d',
		'repeat_rate_365d',
		'revenue_per_customer_365d',
		'repeat_ci_low',
		'repeat_ci_high'
	]);
	const top = first.rows[0]!;
	expect(Number(top.repeat_ci_low)).toBeLessThanOrEqual(Number(top.repeat_rate_365d));
	expect(Number(top.repeat_ci_high)).toBeGreaterThanOrEqual(Number(top.repeat_rate_365d));
	const groupRow = page
		.getByRole('table', { name: 'Repeat rate by first order' })
		.getByRole('row', { name: new RegExp(`^${top.first_item}`) });
	await drill(
		page,
		groupRow.getByRole('button').first(),
		Number(top.customers),
		`First order: ${top.first_item}: ${count(Number(top.customers))} customers`
	);

	// Time between orders.
	await ask(page, 'Time between orders');
	const gaps = await downloadCsv(page);
	expect(gaps.header).toEqual(['from_order_number', 'customers', 'median_days', 'p25_days', 'p75_days']);
	expect(gaps.rows.map((r) => r.from_order_number)).toEqual(['1', '2', '3']);
	const gapRow = page.getByRole('table', { name: 'Days between orders by order number' }).getByRole('row', { name: /^1 → 2/ });
	await expect(gapRow.getByRole('cell').nth(1)).toHaveText(count(Number(gaps.rows[0]!.median_days)));
	const due = page.getByRole('button', { name: / one-time buyers$/ });
	const dueCount = Number((await due.textContent())!.replace(/\D/g, ''));
	expect(dueCount).toBeGreaterThan(0);
	await drill(page, due, dueCount, /^Due for a second order/);

	// Cohort value.
	await ask(page, 'Cohort value');
	const cohorts = await downloadCsv(page);
	expect(cohorts.header).toEqual(['cohort', 'months_since_first', 'customers', 'cumulative_revenue_per_customer']);
	const q1 = cohorts.rows.filter((r) => r.cohort === '2023-01-01');
	expect(q1.length).toBeGreaterThan(12);
	// Cumulative: never falls while the same customers are counted (the oldest cohort is observed in full).
	for (let i = 1; i < q1.length; i++)
		expect(Number(q1[i]!.cumulative_revenue_per_customer)).toBeGreaterThanOrEqual(
			Number(q1[i - 1]!.cumulative_revenue_per_customer) - 1e-9
		);
	const cohortRow = page.getByRole('table', { name: 'Cohort value' }).getByRole('row', { name: /^2023 Q1/ });
	await drill(page, cohortRow.getByRole('button'), Number(q1[0]!.customers), /^Cohort 2023 Q1/);

	// Discounts.
	await ask(page, 'Discounts');
	const discounts = await downloadCsv(page);
	expect(discounts.header).toEqual(['segment', 'discount_group', 'customers']);
	const all = discounts.rows.filter((r) => r.segment === 'All customers');
	expect(all.map((r) => r.discount_group)).toEqual(['full_price', 'occasional', 'coupon_only']);
	expect(all.reduce((s, r) => s + Number(r.customers), 0)).toBe(5000);
	const bySegment = discounts.rows.filter((r) => r.segment !== 'All customers');
	for (const group of ['full_price', 'occasional', 'coupon_only'])
		expect(bySegment.filter((r) => r.discount_group === group).reduce((s, r) => s + Number(r.customers), 0)).toBe(
			Number(all.find((r) => r.discount_group === group)!.customers)
		);
	const occasional = Number(all.find((r) => r.discount_group === 'occasional')!.customers);
	await drill(page, page.getByRole('button', { name: count(occasional), exact: true }).first(), occasional, /^Occasional coupon/);

	// Where customers were: the list's "Segment 90 days ago" column and the customer export agree.
	await page
		.locator('summary')
		.filter({ hasText: /^Columns$/ })
		.click();
	await page.getByRole('checkbox', { name: 'Segment 90 days ago' }).check();
	await waitForGrid(page, occasional);
	const listed = await gridRows(page);
	expect(listed).toHaveLength(occasional);
	const exported = await exportCustomers(page);
	expect(exported.header).toMatch(/,suggested_action,previous_segment,segment_since/);
	const previousOf = new Map(exported.rows.map((r) => [r.customer_id, r.previous_segment]));
	for (const row of listed) expect(row.previous_segment, row.customer_id).toBe(previousOf.get(row.customer_id));
	expect(new Set(listed.map((r) => r.previous_segment)).size).toBeGreaterThan(1);

	// The question is part of the link: a reload shows the same one.
	await page.getByRole('tab', { name: 'Repeat purchases' }).click();
	await page.reload();
	await expect(page.getByRole('button', { name: 'Discounts', exact: true })).toHaveAttribute('aria-pressed', 'true', { timeout: 90_000 });
	await expect(page.getByRole('table', { name: 'Coupon use by RFM segment' })).toBeVisible({ timeout: 60_000 });
});
