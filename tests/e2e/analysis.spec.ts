/**
 * A shop export with odd headers and messy values, loaded into the built site: what the page
 * shows and what it exports must agree with RFM computed independently (support/orders.ts).
 */
import { chooseFile, dropFile, expect, exportCustomers, matrixCells, openSite, test, waitForResults } from './support/fixtures.ts';
import { COLUMNS, csvFile, en, expectedAnalysis, gridSegment, shopOrdersCsv } from './support/orders.ts';

const csv = shopOrdersCsv();
const expected = expectedAnalysis(csv, {
	customer: COLUMNS.customer,
	date: COLUMNS.date,
	amount: COLUMNS.amount,
	orderId: COLUMNS.orderId
});
const file = csvFile('shop-orders.csv', csv);

test('the fixture has the oddities the suite relies on', () => {
	// Guards the generator, so the tests below keep testing what they say.
	expect(expected.excluded).toEqual({ no_customer: 2, unreadable_date: 2, unreadable_amount: 2 });
	expect(csv).toMatch(/,"€\d,\d{3}\.\d{2}",/);
	expect(expected.lastOrder).toBe('2024-06-30');
	expect(expected.customers.get('C-1005')!.frequency).toBe(1 + ((4 * 7) % 9) + 1);
	expect(expected.customers.size).toBe(36);
});

