/**
 * One reconciliation (issue 20, finding 3): on orders with returns — returns of customers who also
 * ordered, returns larger than the purchases (negative net revenue) and returns of customers who
 * never ordered — the import report, headline, segment table, matrix, customer export, profile,
 * revenue tiers, History's transition matrix and cohorts all net returns the same way, and their
 * sums agree with totals computed here from the rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import type { IngestReport } from '../../src/lib/ingest/report';
import { customersExportSql, scoreCustomers, type RfmResult } from '../../src/lib/rfm/analysis';
import { BELOW_TIERS, computeBehaviour, DEFAULT_BEHAVIOUR, tierId } from '../../src/lib/rfm/behaviour';
import { customerProfile, readSchema } from '../../src/lib/rfm/explore';
import { computeMigration } from '../../src/lib/history/migration';
import { computeCohorts } from '../../src/lib/history/cohorts';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { seededRandom } from '../support/random';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

const cents = (n: number) => Math.round(n * 100);
const DAY = 86_400_000;
const iso = (day: number) => new Date(Date.UTC(2024, 0, 1) + day * DAY).toISOString().slice(0, 10);

/** A seeded file: 400 customers ordering through 2024, returns by some, 12 who only returned, at least 6 who returned more than they bought. */
function orderRows() {
	const rnd = seededRandom(20);
	const rows: { order: string; customer: string; day: number; amount: number }[] = [];
	let n = 0;
	for (let c = 0; c < 400; c++) {
		const customer = `C${c}`;
		const orders = 1 + Math.floor(rnd() * rnd() * 8);
		for (let k = 0; k < orders; k++)
			rows.push({ order: `O${++n}`, customer, day: Math.floor(rnd() * 360), amount: Math.round(500 + rnd() * 20000) / 100 });
		// A quarter return part of an order later.
		if (rnd() < 0.25)
			rows.push({ order: `R${++n}`, customer, day: 200 + Math.floor(rnd() * 150), amount: -Math.round(100 + rnd() * 3000) / 100 });
		// A few return more than all their purchases (net negative).
		if (c % 67 === 5) rows.push({ order: `R${++n}`, customer, day: 300, amount: -900 });
	}
	// The latest order: the analysis date is the day after it (2024-12-26), after every return.
	rows.push({ order: `O${++n}`, customer: 'C0', day: 359, amount: 10 });
	// Returns by customers with no order in the file (bought before the export began).
	for (let c = 0; c < 12; c++)
		rows.push({ order: `R${++n}`, customer: `GONE${c}`, day: 30 + c * 20, amount: -Math.round(1000 + c * 137) / 100 });
	return rows;
}

const rows = orderRows();
const orders = rows.filter((r) => r.amount > 0);
const returns = rows.filter((r) => r.amount < 0);
const buyers = new Set(orders.map((r) => r.customer));
const netOf = new Map<string, number>();
for (const r of rows) if (buyers.has(r.customer)) netOf.set(r.customer, (netOf.get(r.customer) ?? 0) + cents(r.amount));
const sumCents = (xs: { amount: number }[]) => xs.reduce((s, r) => s + cents(r.amount), 0);

let db: WasmTestDb;
let report: IngestReport;
let rfm: RfmResult;
beforeAll(async () => {
	db = await openWasmDb();
	const csv = `order_id,customer_id,order_date,amount\n${rows.map((r) => `${r.order},${r.customer},${iso(r.day)},${r.amount.toFixed(2)}`).join('\n')}\n`;
	db.registerText('reconcile.csv', csv);
	const inspection = await inspectCsv(db, 'reconcile.csv');
	report = await loadCsv(db, 'reconcile.csv', inspection.dialect, inspection.detection.plan);
	rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
});
afterAll(() => db.close());

