import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import { FileProblem } from '../../src/lib/errors';
import { scoreCustomers, type RfmResult } from '../../src/lib/rfm/analysis';
import { balancedBins, DISTRIBUTION_BUCKETS } from '../../src/lib/rfm/scoring';
import { GRID_MAP, segmentOf } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING, METRICS, type Metric } from '../../src/lib/rfm/types';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';
import { cost, expectScoringProperties, groupsOf, random } from './scoring-properties';

const DAY = 86_400_000;
const FIRST_DAY = Date.UTC(2023, 0, 1);

/** One generated file row, with what the file says and whether ingest should use it. */
interface Row {
	orderId: string;
	customer: string;
	/** Calendar date as written, YYYY-MM-DD. */
	day: string;
	cents: number;
	fault: null | 'no_customer' | 'unreadable_date' | 'unreadable_amount';
}

interface Style {
	delimiter: string;
	header: [string, string, string, string];
	date: (day: string, rnd: () => number) => string;
	amount: (cents: number) => string;
}

const quote = (s: string, delimiter: string) => (s.includes(delimiter) || s.includes('"') ? `"${s.replaceAll('"', '""')}"` : s);

/** A US-style export: ISO timestamps with a UTC offset, `$1,234.50` amounts in quotes. */
const US_STYLE: Style = {
	delimiter: ',',
	header: ['Order #', 'Customer ID', 'Order Date', 'Total'],
	date: (day, rnd) => {
		const h = String(Math.floor(rnd() * 24)).padStart(2, '0');
		// Late-evening times with a negative offset are the next day in UTC: the written day must stay.
		return `${day} ${h}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}:00 -0400`;
	},
	amount: (cents) => {
		const sign = cents < 0 ? '-' : '';
		const abs = Math.abs(cents);
		return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
	}
};

/** A European export: semicolons, `31.12.2023` dates, `1.234,50 €` amounts. */
const DE_STYLE: Style = {
	delimiter: ';',
	header: ['Order No.', 'Customer Number', 'Date', 'Amount (EUR)'],
	date: (day) => `${day.slice(8, 10)}.${day.slice(5, 7)}.${day.slice(0, 4)}`,
	amount: (cents) => {
		const sign = cents < 0 ? '-' : '';
		const abs = Math.abs(cents);
		return `${sign}${Math.floor(abs / 100).toLocaleString('de-DE')},${String(abs % 100).padStart(2, '0')} €`;
	}
};

/**
 * Skewed order data: 60% one-order customers, a geometric tail of repeat buyers, long-tailed
 * amounts with common price points (ties), some orders split into line items, some refunds, and
 * about 2% of rows that ingest must exclude.
 */
function generate(customers: number, seed: number, style: Style): { csv: string; rows: Row[] } {
	const rnd = random(seed);
	const rows: Row[] = [];
	let order = 1000;
	for (let c = 0; c < customers; c++) {
		const customer = `C${String(c).padStart(5, '0')}`;
		let orders = 1;
		if (rnd() >= 0.6) {
			orders = 2;
			while (rnd() < 0.5 && orders < 40) orders++;
		}
		// Customers are active in a window of the two years: recency is spread and clustered.
		const start = Math.floor(rnd() * 700);
		for (let o = 0; o < orders; o++) {
			const day = new Date(FIRST_DAY + Math.min(730, start + Math.floor(rnd() * 120)) * DAY).toISOString().slice(0, 10);
			const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
			const u = rnd();
			let cents = u < 0.25 ? [1999, 4900, 9900][Math.floor(rnd() * 3)]! : Math.round(Math.exp(8 + 1.1 * z));
			if (u > 0.98) cents = -cents;
			const orderId = `#${order++}`;
			const lines = rnd() < 0.2 ? 2 : 1;
			for (let l = 0; l < lines; l++) {
				const part = lines === 1 ? cents : l === 0 ? Math.trunc(cents / 3) : cents - Math.trunc(cents / 3);
				const f = rnd();
				const fault = f < 0.008 ? 'no_customer' : f < 0.014 ? 'unreadable_date' : f < 0.02 ? 'unreadable_amount' : null;
				rows.push({ orderId, customer, day, cents: part, fault });
			}
		}
	}
	// File order is not customer order.
	for (let i = rows.length - 1; i > 0; i--) {
		const j = Math.floor(rnd() * (i + 1));
		[rows[i], rows[j]] = [rows[j]!, rows[i]!];
	}
	const d = style.delimiter;
	const lines = rows.map((r) =>
		[
			r.orderId,
			r.fault === 'no_customer' ? '' : r.customer,
			r.fault === 'unreadable_date' ? 'unknown' : style.date(r.day, rnd),
			r.fault === 'unreadable_amount' ? 'n/a' : style.amount(r.cents)
		]
			.map((v) => quote(v, d))
			.join(d)
	);
	return { csv: `${style.header.join(d)}\n${lines.join('\n')}\n`, rows };
}