test('headline, ingest report and matrix of a picked file match the independently computed RFM', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, file);
	await waitForResults(page);

	await expect(page.getByText(/^shop-orders\.csv · \d+ KB$/)).toBeVisible();
	await expect(page.getByTestId('customers')).toHaveText(en.count(expected.customers.size));
	await expect(page.getByTestId('orders')).toHaveText(en.count(expected.orders));
	await expect(page.getByTestId('revenue')).toContainText(en.money(expected.revenue));
	await expect(page.getByTestId('date-range')).toHaveText(`${en.date(expected.firstOrder)} – ${en.date(expected.lastOrder)}`);
	await expect(page.getByTestId('analysis-date')).toHaveText(en.date(expected.analysisDate));
	await expect(page.getByLabel('Analysis date')).toHaveValue(expected.analysisDate);

	const report = page.getByRole('region', { name: 'Import report' });
	await expect(report.getByTestId('rows-read')).toHaveText(en.count(expected.rowsRead));
	await expect(report.getByTestId('rows-used')).toHaveText(en.count(expected.rowsUsed));
	await expect(report.getByTestId('rows-excluded')).toHaveText(en.count(expected.rowsRead - expected.rowsUsed));
	const reasons = report.getByRole('listitem');
	await expect(reasons).toHaveCount(3);
	// Each reason with its rows and, where the amount could be read, their value.
	await expect(reasons.filter({ hasText: /customer/i })).toHaveText(/: 2 rows\s\(€[\d,.]+\)$/);
	await expect(reasons.filter({ hasText: /date/i })).toHaveText(/: 2 rows(\s\(€[\d,.]+\))?$/);
	await expect(reasons.filter({ hasText: /amount/i })).toHaveText(/: 2 rows$/);
	for (const [reason, rows] of Object.entries(expected.excluded)) {
		await expect(report.locator(`li[data-reason="${reason}"]`)).toContainText(`${rows} rows`);
	}

	const cells = await matrixCells(page);
	expect(cells).toHaveLength(25);
	expect(cells.reduce((s, c) => s + c.customers, 0)).toBe(expected.customers.size);
	expect(cells.reduce((s, c) => s + c.revenue, 0)).toBeCloseTo(expected.revenue, 6);
	for (const cell of cells) {
		if (cell.customers > 0) expect(cell.segment, `segment of R${cell.r} F${cell.f}`).toBe(gridSegment(cell.r, cell.f));
	}
	await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the customer export holds every customer with the independently computed RFM values and consistent scores', async ({ page }) => {
	await openSite(page);
	await chooseFile(page, file);
	await waitForResults(page);

	const exported = await exportCustomers(page);
	expect(exported.fileName).toBe('shop-orders-rfm-customers.csv');
	expect(exported.header.startsWith('customer_id,first_order,last_order,recency_days,frequency,monetary,r,f,m,rfm,segment')).toBe(true);
	expect(exported.rows).toHaveLength(expected.customers.size);
	expect(new Set(exported.rows.map((r) => r.customer_id)).size).toBe(expected.customers.size);

	for (const row of exported.rows) {
		const want = expected.customers.get(row.customer_id!);
		expect(want, `customer ${row.customer_id} is expected`).toBeDefined();
		expect(row.first_order).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(row.last_order).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect({
			id: row.customer_id,
			first: row.first_order,
			last: row.last_order,
			recency: Number(row.recency_days),
			frequency: Number(row.frequency)
		}).toEqual({
			id: want!.customerId,
			first: want!.firstOrder,
			last: want!.lastOrder,
			recency: want!.recencyDays,
			frequency: want!.frequency
		});
		expect(Number(row.monetary), `monetary of ${row.customer_id}`).toBeCloseTo(want!.monetary, 4);
		const [r, f, m] = [Number(row.r), Number(row.f), Number(row.m)];
		for (const score of [r, f, m]) expect([1, 2, 3, 4, 5]).toContain(score);
		expect(Number(row.rfm)).toBe(100 * r + 10 * f + m);
		expect(row.segment).toBe(gridSegment(r, f));
	}

	// design.md: equal values share a score, scores are monotone, and no score is skipped when a
	// metric has at least 5 distinct values.
	const metrics = [
		{ value: 'recency_days', score: 'r', higherIsBetter: false },
		{ value: 'frequency', score: 'f', higherIsBetter: true },
		{ value: 'monetary', score: 'm', higherIsBetter: true }
	] as const;
	for (const { value, score, higherIsBetter } of metrics) {
		const pairs = exported.rows.map((row) => ({ v: Number(row[value]) * (higherIsBetter ? 1 : -1), s: Number(row[score]) }));
		pairs.sort((a, b) => a.v - b.v);
		for (let i = 1; i < pairs.length; i++) {
			const [prev, cur] = [pairs[i - 1]!, pairs[i]!];
			if (cur.v === prev.v) expect(cur.s, `${score}: tied ${value} share a score`).toBe(prev.s);
			else expect(cur.s, `${score} is monotone in ${value}`).toBeGreaterThanOrEqual(prev.s);
		}
		if (new Set(pairs.map((p) => p.v)).size >= 5) expect(new Set(pairs.map((p) => p.s)).size, `${score} uses every score`).toBe(5);
	}

	// The matrix on the page counts the same customers per (R, F) as the export.
	const byCell = new Map<string, { customers: number; revenue: number }>();
	for (const row of exported.rows) {
		const key = `${row.r}:${row.f}`;
		const cell = byCell.get(key) ?? { customers: 0, revenue: 0 };
		cell.customers++;
		cell.revenue += Number(row.monetary);
		byCell.set(key, cell);
	}
	const cells = await matrixCells(page);
	for (const cell of cells) {
		const fromExport = byCell.get(`${cell.r}:${cell.f}`) ?? { customers: 0, revenue: 0 };
		expect(cell.customers, `customers in R${cell.r} F${cell.f}`).toBe(fromExport.customers);
		expect(cell.revenue, `revenue in R${cell.r} F${cell.f}`).toBeCloseTo(fromExport.revenue, 2);
	}
	expect(byCell.size).toBe(cells.filter((c) => c.customers > 0).length);
});

test('a file dropped on the drop zone is analysed like a picked one', async ({ page }) => {
	await openSite(page);
	await expect(page.getByText('Drop your orders export here')).toBeVisible();
	await dropFile(page, file);
	await waitForResults(page);

	await expect(page.getByText(/^shop-orders\.csv · \d+ KB$/)).toBeVisible();
	await expect(page).toHaveTitle('shop-orders.csv — RFM Studio');
	await expect(page.getByTestId('customers')).toHaveText(en.count(expected.customers.size));
	await expect(page.getByTestId('orders')).toHaveText(en.count(expected.orders));
	await expect(page.getByTestId('rows-used')).toHaveText(en.count(expected.rowsUsed));
	const cells = await matrixCells(page);
	expect(cells.reduce((s, c) => s + c.customers, 0)).toBe(expected.customers.size);
});
