/**
 * The repeat-purchase questions (src/lib/journeys) against the same questions answered here in
 * plain JavaScript: on the demo store, from its generated CSV rows (paid orders of known
 * customers, as tests/unit/demo-ingest.test.ts counts them), and on an invoice-lines file shaped
 * like the UCI Online Retail file (stock codes, descriptions, cancellation invoices as credits),
 * from the orders, lines and credits the ingest made of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvParse } from 'd3';
import { generateDemoStore } from '../../src/lib/demo/generator';
import { loadOrders } from '../../src/lib/ingest/pipeline';
import { inspectSources, sniffSource } from '../../src/lib/ingest/sources';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { buildJourneyBase, type ItemLevel } from '../../src/lib/journeys/journey-orders';
import { nextItemCustomersSql, nextPurchase } from '../../src/lib/journeys/next-purchase';
import { firstOrderAnalysis, firstOrderCustomersSql, NO_CHANNEL, NO_COUPON, wilson } from '../../src/lib/journeys/first-order';
import { dueForSecondSql, gapCustomersSql, orderGaps } from '../../src/lib/journeys/order-gaps';
import { cohortCustomersSql, cohortValue, type CohortKind } from '../../src/lib/journeys/cohort-value';
import { discountCustomersSql, discountDependency } from '../../src/lib/journeys/discounts';
import { decodeJourneyCustomers, encodeJourneyCustomers, type JourneyCustomers } from '../../src/lib/journeys/journey-customers';
import { DEFAULT_JOURNEYS_VIEW, decodeJourneysViewState, encodeJourneysViewState } from '../../src/lib/journeys/view-state';
import { journeyCsv } from '../../src/lib/journeys/csv';
import { decodeSelection, encodeSelection } from '../../src/lib/state/url-state';
import {
	computeCustomerPast,
	previousSegmentSql,
	scorePrevious,
	sinceSnapshots,
	withCustomerPastSql
} from '../../src/lib/history/previous';
import { computeMigration } from '../../src/lib/history/migration';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

// ------------------------------------------------------------------ the questions, in plain JavaScript

interface RefOrder {
	customer: string;
	id: string;
	date: string;
	amount: number;
	coupon: string | null;
	channel: string | null;
	/** Item → summed line amount. */
	items: Map<string, number>;
}
interface RefCredit {
	customer: string;
	date: string;
	amount: number;
}

const DAY = 86_400_000;
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);
const plusDays = (d: string, n: number) => new Date(Date.parse(d) + n * DAY).toISOString().slice(0, 10);
const monthIndex = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
const months = (from: string, to: string) => monthIndex(to) - monthIndex(from);
/** Type-7 quantile (R's default), as DuckDB's quantile_cont. */
function quantile(sorted: number[], p: number): number {
	const h = (sorted.length - 1) * p;
	const lo = Math.floor(h);
	return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}
const close = (a: number | null | undefined, b: number | null | undefined) => {
	expect(a === null || a === undefined, `${a} vs ${b}`).toBe(b === null || b === undefined);
	if (a !== null && a !== undefined && b !== null && b !== undefined) expect(a).toBeCloseTo(b, 6);
};

class Reference {
	readonly byCustomer = new Map<string, RefOrder[]>();
	constructor(
		orders: RefOrder[],
		readonly credits: RefCredit[],
		readonly analysisDate: string
	) {
		for (const o of orders.filter((o) => o.date <= analysisDate)) {
			const list = this.byCustomer.get(o.customer) ?? [];
			list.push(o);
			this.byCustomer.set(o.customer, list);
		}
		for (const list of this.byCustomer.values())
			list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}

	static main(o: RefOrder): string | null {
		let best: [string, number] | null = null;
		for (const [item, amount] of o.items) if (!best || amount > best[1] || (amount === best[1] && item < best[0])) best = [item, amount];
		return best?.[0] ?? null;
	}