interface Expected {
	customerId: string;
	firstOrder: string;
	lastOrder: string;
	recencyDays: number;
	frequency: number;
	monetaryCents: number;
}

/**
 * The RFM definitions of the design notes, computed without SQL. Rows group into orders by
 * (customer, order id); a row with an unreadable amount is excluded alone, a group without a
 * customer or without any readable date is excluded whole; a negative total is a return that
 * nets out of its customer's revenue (when dated inside the window), not an order.
 */
function expectedMetrics(rows: readonly Row[]): {
	analysisDate: string;
	customers: Map<string, Expected>;
	orders: number;
	revenueCents: number;
	report: { rowsUsed: number; returnRows: number; excluded: Record<string, number> };
} {
	const groups = new Map<string, { customer: string | null; days: string[]; cents: number; rows: number }>();
	const excluded: Record<string, number> = {};
	const exclude = (reason: string, n: number) => (excluded[reason] = (excluded[reason] ?? 0) + n);
	for (const r of rows) {
		if (r.fault === 'unreadable_amount') {
			exclude('unreadable_amount', 1);
			continue;
		}
		const customer = r.fault === 'no_customer' ? null : r.customer;
		const key = `${customer}\u0000${r.orderId}`;
		const g = groups.get(key) ?? { customer, days: [], cents: 0, rows: 0 };
		if (r.fault !== 'unreadable_date') g.days.push(r.day);
		g.cents += r.cents;
		g.rows++;
		groups.set(key, g);
	}
	const orders: { customer: string; day: string; cents: number; id: string }[] = [];
	const returns: { customer: string; day: string; cents: number }[] = [];
	let rowsUsed = 0;
	let returnRows = 0;
	for (const [key, g] of groups) {
		const day = [...g.days].sort()[0];
		if (g.customer === null) exclude('no_customer', g.rows);
		else if (day === undefined) exclude('unreadable_date', g.rows);
		else if (g.cents < 0) {
			returns.push({ customer: g.customer, day, cents: g.cents });
			returnRows += g.rows;
		} else if (g.cents === 0) exclude('zero_amount', g.rows);
		else {
			orders.push({ customer: g.customer, day, cents: g.cents, id: key });
			rowsUsed += g.rows;
		}
	}
	const lastDay = orders.reduce((m, o) => (o.day > m ? o.day : m), '0000-00-00');
	const analysisTime = Date.parse(`${lastDay}T00:00:00Z`) + DAY;
	const analysisDate = new Date(analysisTime).toISOString().slice(0, 10);
	const byCustomer = new Map<string, { orders: number; first: string; last: string; cents: number }>();
	for (const o of orders) {
		const c = byCustomer.get(o.customer) ?? { orders: 0, first: o.day, last: o.day, cents: 0 };
		c.orders++;
		if (o.day < c.first) c.first = o.day;
		if (o.day > c.last) c.last = o.day;
		c.cents += o.cents;
		byCustomer.set(o.customer, c);
	}
	for (const r of returns) {
		const c = byCustomer.get(r.customer);
		if (c && r.day <= analysisDate) c.cents += r.cents;
	}
	const customers = new Map<string, Expected>();
	for (const [id, c] of byCustomer) {
		customers.set(id, {
			customerId: id,
			firstOrder: c.first,
			lastOrder: c.last,
			recencyDays: Math.round((analysisTime - Date.parse(`${c.last}T00:00:00Z`)) / DAY),
			frequency: c.orders,
			monetaryCents: c.cents
		});
	}
	return {
		analysisDate,
		customers,
		orders: orders.length,
		revenueCents: [...byCustomer.values()].reduce((s, c) => s + c.cents, 0),
		report: { rowsUsed, returnRows, excluded }
	};
}

