/**
 * Scoring settings through the whole pipeline on DuckDB-WASM: fixed thresholds, 3 and 4 levels,
 * monetary as total or average, look-back windows and analysis dates, engagement days, the
 * customer export's extra columns, and the messages of `validateScoring`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import { customersExportSql, copyToCsvSql, scoreCustomers, windowFor } from '../../src/lib/rfm/analysis';
import { addMonths } from '../../src/lib/dates';
import { NothingToScore } from '../../src/lib/errors';
import { fixedBands, validateScoring } from '../../src/lib/rfm/scoring';
import { GRID_MAP, R_RFM_README } from '../../src/lib/rfm/segments';
import {
	DEFAULT_FIXED,
	DEFAULT_SCORING,
	METRICS,
	type LookBack,
	type Metric,
	type RuleSet,
	type ScoringSettings
} from '../../src/lib/rfm/types';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';
import { expectScoringProperties, random } from './scoring-properties';

const DAY = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const isoOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

interface CustomerRow {
	customer_id: string;
	recency_days: number;
	frequency: number;
	monetary: number;
	revenue: number;
	engaged_days: number | null;
	r: number;
	f: number;
	m: number;
	rfm: number;
	segment: string;
}

const CUSTOMERS_SQL = `SELECT customer_id, recency_days, frequency, monetary, revenue, engaged_days, r, f, m, rfm, segment
FROM customer_scores ORDER BY customer_id`;

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
});
afterAll(() => db.close());

/** Registers the CSV text, detects its columns and loads it into `orders`. */
async function load(name: string, csv: string) {
	db.registerText(name, csv);
	const inspection = await inspectCsv(db, name);
	const report = await loadCsv(db, name, inspection.dialect, inspection.detection.plan);
	return { inspection, report };
}

async function score(settings: Partial<ScoringSettings>, ruleSet: RuleSet = GRID_MAP) {
	const result = await scoreCustomers(db, { ...DEFAULT_SCORING, ...settings }, ruleSet);
	return { result, customers: await db.rows<CustomerRow>(CUSTOMERS_SQL) };
}

/**
 * A hand-made store whose answers are worked out by hand below. Values sit on the default fixed
 * thresholds' edges (30/31/90/91/181/365/366 days, 1/2/4/5/9/10 orders, 50/50.01/100/250/500/500.01).
 * The order date is ISO, the engagement column US-style with times, so each is read in its own format.
 * Customer cat's order C4 has two line rows; ivy ordered only after the analysis date (2025-01-01).
 */
const HAND_MADE = [
	'Order ID,Customer,Order Date,Total,Last Email Click',
	'A1,ann,2024-12-02,50.00,12/25/2024 09:15',
	'B1,bob,2024-06-10,30.00,',
	'B2,bob,2024-12-01,20.01,',
	'C1,cat,2024-02-01,100,12/31/2024 23:59',
	'C2,cat,2024-03-01,100,',
	'C3,cat,2024-05-01,100,12/31/2024',
	'C4,cat,2024-07-04,150,',
	'C4,cat,2024-07-04,50,12/31/2024',
	...Array.from({ length: 9 }, (_, i) => `D${i + 1},dan,2023-${String(i + 3).padStart(2, '0')}-01,50,11/01/2024`),
	'D10,dan,2024-01-01,50.01,11/01/2024',
	'E1,eve,2024-06-01,20,never',
	'E2,eve,2024-07-01,20,',
	'E3,eve,2024-08-01,20,',
	'E4,eve,2024-09-01,20,',
	'E5,eve,2024-10-03,20,',
	...Array.from(
		{ length: 8 },
		(_, i) => `F${i + 1},fay,2024-${String(i + 1).padStart(2, '0')}-10,25,${i === 0 ? '02/01/2025' : i === 1 ? '12/01/2024' : ''}`
	),
	'F9,fay,2024-10-02,50,',
	'G1,gus,2024-11-01,300,01/01/2025',
	'G2,gus,2024-12-01,300,01/01/2025',
	'G3,gus,2025-01-01,400,01/01/2025',
	'H1,hal,2024-01-02,0.50,',
	'I1,ivy,2025-01-05,80,01/05/2025'
].join('\n');