	paths(steps: 2 | 3): Map<string, number> {
		const counts = new Map<string, number>();
		for (const list of this.byCustomer.values()) {
			if (list.length < steps) continue;
			const mains = list.slice(0, steps).map(Reference.main);
			if (mains.some((m) => m === null)) continue;
			const key = mains.join(' → ');
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
		return counts;
	}

	next(): { pairs: Map<string, number>; buyers: Map<string, number>; base: Map<string, number> } {
		const pairs = new Map<string, number>();
		const buyers = new Map<string, number>();
		const secondHolds = new Map<string, number>();
		let repeaters = 0;
		for (const list of this.byCustomer.values()) {
			if (list.length >= 2) {
				repeaters++;
				for (const item of list[1]!.items.keys()) secondHolds.set(item, (secondHolds.get(item) ?? 0) + 1);
			}
			const seen = new Set<string>();
			for (let k = 0; k < list.length - 1; k++) {
				for (const x of list[k]!.items.keys()) {
					if (seen.has(x)) continue;
					seen.add(x);
					buyers.set(x, (buyers.get(x) ?? 0) + 1);
					for (const y of list[k + 1]!.items.keys()) pairs.set(`${x}\u0000${y}`, (pairs.get(`${x}\u0000${y}`) ?? 0) + 1);
				}
			}
		}
		const base = new Map([...secondHolds].map(([item, n]) => [item, n / repeaters]));
		return { pairs, buyers, base };
	}

	/** Per customer: first order, gap to the second (days), age, first-year orders and revenue. */
	firsts() {
		return [...this.byCustomer.entries()].map(([customer, list]) => {
			const first = list[0]!;
			const yearEnd = plusDays(first.date, 365);
			const yearOrders = list.filter((o) => o.date <= yearEnd);
			const yearCredits = this.credits.filter(
				(c) => c.customer === customer && c.date >= first.date && c.date <= yearEnd && c.date <= this.analysisDate
			);
			return {
				customer,
				first,
				gap: list.length > 1 ? days(first.date, list[1]!.date) : null,
				age: days(first.date, this.analysisDate),
				orders365: yearOrders.length,
				revenue365: yearOrders.reduce((s, o) => s + o.amount, 0) + yearCredits.reduce((s, c) => s + c.amount, 0)
			};
		});
	}

	firstOrderGroups(key: (o: RefOrder) => string[]) {
		const groups = new Map<
			string,
			{ customers: number; obs: Record<number, number>; rep: Record<number, number>; orders: number; revenue: number }
		>();
		for (const f of this.firsts()) {
			for (const k of key(f.first)) {
				const g = groups.get(k) ?? { customers: 0, obs: { 90: 0, 180: 0, 365: 0 }, rep: { 90: 0, 180: 0, 365: 0 }, orders: 0, revenue: 0 };
				g.customers++;
				for (const h of [90, 180, 365]) {
					if (f.age >= h) {
						g.obs[h]!++;
						if (f.gap !== null && f.gap <= h) g.rep[h]!++;
					}
				}
				if (f.age >= 365) {
					g.orders += f.orders365;
					g.revenue += f.revenue365;
				}
				groups.set(k, g);
			}
		}
		return groups;
	}

	gaps(fromOrder: number): number[] {
		const out: number[] = [];
		for (const list of this.byCustomer.values())
			if (list.length > fromOrder) out.push(days(list[fromOrder - 1]!.date, list[fromOrder]!.date));
		return out.sort((a, b) => a - b);
	}

	/** Cohort curves: cohort → month → { customers, value }. */
	cohorts(key: (o: RefOrder) => string[]): Map<string, Map<number, { customers: number; value: number }>> {
		const result = new Map<string, Map<number, { customers: number; value: number }>>();
		for (const [customer, list] of this.byCustomer) {
			const first = list[0]!;
			const observed = months(first.date, plusDays(this.analysisDate, 1)) - 1;
			const moves = [
				...list.map((o) => ({ date: o.date, amount: o.amount })),
				...this.credits.filter((c) => c.customer === customer && c.date >= first.date && c.date <= this.analysisDate)
			];
			for (const k of key(first)) {
				const curve = result.get(k) ?? new Map<number, { customers: number; value: number }>();
				for (let m = 0; m <= observed; m++) {
					const p = curve.get(m) ?? { customers: 0, value: 0 };
					p.customers++;
					p.value += moves.filter((mv) => months(first.date, mv.date) <= m).reduce((s, mv) => s + mv.amount, 0);
					curve.set(m, p);
				}
				result.set(k, curve);
			}
		}
		return result;
	}
}

// ------------------------------------------------------------------ the checks, for any loaded store

async function checkAll(db: WasmTestDb, ref: Reference, level: ItemLevel) {
	const base = await buildJourneyBase(db, ref.analysisDate, level);
	expect(base.level).toBe(level);

	// What they buy next.
	const next = await nextPurchase(db);
	expect(next.repeatCustomers).toBe([...ref.byCustomer.values()].filter((l) => l.length >= 2).length);
	for (const steps of [2, 3] as const) {
		const expected = ref.paths(steps);
		const got = steps === 2 ? next.paths2 : next.paths3;
		expect(got.reduce((s, p) => s + p.customers, 0)).toBe([...expected.values()].reduce((a, b) => a + b, 0));
		for (const p of got) expect(p.customers, p.items.join(' → ')).toBe(expected.get(p.items.join(' → ')));
		expect(got.length).toBe(expected.size);
	}
	const { pairs, buyers, base: rates } = ref.next();
	expect(next.next.length).toBe([...pairs.keys()].filter((k) => rates.has(k.split('\u0000')[1]!)).length);
	for (const n of next.next) {
		const count = pairs.get(`${n.from_item}\u0000${n.to_item}`)!;
		expect(n.customers).toBe(count);
		close(n.share_of_from, count / buyers.get(n.from_item)!);
		close(n.lift, count / buyers.get(n.from_item)! / rates.get(n.to_item)!);
	}
	for (const b of next.buyers) expect(b.buyers).toBe(buyers.get(b.item));
	// Drill-through: the customers behind the strongest pair.
	const top = [...next.next].sort((a, b) => b.customers - a.customers)[0]!;
	const [drill] = await db.rows<{ n: number }>(
		`SELECT CAST(count(*) AS DOUBLE) AS n FROM (${nextItemCustomersSql(top.from_item, top.to_item)})`
	);
	expect(drill!.n).toBe(top.customers);

	// First orders, per item, coupon and channel, and everyone together.
	const keys = {
		item: (o: RefOrder) => [...o.items.keys()],
		coupon: (o: RefOrder) => [o.coupon ?? NO_COUPON],
		channel: (o: RefOrder) => [o.channel ?? NO_CHANNEL]
	};
	for (const dimension of ['item', 'coupon', 'channel'] as const) {
		const analysis = await firstOrderAnalysis(db, dimension);
		const expected = ref.firstOrderGroups(keys[dimension]);
		expect(analysis.groups.length).toBe(expected.size);
		for (const g of analysis.groups) {
			const e = expected.get(g.first_item)!;
			expect(g.customers, g.first_item).toBe(e.customers);
			for (const h of [90, 180, 365] as const) {
				expect(g.rates[h].observed).toBe(e.obs[h]);
				expect(g.rates[h].repeated).toBe(e.rep[h]);
				close(g.rates[h].rate, e.obs[h]! > 0 ? e.rep[h]! / e.obs[h]! : null);
			}
			close(g.revenuePerCustomer365d, e.obs[365]! > 0 ? e.revenue / e.obs[365]! : null);
			close(g.ordersPerCustomer365d, e.obs[365]! > 0 ? e.orders / e.obs[365]! : null);
		}
		expect(analysis.all.customers).toBe(ref.byCustomer.size);
		const biggest = analysis.groups[0]!;
		const [drill] = await db.rows<{ n: number }>(
			`SELECT CAST(count(*) AS DOUBLE) AS n FROM (${firstOrderCustomersSql(dimension, biggest.first_item, 90)})`
		);
		expect(drill!.n).toBe(biggest.rates[90].repeated);
	}

	// Time between orders.
	const gaps = await orderGaps(db, ref.analysisDate);
	for (const g of gaps.gaps) {
		const expected = ref.gaps(g.from_order_number);
		expect(g.customers).toBe(expected.length);
		close(g.median_days, quantile(expected, 0.5));
		close(g.p25_days, quantile(expected, 0.25));
		close(g.p75_days, quantile(expected, 0.75));
		expect(g.histogram.reduce((a, b) => a + b, 0)).toBe(expected.length);
		expect(g.histogram[0]).toBe(expected.filter((d) => d < 15).length);
		expect(g.histogram.at(-1)).toBe(expected.filter((d) => d >= 360).length);
		const [drill] = await db.rows<{ n: number }>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM (${gapCustomersSql(g.from_order_number)})`);
		expect(drill!.n).toBe(expected.length);
	}
	expect(gaps.gaps.map((g) => g.from_order_number)).toEqual([1, 2, 3].filter((k) => ref.gaps(k).length > 0));
	const second = ref.gaps(1);
	const [lo, hi] = [Math.ceil(quantile(second, 0.25)), Math.floor(quantile(second, 0.75))];
	const due = [...ref.byCustomer.values()].filter(
		(l) => l.length === 1 && days(l[0]!.date, ref.analysisDate) >= lo && days(l[0]!.date, ref.analysisDate) <= hi
	);
	expect(gaps.due).toEqual({ customers: due.length, fromDays: lo, toDays: hi });
	expect(gaps.oneTimeBuyers).toBe([...ref.byCustomer.values()].filter((l) => l.length === 1).length);
	const [dueDrill] = await db.rows<{ n: number }>(
		`SELECT CAST(count(*) AS DOUBLE) AS n FROM (${dueForSecondSql(ref.analysisDate, lo, hi)})`
	);
	expect(dueDrill!.n).toBe(due.length);

	// Cohort value curves.
	const cohortKeys: Record<CohortKind, (o: RefOrder) => string[]> = {
		month: (o) => [`${o.date.slice(0, 7)}-01`],
		quarter: (o) => [`${o.date.slice(0, 4)}-${String(Math.floor((Number(o.date.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`],
		item: keys.item,
		channel: keys.channel,
		coupon: keys.coupon
	};
	for (const kind of ['month', 'quarter', 'item', 'channel', 'coupon'] as const) {
		const curves = await cohortValue(db, kind, ref.analysisDate);
		const expected = ref.cohorts(cohortKeys[kind]);
		let points = 0;
		for (const c of curves) {
			const e = expected.get(c.cohort);
			for (const p of c.points) {
				const q = e?.get(p.monthsSinceFirst);
				expect(p.customers, `${kind} ${c.cohort} month ${p.monthsSinceFirst}`).toBe(q?.customers);
				close(p.cumulativeRevenuePerCustomer, q!.value / q!.customers);
				points++;
			}
			expect(c.points.length).toBe(e?.size ?? 0);
		}
		expect(points).toBe([...expected.values()].reduce((s, m) => s + m.size, 0));
		const [drill] = await db.rows<{ n: number }>(
			`SELECT CAST(count(*) AS DOUBLE) AS n FROM (${cohortCustomersSql(kind, curves[0]!.cohort, ref.analysisDate)})`
		);
		expect(drill!.n).toBe(curves[0]!.customers);
	}
	return base;
}

/** The discount view against per-customer coupon shares counted here, and the page's segments. */
async function checkDiscounts(db: WasmTestDb, ref: Reference) {
	await scoreCustomers(db, { ...DEFAULT_SCORING, analysisDate: ref.analysisDate }, GRID_MAP);
	const result = await discountDependency(db);
	const groupOf = (list: RefOrder[]) => {
		const withCoupon = list.filter((o) => o.coupon !== null).length;
		return withCoupon === 0 ? 'full_price' : withCoupon === list.length ? 'coupon_only' : 'occasional';
	};
	for (const g of result.groups) {
		const lists = [...ref.byCustomer.values()].filter((l) => groupOf(l) === g.group);
		expect(g.customers, g.group).toBe(lists.length);
		expect(g.orders).toBe(lists.reduce((s, l) => s + l.length, 0));
		expect(g.couponOrders).toBe(lists.reduce((s, l) => s + l.filter((o) => o.coupon !== null).length, 0));
		close(
			g.revenue,
			lists.reduce((s, l) => s + l.reduce((t, o) => t + o.amount, 0), 0)
		);
	}
	const segments = new Map(
		(await db.rows<{ customer_id: string; segment: string }>('SELECT customer_id, segment FROM customer_scores')).map((r) => [
			r.customer_id,
			r.segment
		])
	);
	for (const s of result.segments) {
		for (const group of ['full_price', 'occasional', 'coupon_only'] as const) {
			const expected = [...ref.byCustomer.entries()].filter(([c, l]) => segments.get(c) === s.segment && groupOf(l) === group).length;
			expect(s.counts[group], `${s.segment} ${group}`).toBe(expected);
		}
	}
	const groups = ref.firstOrderGroups((o) => [o.coupon === null ? 'Without a coupon' : 'With a coupon']);
	for (const [got, name] of [
		[result.acquiredWith, 'With a coupon'],
		[result.acquiredWithout, 'Without a coupon']
	] as const) {
		const e = groups.get(name);
		expect(got?.customers ?? 0).toBe(e?.customers ?? 0);
		if (got && e) {
			expect(got.rates[365].repeated).toBe(e.rep[365]);
			close(got.revenuePerCustomer365d, e.obs[365]! > 0 ? e.revenue / e.obs[365]! : null);
		}
	}
	const occasional = result.groups.find((g) => g.group === 'occasional')!;
	const [drill] = await db.rows<{ n: number }>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM (${discountCustomersSql('occasional')})`);
	expect(drill!.n).toBe(occasional.customers);
	return result;
}

// ------------------------------------------------------------------ the stores

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
});
afterAll(() => db.close());

async function load(name: string, csv: string) {
	db.registerText(name, csv);
	const source = await sniffSource(db, name, name, csv.slice(0, 65536));
	const inspection = await inspectSources(db, [source]);
	return loadOrders(db, inspection.relations, inspection.detection.plan, { layout: inspection.layout, files: [name] });
}

describe('repeat-purchase questions on the demo store', () => {
	it(
		'answer what they buy next, first orders, time between orders, cohort value and discounts as counted from the CSV',
		{ timeout: 120_000 },
		async () => {
			const csv = Buffer.concat(generateDemoStore(42, 2000).parts).toString('utf8');
			await load('demo.csv', csv);
			const orders = new Map<string, RefOrder>();
			for (const r of csvParse(csv)) {
				if (!r.customer_id || r.status !== 'paid') continue;
				const o = orders.get(r.order_id!) ?? {
					customer: r.customer_id,
					id: r.order_id!,
					date: r.ordered_at!.slice(0, 10),
					amount: 0,
					coupon: r.coupon || null,
					channel: r.channel || null,
					items: new Map<string, number>()
				};
				o.amount += Number(r.line_total);
				o.items.set(r.product!, (o.items.get(r.product!) ?? 0) + Number(r.line_total));
				orders.set(r.order_id!, o);
			}
			const last = [...orders.values()].reduce((m, o) => (o.date > m ? o.date : m), '');
			const ref = new Reference([...orders.values()], [], plusDays(last, 1));
			expect(ref.byCustomer.size).toBeGreaterThan(1000);
			const base = await checkAll(db, ref, 'product');
			expect(base.columns).toEqual({ levels: ['product', 'sku', 'category'], coupon: true, channel: true });
			const discounts = await checkDiscounts(db, ref);
			expect(discounts.groups.every((g) => g.customers > 0)).toBe(true);

			// Where customers were: the builder's "segment 90 days ago" is History's state on that date.
			const settings = { ...DEFAULT_SCORING, analysisDate: ref.analysisDate };
			const asOf = await scorePrevious(db, settings, GRID_MAP, ref.analysisDate);
			expect(asOf).toBe(plusDays(ref.analysisDate, -90));
			const previous = await db.rows<{ customer_id: string; previous: string }>(
				`SELECT s.customer_id, ${previousSegmentSql('s.customer_id', asOf)} AS previous FROM customer_scores s`
			);
			await computeMigration(db, settings, GRID_MAP, asOf, ref.analysisDate);
			type From = { customer_id: string; from_kind: 'segment' | 'not-yet' | 'outside'; from_segment: string | null };
			const stateOf = (r: From) =>
				r.from_kind === 'segment' ? r.from_segment : r.from_kind === 'not-yet' ? 'Not yet customers' : 'Outside the look-back window';
			const history = new Map(
				(await db.rows<From>('SELECT customer_id, from_kind, from_segment FROM history_migration')).map((r) => [r.customer_id, stateOf(r)])
			);
			expect(previous.length).toBe(ref.byCustomer.size);
			for (const p of previous) expect(p.previous, p.customer_id).toBe(history.get(p.customer_id));
			// New customers since then are "not yet customers" 90 days ago, counted here from the orders.
			const newSince = [...ref.byCustomer.values()].filter((l) => l[0]!.date > asOf).length;
			expect(newSince).toBeGreaterThan(0);
			expect(previous.filter((p) => p.previous === 'Not yet customers').length).toBe(newSince);

			// Segment since: the unbroken run of monthly snapshots in today's segment, walked here from History's migrations.
			const past = await computeCustomerPast(db, settings, GRID_MAP, ref.analysisDate, 4);
			expect(past.previousAsOf).toBe(asOf);
			const today = new Map(
				(await db.rows<{ customer_id: string; segment: string }>('SELECT customer_id, segment FROM customer_scores')).map((r) => [
					r.customer_id,
					r.segment
				])
			);
			const since = new Map([...today.keys()].map((c) => [c, ref.analysisDate]));
			const open = new Set(today.keys());
			for (const snapshot of sinceSnapshots(ref.analysisDate, 4)) {
				await computeMigration(db, settings, GRID_MAP, snapshot, ref.analysisDate);
				for (const r of await db.rows<From>('SELECT customer_id, from_kind, from_segment FROM history_migration')) {
					if (!open.has(r.customer_id)) continue;
					if (stateOf(r) === today.get(r.customer_id)) since.set(r.customer_id, snapshot);
					else open.delete(r.customer_id);
				}
			}
			const rows = await db.rows<{ customer_id: string; previous_segment: string; segment_since: string }>(
				withCustomerPastSql('SELECT customer_id FROM customer_scores')
			);
			expect(rows).toHaveLength(today.size);
			for (const r of rows) {
				expect(r.segment_since, r.customer_id).toBe(since.get(r.customer_id));
				expect(r.previous_segment).toBe(history.get(r.customer_id) ?? previous.find((p) => p.customer_id === r.customer_id)!.previous);
			}
			// Some customers moved in the last month, some stayed the four months.
			expect(rows.filter((r) => r.segment_since === ref.analysisDate).length).toBeGreaterThan(0);
			expect(rows.filter((r) => r.segment_since === sinceSnapshots(ref.analysisDate, 4)[3]).length).toBeGreaterThan(0);
		}
	);
});

/** An invoice-lines file shaped like UCI Online Retail: invoices of stock-coded lines, cancellations as `C…` invoices. */
function uciLike(seed: number, customers: number): string {
	let s = seed;
	const rand = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
	const products = Array.from({ length: 12 }, (_, i) => ({
		code: `${85000 + i * 7}${i % 3 === 0 ? 'A' : ''}`,
		name: `PRODUCT ${String.fromCharCode(65 + i)} HOLDER`,
		price: 1 + i * 0.85
	}));
	const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
	let invoice = 536_365;
	const start = Date.UTC(2010, 11, 1);
	for (let c = 0; c < customers; c++) {
		const id = `${12_346 + c}.0`;
		const visits = 1 + Math.floor(rand() ** 2 * 6);
		let t = start + Math.floor(rand() * 300) * DAY;
		for (let v = 0; v < visits && t < Date.UTC(2011, 11, 9); v++) {
			const d = new Date(t + Math.floor(rand() * 10 * 3_600_000) + 8 * 3_600_000);
			const when = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${d.getUTCHours()}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
			const no = invoice++;
			const bought: string[] = [];
			for (let l = 0, n = 1 + Math.floor(rand() * 4); l < n; l++) {
				const p = products[Math.floor(rand() * rand() * products.length)]!;
				const q = 1 + Math.floor(rand() * 12);
				bought.push(`,${p.code},${p.name},-${q},${when},${p.price.toFixed(2)},${id},United Kingdom`);
				lines.push(`${no},${p.code},${p.name},${q},${when},${p.price.toFixed(2)},${id},United Kingdom`);
			}
			// Now and then a line is cancelled later the same day, as UCI's `C` invoices do.
			if (rand() < 0.08) lines.push(`C${invoice++}${bought[0]!}`);
			t += (7 + Math.floor(rand() * 120)) * DAY;
		}
		// Guests without a CustomerID are excluded by the ingest, as in the real file.
		if (rand() < 0.05) lines.push(`${invoice++},85123A,WHITE HANGING HEART,1,6/1/2011 9:00,2.55,,United Kingdom`);
	}
	return lines.join('\n') + '\n';
}

describe('repeat-purchase questions on an invoice-lines file shaped like UCI Online Retail', () => {
	it('answer the same questions by stock code as counted from the ingest’s orders, lines and credits', { timeout: 120_000 }, async () => {
		const report = await load('uci.csv', uciLike(7, 400));
		expect(report.layout).toBe('uci');
		const orderRows = await db.rows<{
			customer_id: string;
			order_id: string;
			d: string;
			amount: number;
			coupon: string | null;
			channel: string | null;
		}>(`SELECT customer_id, order_id, strftime(ordered_at, '%Y-%m-%d') AS d, amount, coupon, channel FROM orders`);
		const lineRows = await db.rows<{ order_id: string; customer_id: string; sku: string; line_amount: number }>(
			'SELECT order_id, customer_id, sku, line_amount FROM order_lines'
		);
		const credits = await db.rows<{ customer_id: string; d: string; amount: number }>(
			`SELECT customer_id, strftime(returned_at, '%Y-%m-%d') AS d, amount FROM returns`
		);
		expect(credits.length).toBeGreaterThan(0);
		const orders = new Map(
			orderRows.map((r) => [
				`${r.customer_id}\u0000${r.order_id}`,
				{
					customer: r.customer_id,
					id: r.order_id,
					date: r.d,
					amount: r.amount,
					coupon: r.coupon,
					channel: r.channel,
					items: new Map<string, number>()
				}
			])
		);
		for (const l of lineRows) {
			const o = orders.get(`${l.customer_id}\u0000${l.order_id}`)!;
			o.items.set(l.sku, (o.items.get(l.sku) ?? 0) + l.line_amount);
		}
		const last = orderRows.reduce((m, o) => (o.d > m ? o.d : m), '');
		const ref = new Reference(
			[...orders.values()],
			credits.map((c) => ({ customer: c.customer_id, date: c.d, amount: c.amount })),
			plusDays(last, 1)
		);
		const base = await checkAll(db, ref, 'sku');
		expect(base.columns.levels).toEqual(['product', 'sku']);
		expect(base.columns.coupon).toBe(false);
	});
});

describe('Wilson interval', () => {
	it('matches the published example and stays inside 0–1', () => {
		// Wilson (1927) as tabulated by Newcombe (1998), example 81/263: 0.2553–0.3662.
		const w = wilson(81, 263)!;
		expect(w.low).toBeCloseTo(0.2553, 4);
		expect(w.high).toBeCloseTo(0.3662, 4);
		expect(wilson(0, 10)!.low).toBe(0);
		expect(wilson(10, 10)!.high).toBe(1);
		expect(wilson(0, 0)).toBeNull();
	});
});

describe('repeat-purchase links and downloads', () => {
	it('keeps a number’s customers in a link, and refuses anything malformed', () => {
		const customers = { ask: { q: 'next', from: 'Tea, "green"', to: null }, analysisDate: '2025-01-01', level: 'product' } as const;
		const text = encodeJourneyCustomers(customers, 'After tea');
		expect(decodeJourneyCustomers(text)).toEqual({ customers, label: 'After tea' });
		const path: JourneyCustomers = { ask: { q: 'path', items: ['A', 'B', 'C'] }, analysisDate: '2025-01-01', level: null };
		expect(decodeJourneyCustomers(encodeJourneyCustomers(path, 'A → B → C'))?.customers).toEqual(path);
		for (const bad of [
			'not json',
			'{}',
			JSON.stringify({ ...customers, label: 'x', analysisDate: "2025-01-01' OR 1=1" }),
			JSON.stringify({ ...customers, label: 'x', level: 'brand' }),
			JSON.stringify({ ask: { q: 'path', items: ['only one'] }, analysisDate: '2025-01-01', level: null, label: 'x' }),
			JSON.stringify({ ask: { q: 'gap', from: -1 }, analysisDate: '2025-01-01', level: null, label: 'x' }),
			JSON.stringify({
				ask: { q: 'first', dimension: 'item', group: 'A', within: 30 },
				analysisDate: '2025-01-01',
				level: null,
				label: 'x'
			}),
			JSON.stringify({ ask: { q: 'drop table' }, analysisDate: '2025-01-01', level: null, label: 'x' })
		])
			expect(decodeJourneyCustomers(bad), bad).toBeNull();
		// Through the link's selection text too.
		const selection = { kind: 'journey', label: 'After tea', customers } as const;
		expect(decodeSelection(encodeSelection(selection)!)).toEqual(selection);
	});

	it('keeps only the view choices that differ from the defaults, and reads any link back to valid ones', () => {
		expect(encodeJourneysViewState(DEFAULT_JOURNEYS_VIEW)).toBeNull();
		const state = { ...DEFAULT_JOURNEYS_VIEW, question: 'cohorts', cohortKind: 'item', level: 'sku' } as const;
		expect(decodeJourneysViewState(encodeJourneysViewState(state))).toEqual(state);
		expect(decodeJourneysViewState('{"question":"nope","level":"brand","dimension":"coupon"}')).toEqual({
			...DEFAULT_JOURNEYS_VIEW,
			dimension: 'coupon'
		});
		expect(decodeJourneysViewState('{{')).toEqual(DEFAULT_JOURNEYS_VIEW);
	});

	it('writes each answer as CSV with the named columns, formula-looking names neutralised', () => {
		const base = {
			analysisDate: '2025-01-01',
			level: 'product' as const,
			columns: { levels: ['product' as const], coupon: true, channel: true }
		};
		const csv = journeyCsv({
			base,
			question: 'next',
			next: {
				repeatCustomers: 2,
				paths2: [],
				paths3: [],
				buyers: [],
				next: [{ from_item: '=HYPERLINK("x")', to_item: 'Tea, green', customers: 2, share_of_from: 0.5, lift: 1.25, buyers: 4 }]
			}
		});
		expect(csv).toBe('from_item,to_item,customers,share_of_from,lift\n"\'=HYPERLINK(""x"")","Tea, green",2,0.5,1.25\n');
		const gaps = journeyCsv({
			base,
			question: 'gaps',
			gaps: {
				gaps: [{ from_order_number: 1, customers: 3, median_days: 10, p25_days: 5.5, p75_days: 20, histogram: [] }],
				due: null,
				oneTimeBuyers: 0
			}
		});
		expect(gaps).toBe('from_order_number,customers,median_days,p25_days,p75_days\n1,3,10,5.5,20\n');
		const cohorts = journeyCsv({
			base,
			question: 'cohorts',
			kind: 'month',
			cohorts: [{ cohort: '2024-01-01', customers: 4, points: [{ monthsSinceFirst: 0, customers: 4, cumulativeRevenuePerCustomer: 12.5 }] }]
		});
		expect(cohorts).toBe('cohort,months_since_first,customers,cumulative_revenue_per_customer\n2024-01-01,0,4,12.5\n');
	});
});