describe('every view nets returns the same way', () => {
	it('the data has all three kinds of returns', () => {
		expect(returns.filter((r) => buyers.has(r.customer)).length).toBeGreaterThan(80);
		expect([...netOf.values()].filter((v) => v < 0).length).toBeGreaterThanOrEqual(6);
		expect(returns.filter((r) => !buyers.has(r.customer))).toHaveLength(12);
	});

	it('import report and headline: orders + returns of scored customers = revenue; the rest is explained', () => {
		expect(cents(report.revenue)).toBe(sumCents(orders));
		expect(cents(report.returns.amount)).toBe(sumCents(returns));
		const h = rfm.headline;
		expect(cents(h.orderRevenue)).toBe(sumCents(orders));
		expect(cents(h.returned)).toBe(sumCents(returns.filter((r) => buyers.has(r.customer))));
		expect(cents(h.unscoredReturns)).toBe(sumCents(returns.filter((r) => !buyers.has(r.customer))));
		expect(h.unscoredReturnCustomers).toBe(12);
		expect(cents(h.revenue)).toBe([...netOf.values()].reduce((a, b) => a + b, 0));
		// The import report's two figures, the revenue card and the customers without orders reconcile exactly.
		expect(cents(report.revenue) + cents(report.returns.amount)).toBe(cents(h.revenue) + cents(h.unscoredReturns));
	});

	it('segment table, matrix and the customer export add up to the revenue card', async () => {
		const revenue = cents(rfm.headline.revenue);
		expect(rfm.segments.reduce((s, x) => s + cents(x.revenue), 0)).toBe(revenue);
		expect(rfm.matrix.reduce((s, x) => s + cents(x.revenue), 0)).toBe(revenue);
		const exported = await db.rows<{ customer_id: string; revenue: number }>(
			`SELECT customer_id, revenue FROM (${customersExportSql(GRID_MAP)})`
		);
		expect(exported).toHaveLength(buyers.size);
		for (const row of exported) expect(cents(row.revenue), row.customer_id).toBe(netOf.get(row.customer_id));
	});

	it('each profile lists its returns, and orders + returns = total spent', async () => {
		const schema = await readSchema(db);
		const withReturns = [...new Set(returns.filter((r) => buyers.has(r.customer)).map((r) => r.customer))];
		for (const id of withReturns.slice(0, 40)) {
			const profile = (await customerProfile(db, id, schema))!;
			expect(profile.returns.map((r) => cents(r.amount)).sort(), id).toEqual(
				returns
					.filter((r) => r.customer === id)
					.map((r) => cents(r.amount))
					.sort()
			);
			expect(sumCents(profile.orders) + sumCents(profile.returns), id).toBe(cents(profile.customer.revenue));
			expect(cents(profile.customer.revenue), id).toBe(netOf.get(id));
		}
	});

	it('revenue tiers cover every customer, negative net revenue included', async () => {
		const summary = await computeBehaviour(db, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
		const tiers = summary.filter((s) => s.kind === 'tier');
		expect(tiers.reduce((s, t) => s + t.customers, 0)).toBe(rfm.headline.customers);
		expect(tiers.reduce((s, t) => s + cents(t.revenue), 0)).toBe(cents(rfm.headline.revenue));
		const below = tiers.find((t) => t.id === tierId(BELOW_TIERS))!;
		expect(below.customers).toBe([...netOf.values()].filter((v) => v < 0).length);
		expect(cents(below.revenue)).toBe([...netOf.values()].filter((v) => v < 0).reduce((a, b) => a + b, 0));
	});

	it("History's transition matrix and cohorts are net of returns like every other figure", async () => {
		// From before the first order to the analysis date: every order and return of the customers who ordered.
		const migration = await computeMigration(db, DEFAULT_SCORING, GRID_MAP, '2023-12-31', rfm.headline.analysisDate);
		expect(migration.flows.reduce((s, f) => s + cents(f.revenue), 0)).toBe(cents(rfm.headline.revenue));
		expect(migration.flows.reduce((s, f) => s + f.orders, 0)).toBe(orders.length);
		const cohorts = await computeCohorts(db, 'month', rfm.headline.analysisDate);
		expect(cohorts.cohorts.reduce((s, c) => s + cents(c.revenue), 0)).toBe(cents(rfm.headline.revenue));
		expect(cohorts.cohorts.reduce((s, c) => s + c.customers, 0)).toBe(buyers.size);
		// A part-year window: the flows' revenue is the orders and returns dated between the two dates.
		const part = await computeMigration(db, DEFAULT_SCORING, GRID_MAP, '2024-06-30', rfm.headline.analysisDate);
		const between = rows.filter((r) => buyers.has(r.customer) && iso(r.day) > '2024-06-30');
		expect(part.flows.reduce((s, f) => s + cents(f.revenue), 0)).toBe(sumCents(between));
	});
});