const ANALYSIS_DATE = '2025-01-01';

describe('scoring settings on a hand-made store', () => {
	beforeAll(async () => {
		const { inspection, report } = await load('hand-made.csv', HAND_MADE);
		expect(inspection.detection.plan.mapping).toMatchObject({
			orderId: 'Order ID',
			customerId: 'Customer',
			orderDate: 'Order Date',
			amount: 'Total',
			lastEngaged: 'Last Email Click'
		});
		expect(inspection.detection.plan.engagedFormat).toEqual({ order: 'mdy', pattern: '%m/%d/%Y' });
		// An unreadable engagement date ("never") does not exclude its order.
		expect(report).toMatchObject({ rowsRead: 37, rowsUsed: 37, excluded: [] });
	});

	it('scores with the default fixed thresholds on their edges (5 levels)', async () => {
		const { result, customers } = await score({ method: 'fixed', analysisDate: ANALYSIS_DATE });
		expect(customers.map((c) => [c.customer_id, c.recency_days, c.frequency, c.rfm, c.segment])).toEqual([
			['ann', 30, 1, 511, 'New Customers'],
			['bob', 31, 2, 422, 'Potential Loyalist'],
			['cat', 181, 4, 234, 'At Risk'],
			['dan', 366, 10, 155, "Can't Lose Them"],
			['eve', 90, 5, 442, 'Loyal'],
			['fay', 91, 9, 343, 'Loyal'],
			['gus', 0, 3, 535, 'Potential Loyalist'],
			['hal', 365, 1, 211, 'Hibernating']
		]);
		const bands = (metric: Metric) => result.thresholds[metric].map((b) => [b.score, b.lower, b.upper, b.customers]);
		expect(bands('recency')).toEqual([
			[5, 0, 30, 2],
			[4, 31, 90, 2],
			[3, 91, 180, 1],
			[2, 181, 365, 2],
			[1, 366, Infinity, 1]
		]);
		expect(bands('frequency')).toEqual([
			[1, 1, 1, 2],
			[2, 2, 2, 1],
			[3, 3, 4, 2],
			[4, 5, 9, 2],
			[5, 10, Infinity, 1]
		]);
		expect(bands('monetary')).toEqual([
			[1, -Infinity, 50, 2],
			[2, 50, 100, 2],
			[3, 100, 250, 1],
			[4, 250, 500, 1],
			[5, 500, Infinity, 2]
		]);
		expect(result.thresholds.monetary.map((b) => b.lowerExclusive ?? false)).toEqual([false, true, true, true, true]);
		expect(result.headline).toMatchObject({
			customers: 8,
			orders: 35,
			analysisDate: ANALYSIS_DATE,
			windowFrom: null,
			windowTo: ANALYSIS_DATE,
			ordersBeforeWindow: 0,
			ordersAfterWindow: 1,
			ordersAfterAnalysisDate: 1,
			firstOrder: '2023-03-01',
			lastOrder: '2025-01-01'
		});
	});

	it('scores on 3 and 4 levels with fixed thresholds', async () => {
		const three = await score({
			method: 'fixed',
			levels: 3,
			analysisDate: ANALYSIS_DATE,
			fixed: { recency: [30, 180], frequency: [1, 4], monetary: [50, 250] }
		});
		expect(three.customers.map((c) => [c.customer_id, c.rfm])).toEqual([
			['ann', 311],
			['bob', 222],
			['cat', 123],
			['dan', 133],
			['eve', 232],
			['fay', 232],
			['gus', 323],
			['hal', 111]
		]);
		expect(three.result.thresholds.recency.map((b) => b.score)).toEqual([3, 2, 1]);
		const four = await score({
			method: 'fixed',
			levels: 4,
			analysisDate: ANALYSIS_DATE,
			fixed: { recency: [30, 90, 365], frequency: [1, 2, 4], monetary: [50, 100, 500] }
		});
		expect(four.customers.map((c) => [c.customer_id, c.rfm])).toEqual([
			['ann', 411],
			['bob', 322],
			['cat', 233],
			['dan', 144],
			['eve', 342],
			['fay', 243],
			['gus', 434],
			['hal', 211]
		]);
		expect(four.result.settings.levels).toBe(4);
	});

	it('scores M on the average order value when asked, and keeps revenue real', async () => {
		const total = await score({ method: 'fixed', analysisDate: ANALYSIS_DATE, monetary: 'total' });
		const average = await score({ method: 'fixed', analysisDate: ANALYSIS_DATE, monetary: 'average' });
		const revenue = { ann: 50, bob: 50.01, cat: 500, dan: 500.01, eve: 100, fay: 250, gus: 1000, hal: 0.5 } as Record<string, number>;
		for (const c of total.customers) {
			expect(c.monetary).toBeCloseTo(revenue[c.customer_id]!, 9);
			expect(c.revenue).toBeCloseTo(revenue[c.customer_id]!, 9);
		}
		for (const c of average.customers) {
			expect(c.monetary, c.customer_id).toBeCloseTo(revenue[c.customer_id]! / c.frequency, 9);
			expect(c.revenue).toBeCloseTo(revenue[c.customer_id]!, 9);
		}
		// Averages 50, 25.005, 125, 50.001, 20, 27.78, 333.33, 0.5 on the 50/100/250/500 thresholds.
		expect(average.customers.map((c) => [c.customer_id, c.m])).toEqual([
			['ann', 1],
			['bob', 1],
			['cat', 3],
			['dan', 2],
			['eve', 1],
			['fay', 1],
			['gus', 4],
			['hal', 1]
		]);
		// Revenue in the headline, the segments and the matrix is real revenue either way.
		const sum = Object.values(revenue).reduce((a, b) => a + b, 0);
		for (const { result } of [total, average]) {
			expect(result.headline.revenue).toBeCloseTo(sum, 9);
			expect(result.segments.reduce((s, x) => s + x.revenue, 0)).toBeCloseTo(sum, 9);
			expect(result.matrix.reduce((s, x) => s + x.revenue, 0)).toBeCloseTo(sum, 9);
		}
		const loyal = average.result.segments.find((s) => s.segment === 'Loyal')!;
		expect(loyal).toMatchObject({ customers: 2, orders: 14 });
		expect(loyal.revenue).toBeCloseTo(350, 9);
		expect(loyal.averageOrderValue).toBeCloseTo(350 / 14, 9);
	});

	it('gives whole days since the latest engagement on or before the analysis date', async () => {
		const { result, customers } = await score({ analysisDate: ANALYSIS_DATE });
		expect(customers.map((c) => [c.customer_id, c.engaged_days])).toEqual([
			['ann', 7],
			['bob', null],
			['cat', 1],
			['dan', 61],
			// "never" is not a date.
			['eve', null],
			// 2025-02-01 is after the analysis date: the click of 2024-12-01 counts.
			['fay', 31],
			['gus', 0],
			['hal', null]
		]);
		expect(result.headline.engagedCustomers).toBe(5);
		// Moving the analysis date moves engagement days with it.
		const earlier = await score({ analysisDate: '2024-12-31' });
		expect(earlier.customers.find((c) => c.customer_id === 'cat')?.engaged_days).toBe(0);
		expect(earlier.customers.find((c) => c.customer_id === 'gus')?.engaged_days).toBe(null);
	});

	it('limits scoring to the look-back window and says which window is in force', async () => {
		// 2024-07-01 … 2024-12-31: ann, bob (B2), cat (C4), eve (E2–E5), fay (F7–F9), gus (G1, G2).
		const { result, customers } = await score({ lookBack: { kind: 'range', from: '2024-07-01', to: '2024-12-31' } });
		expect(result.headline).toMatchObject({
			analysisDate: ANALYSIS_DATE,
			windowFrom: '2024-07-01',
			windowTo: '2024-12-31',
			customers: 6,
			orders: 1 + 1 + 1 + 4 + 3 + 2,
			ordersBeforeWindow: 1 + 3 + 10 + 1 + 6 + 1,
			ordersAfterWindow: 2,
			ordersAfterAnalysisDate: 1
		});
		expect(customers.map((c) => [c.customer_id, c.frequency, c.recency_days])).toEqual([
			['ann', 1, 30],
			['bob', 1, 31],
			['cat', 1, 181],
			['eve', 4, 90],
			['fay', 3, 91],
			['gus', 2, 31]
		]);
		expect(customers.find((c) => c.customer_id === 'fay')?.revenue).toBe(100);
		// Gus's engagement is after 2024-12-31 but on the analysis date: it counts.
		expect(customers.find((c) => c.customer_id === 'gus')?.engaged_days).toBe(0);
	});

	it('tells the merchant when the window holds no order', async () => {
		const empty = scoreCustomers(db, { ...DEFAULT_SCORING, lookBack: { kind: 'range', from: '2030-01-01', to: null } }, GRID_MAP);
		await expect(empty).rejects.toBeInstanceOf(NothingToScore);
		await expect(empty).rejects.toThrow('No order is dated on or after 2030-01-01, the start of the look-back window');
		await expect(
			scoreCustomers(db, { ...DEFAULT_SCORING, lookBack: { kind: 'months', months: 1 }, analysisDate: '2020-01-01' }, GRID_MAP)
		).rejects.toThrow('No order is dated from 2019-12-02 to 2020-01-01, the look-back window, so there is nothing to score.');
	});

	it('exports revenue and each segment’s description and suggested action', async () => {
		const set: RuleSet = {
			id: 'two',
			name: 'Two rules',
			levels: 5,
			rules: [
				{
					...GRID_MAP.rules[0]!,
					name: 'Top, "best"',
					recency: [4, 5],
					frequency: [3, 5],
					monetary: [1, 5],
					description: "Best, 'really'",
					action: 'Thank them'
				},
				{
					...GRID_MAP.rules[1]!,
					name: 'Once',
					recency: [1, 5],
					frequency: [1, 1],
					monetary: [1, 5],
					description: 'One order',
					action: 'Ask again'
				}
			],
			fallback: 'Rest',
			fallbackDescription: 'Everyone else',
			fallbackAction: 'Wait'
		};
		await score({ method: 'fixed', analysisDate: ANALYSIS_DATE, monetary: 'average' }, set);
		const rows = await db.rows<Record<string, string | number>>(customersExportSql(set));
		expect(Object.keys(rows[0]!)).toEqual([
			'customer_id',
			'first_order',
			'last_order',
			'recency_days',
			'frequency',
			'monetary',
			'r',
			'f',
			'm',
			'rfm',
			'segment',
			'revenue',
			'segment_description',
			'suggested_action'
		]);
		expect(rows.map((r) => [r.customer_id, r.segment, r.segment_description, r.suggested_action, r.monetary, r.revenue])).toEqual([
			['ann', 'Once', 'One order', 'Ask again', 50, 50],
			['bob', 'Rest', 'Everyone else', 'Wait', 25.005, 50.01],
			['cat', 'Rest', 'Everyone else', 'Wait', 125, 500],
			['dan', 'Rest', 'Everyone else', 'Wait', 50.001, 500.01],
			['eve', 'Top, "best"', "Best, 'really'", 'Thank them', 20, 100],
			['fay', 'Rest', 'Everyone else', 'Wait', 27.7778, 250],
			['gus', 'Top, "best"', "Best, 'really'", 'Thank them', 333.3333, 1000],
			['hal', 'Once', 'One order', 'Ask again', 0.5, 0.5]
		]);
		// COPY in the Node build writes a real file: into a temporary folder, not the checkout.
		const out = join(mkdtempSync(join(tmpdir(), 'rfm-export-')), 'export.csv');
		await db.run(copyToCsvSql(customersExportSql(set), out));
		const lines = new TextDecoder().decode(db.readFile(out)).trim().split('\n');
		rmSync(dirname(out), { recursive: true, force: true });
		expect(lines[0]).toBe(
			'customer_id,first_order,last_order,recency_days,frequency,monetary,r,f,m,rfm,segment,revenue,segment_description,suggested_action'
		);
		expect(lines[5]).toBe(`eve,2024-06-01,2024-10-03,90,5,20.0,4,4,1,441,"Top, ""best""",100.0,"Best, 'really'",Thank them`);
	});
});