interface ScoreRow {
	customer_id: string;
	first_order: string;
	last_order: string;
	recency_days: number;
	frequency: number;
	monetary: number;
	r: number;
	f: number;
	m: number;
	rfm: number;
	segment: string;
}

const SCORE_ROWS_SQL = `SELECT customer_id, strftime(first_order, '%Y-%m-%d') AS first_order, strftime(last_order, '%Y-%m-%d') AS last_order,
	recency_days, frequency, monetary, r, f, m, rfm, segment FROM customer_scores ORDER BY customer_id`;

const VALUE: Record<Metric, (s: ScoreRow) => number> = {
	recency: (s) => s.recency_days,
	frequency: (s) => s.frequency,
	monetary: (s) => s.monetary
};
const SCORE: Record<Metric, (s: ScoreRow) => number> = { recency: (s) => s.r, frequency: (s) => s.f, monetary: (s) => s.m };

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
});
afterAll(() => db.close());

for (const [name, style, customers] of [
	['US export with offsets and $ amounts', US_STYLE, 2000],
	['European export with semicolons, day-first dates and € amounts', DE_STYLE, 1100]
] as const) {
	describe(`full pipeline on a generated skewed file: ${name}`, () => {
		const { csv, rows } = generate(customers, customers, style);
		const expected = expectedMetrics(rows);
		let result: RfmResult;
		let scores: ScoreRow[];

		beforeAll(async () => {
			const file = `generated-${customers}.csv`;
			db.registerText(file, csv);
			const inspection = await inspectCsv(db, file);
			expect(inspection.dialect.delimiter).toBe(style.delimiter);
			const [orderId, customerId, orderDate, amount] = style.header;
			expect(inspection.detection.plan.mapping).toMatchObject({ orderId, customerId, orderDate, amount, lastEngaged: null });
			const report = await loadCsv(db, file, inspection.dialect, inspection.detection.plan);
			expect(report.rowsRead).toBe(rows.length);
			expect(report.rowsUsed).toBe(expected.report.rowsUsed);
			expect(report.returns.rows).toBe(expected.report.returnRows);
			expect(report.returns.rows).toBeGreaterThan(0);
			expect(report.orders).toBe(expected.orders);
			expect(report.rowsUsed + report.returns.rows + report.excluded.reduce((s, e) => s + e.rows, 0)).toBe(rows.length);
			expect(Object.fromEntries(report.excluded.map((e) => [e.reason, e.rows]))).toEqual(expected.report.excluded);
			result = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
			scores = await db.rows<ScoreRow>(SCORE_ROWS_SQL);
		});

		it('has the expected totals and analysis date (the day after the latest order)', () => {
			expect(result.headline).toMatchObject({
				customers: expected.customers.size,
				orders: expected.orders,
				analysisDate: expected.analysisDate,
				ordersAfterAnalysisDate: 0
			});
			expect(Math.round(result.headline.revenue * 100)).toBe(expected.revenueCents);
		});

		it('computes recency, frequency and monetary per customer as defined', () => {
			expect(scores).toHaveLength(expected.customers.size);
			const got = scores.map((s) => ({
				customerId: s.customer_id,
				firstOrder: s.first_order,
				lastOrder: s.last_order,
				recencyDays: s.recency_days,
				frequency: s.frequency,
				monetaryCents: Math.round(s.monetary * 100)
			}));
			const want = [...expected.customers.values()].sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
			expect(got).toEqual(want);
		});

		it('is skewed as intended: most customers ordered once, values tie', () => {
			const once = scores.filter((s) => s.frequency === 1).length / scores.length;
			expect(once).toBeGreaterThan(0.5);
			expect(new Set(scores.map((s) => s.monetary)).size).toBeLessThan(scores.length);
		});

		it('scores with equal values sharing a score, monotone, no score skipped', () => {
			for (const metric of METRICS) {
				expectScoringProperties(
					metric,
					scores.map((s) => ({ value: VALUE[metric](s), score: SCORE[metric](s) })),
					DEFAULT_SCORING.levels
				);
			}
			expect(scores.every((s) => s.rfm === s.r * 100 + s.f * 10 + s.m)).toBe(true);
		});

		it('makes bins as balanced as ties allow (within the 0.1% bucket resolution)', () => {
			const total = scores.length;
			for (const metric of METRICS) {
				const sizes = new Map<number, number>();
				for (const s of scores) sizes.set(SCORE[metric](s), (sizes.get(SCORE[metric](s)) ?? 0) + 1);
				const exact = balancedBins(groupsOf(scores.map(VALUE[metric])), DEFAULT_SCORING.levels);
				expect(sizes.size).toBe(exact.length);
				// Each cut may move by less than total / BUCKETS customers from the exact optimum's cut,
				// so each bin by less than twice that: a bound on the objective's square root.
				const delta = total / DISTRIBUTION_BUCKETS;
				const bound = Math.sqrt(cost(exact.map((b) => b.count))) + 2 * delta * Math.sqrt(exact.length);
				expect(Math.sqrt(cost([...sizes.values()])), metric).toBeLessThanOrEqual(bound);
				// And the bands report the customers each score got, adding up to everyone.
				const bands = result.thresholds[metric];
				expect(bands.map((b) => b.customers)).toEqual(bands.map((b) => sizes.get(b.score) ?? 0));
				expect(bands.reduce((s, b) => s + b.customers, 0)).toBe(total);
			}
		});

		it('names each customer by the R×F grid map, and the summaries add up', () => {
			const wrong = scores.filter((s) => s.segment !== segmentOf(GRID_MAP, s.r, s.f, s.m));
			expect(wrong).toEqual([]);
			expect(scores.some((s) => s.segment === 'Others')).toBe(false);
			const total = scores.length;
			expect(result.segments.reduce((s, x) => s + x.customers, 0)).toBe(total);
			expect(result.matrix.reduce((s, x) => s + x.customers, 0)).toBe(total);
			expect(result.segments.reduce((s, x) => s + x.orders, 0)).toBe(expected.orders);
			for (const seg of result.segments) {
				expect(seg.customers).toBe(scores.filter((s) => s.segment === seg.segment).length);
			}
		});
	});
}