/** One order of the generated store (line items already summed). */
interface Order {
	id: string;
	customer: string;
	day: string;
	cents: number;
	/** The engagement date written on the order's rows, or null. */
	engaged: string | null;
}

/** Three years of orders from 400 customers, some orders as two line rows, engagement dates for some customers. */
function generateStore(seed: number): { csv: string; orders: Order[] } {
	const rnd = random(seed);
	const first = dayNumber('2022-01-01');
	const orders: Order[] = [];
	const lines: string[] = ['order_id,customer_id,order_date,amount,last_seen_at'];
	let next = 1;
	for (let c = 0; c < 400; c++) {
		const customer = `c${String(c).padStart(3, '0')}`;
		const count = rnd() < 0.5 ? 1 : 2 + Math.floor(rnd() * rnd() * 12);
		const start = Math.floor(rnd() * 1000);
		const engaged = rnd() < 0.6 ? isoOf(first + Math.floor(rnd() * 1140)) : null;
		for (let o = 0; o < count; o++) {
			const day = isoOf(first + Math.min(1095, start + Math.floor(rnd() * 200)));
			const cents = rnd() < 0.2 ? 4900 : 100 + Math.floor(rnd() * rnd() * 50000);
			const order: Order = { id: `o${next++}`, customer, day, cents, engaged };
			orders.push(order);
			const amount = (cents: number) => (cents / 100).toFixed(2);
			if (rnd() < 0.2) {
				const part = Math.floor(cents / 3);
				lines.push(`${order.id},${customer},${day},${amount(part)},${engaged ?? ''}`);
				lines.push(`${order.id},${customer},${day},${amount(cents - part)},`);
			} else {
				lines.push(`${order.id},${customer},${day},${amount(cents)},${engaged ?? ''}`);
			}
		}
	}
	return { csv: lines.join('\n'), orders };
}

/** ISO date `months` months before `iso`, on the same day or the month's last day (written apart from the app's `addMonths`). */
function monthsBefore(iso: string, months: number): string {
	const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
	const target = new Date(Date.UTC(y, m - 1 - months, 1));
	const daysInMonth = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
	target.setUTCDate(Math.min(d, daysInMonth));
	return target.toISOString().slice(0, 10);
}

interface Expected {
	recencyDays: number;
	frequency: number;
	revenueCents: number;
	engagedDays: number | null;
}

/** Metrics per customer as the design defines them, for orders dated from `from` to `to` (inclusive). */
function expectedMetrics(orders: readonly Order[], analysisDate: string, from: string | null, to: string) {
	const inside = orders.filter((o) => (from === null || o.day >= from) && o.day <= to);
	const byCustomer = new Map<string, Expected>();
	for (const o of inside) {
		const e = byCustomer.get(o.customer) ?? { recencyDays: Infinity, frequency: 0, revenueCents: 0, engagedDays: null };
		e.recencyDays = Math.min(e.recencyDays, dayNumber(analysisDate) - dayNumber(o.day));
		e.frequency++;
		e.revenueCents += o.cents;
		if (o.engaged !== null && o.engaged <= analysisDate) {
			const days = dayNumber(analysisDate) - dayNumber(o.engaged);
			e.engagedDays = e.engagedDays === null ? days : Math.min(e.engagedDays, days);
		}
		byCustomer.set(o.customer, e);
	}
	return {
		customers: byCustomer,
		orders: inside.length,
		before: orders.filter((o) => from !== null && o.day < from).length,
		after: orders.filter((o) => o.day > to).length,
		afterAnalysisDate: orders.filter((o) => o.day > analysisDate).length
	};
}