describe('full pipeline on degenerate data', () => {
	it('scores every metric 1 when all customers are equal, so they are Hibernating', async () => {
		const lines = Array.from({ length: 40 }, (_, i) => `c${i},2024-05-01,10.00`);
		db.registerText('equal.csv', `customer,date,amount\n${lines.join('\n')}\n`);
		const inspection = await inspectCsv(db, 'equal.csv');
		await loadCsv(db, 'equal.csv', inspection.dialect, inspection.detection.plan);
		const result = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
		expect(result.headline).toMatchObject({ customers: 40, orders: 40, revenue: 400, analysisDate: '2024-05-02' });
		for (const metric of METRICS) expect(result.thresholds[metric].map((b) => [b.score, b.customers])).toEqual([[1, 40]]);
		expect(result.segments.map((s) => [s.segment, s.customers])).toEqual([['Hibernating', 40]]);
		const [row] = await db.rows<{ r: number; f: number; m: number; recency_days: number }>(
			'SELECT DISTINCT r, f, m, recency_days FROM customer_scores'
		);
		expect(row).toEqual({ r: 1, f: 1, m: 1, recency_days: 1 });
	});

	it('tells the merchant when the file has a header but no rows', async () => {
		db.registerText('empty.csv', 'Customer ID,Order Date,Total\n');
		await expect(inspectCsv(db, 'empty.csv')).rejects.toBeInstanceOf(FileProblem);
	});
});