describe('look-back windows and analysis dates on a generated store', () => {
	const { csv, orders } = generateStore(2024);
	const latest = orders.reduce((m, o) => (o.day > m ? o.day : m), '');
	const dayAfter = (iso: string) => isoOf(dayNumber(iso) + 1);

	beforeAll(async () => {
		const { inspection } = await load('generated-store.csv', csv);
		expect(inspection.detection.plan.mapping.lastEngaged).toBe('last_seen_at');
	});

	const cases: {
		name: string;
		lookBack: LookBack;
		analysisDate: string | null;
		want: () => { analysisDate: string; from: string | null; to: string };
	}[] = [
		{
			name: 'all history',
			lookBack: { kind: 'all' },
			analysisDate: null,
			want: () => ({ analysisDate: dayAfter(latest), from: null, to: dayAfter(latest) })
		},
		{
			name: 'all history up to an earlier analysis date',
			lookBack: { kind: 'all' },
			analysisDate: '2023-06-30',
			want: () => ({ analysisDate: '2023-06-30', from: null, to: '2023-06-30' })
		},
		{
			name: 'the last 12 months',
			lookBack: { kind: 'months', months: 12 },
			analysisDate: null,
			want: () => ({ analysisDate: dayAfter(latest), from: dayAfter(monthsBefore(dayAfter(latest), 12)), to: dayAfter(latest) })
		},
		{
			name: 'the 12 months before a month end (03-31 − 12 months = 03-31)',
			lookBack: { kind: 'months', months: 12 },
			analysisDate: '2024-03-31',
			want: () => ({ analysisDate: '2024-03-31', from: '2023-04-01', to: '2024-03-31' })
		},
		{
			name: 'the 1 month before 2024-03-31 (February 29th)',
			lookBack: { kind: 'months', months: 1 },
			analysisDate: '2024-03-31',
			want: () => ({ analysisDate: '2024-03-31', from: '2024-03-01', to: '2024-03-31' })
		},
		{
			name: 'the last 24 months',
			lookBack: { kind: 'months', months: 24 },
			analysisDate: '2024-10-15',
			want: () => ({ analysisDate: '2024-10-15', from: '2022-10-16', to: '2024-10-15' })
		},
		{
			name: 'a custom range (analysis date the day after it)',
			lookBack: { kind: 'range', from: '2023-02-01', to: '2023-12-31' },
			analysisDate: null,
			want: () => ({ analysisDate: '2024-01-01', from: '2023-02-01', to: '2023-12-31' })
		},
		{
			name: 'a range open at the end',
			lookBack: { kind: 'range', from: '2023-06-15', to: null },
			analysisDate: null,
			want: () => ({ analysisDate: dayAfter(latest), from: '2023-06-15', to: dayAfter(latest) })
		},
		{
			name: 'a range cut at an earlier analysis date',
			lookBack: { kind: 'range', from: null, to: '2023-08-31' },
			analysisDate: '2023-06-30',
			want: () => ({ analysisDate: '2023-06-30', from: null, to: '2023-06-30' })
		},
		{
			name: 'a range measured from a later analysis date',
			lookBack: { kind: 'range', from: '2023-01-01', to: '2023-06-30' },
			analysisDate: '2023-12-31',
			want: () => ({ analysisDate: '2023-12-31', from: '2023-01-01', to: '2023-06-30' })
		}
	];

	for (const c of cases) {
		it(`counts only the window's orders: ${c.name}`, async () => {
			const want = c.want();
			const { result, customers } = await score({ lookBack: c.lookBack, analysisDate: c.analysisDate });
			const expected = expectedMetrics(orders, want.analysisDate, want.from, want.to);
			expect(expected.customers.size).toBeGreaterThan(20);
			expect(result.headline).toMatchObject({
				analysisDate: want.analysisDate,
				windowFrom: want.from,
				windowTo: want.to,
				customers: expected.customers.size,
				orders: expected.orders,
				ordersBeforeWindow: expected.before,
				ordersAfterWindow: expected.after,
				ordersAfterAnalysisDate: expected.afterAnalysisDate,
				engagedCustomers: [...expected.customers.values()].filter((e) => e.engagedDays !== null).length
			});
			const revenueCents = [...expected.customers.values()].reduce((s, e) => s + e.revenueCents, 0);
			expect(Math.round(result.headline.revenue * 100)).toBe(revenueCents);
			const got = customers.map((r) => [
				r.customer_id,
				{ recencyDays: r.recency_days, frequency: r.frequency, revenueCents: Math.round(r.revenue * 100), engagedDays: r.engaged_days }
			]);
			expect(got).toEqual([...expected.customers.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
			for (const r of customers) expect(r.monetary).toBe(r.revenue);
		});
	}

	for (const levels of [3, 4]) {
		it(`keeps the balanced scoring properties on ${levels} levels, with M on the average order value`, async () => {
			const { result, customers } = await score({ levels, monetary: 'average', lookBack: { kind: 'months', months: 24 } });
			const value = { recency: 'recency_days', frequency: 'frequency', monetary: 'monetary' } as const;
			const scoreOf = { recency: 'r', frequency: 'f', monetary: 'm' } as const;
			for (const metric of METRICS) {
				expectScoringProperties(
					metric,
					customers.map((c) => ({ value: c[value[metric]], score: c[scoreOf[metric]] })),
					levels
				);
				expect(result.thresholds[metric]).toHaveLength(levels);
			}
			for (const c of customers) {
				expect(c.monetary).toBeCloseTo(c.revenue / c.frequency, 9);
				expect(c.rfm).toBe(c.r * 100 + c.f * 10 + c.m);
			}
		});
	}

	it('scores R rfm compatible on 4 levels with R’s type-7 quantiles plus one', async () => {
		const { result, customers } = await score({ method: 'r-rfm', levels: 4, analysisDate: '2025-01-01' }, R_RFM_README);
		// R's default quantile (type 7): linear interpolation between order statistics.
		const quantile = (sorted: number[], p: number) => {
			const h = (sorted.length - 1) * p;
			const lo = Math.floor(h);
			return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]!);
		};
		const value = { recency: 'recency_days', frequency: 'frequency', monetary: 'monetary' } as const;
		const scoreOf = { recency: 'r', frequency: 'f', monetary: 'm' } as const;
		for (const metric of METRICS) {
			const sorted = customers.map((c) => c[value[metric]]).sort((a, b) => a - b);
			const breaks = [0.25, 0.5, 0.75].map((p) => quantile(sorted, p) + 1);
			const bands = result.thresholds[metric];
			for (const [i, b] of breaks.entries()) expect(bands[i]!.upper).toBeCloseTo(b, 9);
			for (const c of customers) {
				const v = c[value[metric]];
				const bin = breaks.filter((b) => v >= b).length;
				expect(c[scoreOf[metric]], `${metric} ${v}`).toBe(metric === 'recency' ? 4 - bin : bin + 1);
			}
		}
	});
});

describe('windows and dates', () => {
	it('subtracts months, keeping the day or taking the month’s last day', () => {
		expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
		expect(addMonths('2023-03-31', -1)).toBe('2023-02-28');
		expect(addMonths('2025-01-15', -12)).toBe('2024-01-15');
		expect(addMonths('2025-01-31', -2)).toBe('2024-11-30');
		expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
	});

	it('counts the orders after the analysis date minus N months, up to the analysis date', () => {
		expect(windowFor({ kind: 'months', months: 12 }, '2025-01-01')).toEqual({
			analysisDate: '2025-01-01',
			from: '2024-01-02',
			to: '2025-01-01'
		});
		expect(windowFor({ kind: 'all' }, '2025-01-01')).toEqual({ analysisDate: '2025-01-01', from: null, to: '2025-01-01' });
		expect(windowFor({ kind: 'range', from: '2024-01-01', to: '2026-01-01' }, '2025-01-01')).toEqual({
			analysisDate: '2025-01-01',
			from: '2024-01-01',
			to: '2025-01-01'
		});
	});
});

describe('fixedBands', () => {
	it('turns thresholds into bands, recency reversed', () => {
		expect(fixedBands('recency', [30, 90]).map((b) => [b.score, b.lower, b.upper])).toEqual([
			[3, 0, 30],
			[2, 31, 90],
			[1, 91, Infinity]
		]);
		expect(fixedBands('monetary', [0, 100]).map((b) => [b.score, b.lower, b.upper, b.lowerExclusive ?? false])).toEqual([
			[1, -Infinity, 0, false],
			[2, 0, 100, true],
			[3, 100, Infinity, true]
		]);
	});
});

describe('validateScoring', () => {
	const fixed = (metric: Metric, values: number[], levels = 5): ScoringSettings => ({
		...DEFAULT_SCORING,
		method: 'fixed',
		levels,
		fixed: { ...DEFAULT_FIXED, [metric]: values }
	});

	it('accepts the defaults, and fixed thresholds only matter for the fixed method', () => {
		expect(validateScoring({ ...DEFAULT_SCORING, method: 'fixed' })).toBeNull();
		expect(validateScoring({ ...fixed('monetary', [-10, 0, 0.5, 1e6]) })).toBeNull();
		expect(validateScoring({ ...fixed('recency', [1, 2]), method: 'balanced' })).toBeNull();
		expect(validateScoring(fixed('recency', [30, 90]))).toBe('Recency needs 4 thresholds for 5 score levels (it has 2).');
		expect(
			validateScoring({
				...DEFAULT_SCORING,
				method: 'fixed',
				levels: 4,
				fixed: { recency: [30, 90, 180], frequency: [1, 2, 4], monetary: [1, 2, 3] }
			})
		).toBeNull();
	});

	it('names the metric of a wrong threshold count, order or value', () => {
		expect(validateScoring({ ...fixed('recency', [30, 90, 180, 365]), levels: 3 })).toBe(
			'Recency needs 2 thresholds for 3 score levels (it has 4).'
		);
		expect(validateScoring(fixed('frequency', [1, 4, 2, 9]))).toBe(
			'Frequency thresholds must go up: each must be larger than the one before (4 then 2).'
		);
		expect(validateScoring(fixed('monetary', [50, 100, 100, 500]))).toBe(
			'Monetary thresholds must go up: each must be larger than the one before (100 then 100).'
		);
		expect(validateScoring(fixed('monetary', [50, NaN, 250, 500]))).toBe('Monetary threshold 2 is not a number.');
		expect(validateScoring(fixed('recency', [30, 90, 180, Infinity]))).toBe('Recency threshold 4 is not a number.');
		expect(validateScoring(fixed('frequency', [1, 2.5, 4, 9]))).toBe('Frequency thresholds must be whole orders (threshold 2 is 2.5).');
		expect(validateScoring(fixed('recency', [-1, 90, 180, 365]))).toBe(
			'Recency thresholds count days since the last order, so they cannot be negative.'
		);
		expect(validateScoring(fixed('frequency', [0, 2, 4, 9]))).toBe('Frequency thresholds count orders: the first must be 1 or more.');
		expect(
			validateScoring({ ...DEFAULT_SCORING, method: 'fixed', fixed: { ...DEFAULT_FIXED, monetary: undefined as unknown as number[] } })
		).toBe('Monetary needs 4 thresholds for 5 score levels.');
	});

	it('checks the look-back window, the analysis date, the monetary basis and the method', () => {
		const lookBack = (l: unknown) => validateScoring({ ...DEFAULT_SCORING, lookBack: l as LookBack });
		expect(lookBack({ kind: 'months', months: 12 })).toBeNull();
		expect(lookBack({ kind: 'range', from: null, to: null })).toBeNull();
		expect(lookBack({ kind: 'months', months: 0 })).toBe('The look-back window must be a whole number of months from 1 to 1200.');
		expect(lookBack({ kind: 'months', months: 1.5 })).toBe('The look-back window must be a whole number of months from 1 to 1200.');
		expect(lookBack({ kind: 'range', from: '2024-02-30', to: null })).toBe(
			"The look-back window's start must be a date like 2024-12-31, or left open."
		);
		expect(lookBack({ kind: 'range', from: null, to: "2024-01-01' --" })).toBe(
			"The look-back window's end must be a date like 2024-12-31, or left open."
		);
		expect(lookBack({ kind: 'range', from: '2024-06-01', to: '2024-05-31' })).toBe(
			'The look-back window starts on 2024-06-01, after it ends (2024-05-31).'
		);
		expect(
			validateScoring({ ...DEFAULT_SCORING, analysisDate: '2024-05-31', lookBack: { kind: 'range', from: '2024-06-01', to: null } })
		).toBe('The analysis date (2024-05-31) is before the look-back window starts (2024-06-01).');
		expect(lookBack({ kind: 'weeks' })).toBe('The look-back window must be all history, a number of months or a date range.');
		expect(validateScoring({ ...DEFAULT_SCORING, analysisDate: '2023-02-29' })).toBe('The analysis date must be a date like 2024-12-31.');
		expect(validateScoring({ ...DEFAULT_SCORING, monetary: 'median' as 'total' })).toBe(
			'Monetary must be the total revenue or the average order value.'
		);
		expect(validateScoring({ ...DEFAULT_SCORING, method: 'kmeans' as 'fixed' })).toBe(
			'The scoring method must be balanced, fixed thresholds or R rfm compatible.'
		);
	});
});
