/**
 * Behaviour segments and customer lists on DuckDB-WASM: every segment's membership is computed
 * again here in plain TypeScript, from the orders as generated or written, and compared with
 * `customer_behaviour`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { str } from '../../src/lib/sql';
import { inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import { scoreCustomers, type RfmResult } from '../../src/lib/rfm/analysis';
import {
	BELOW_TIERS,
	BEHAVIOUR_IDS,
	behaviourDefinitions,
	computeBehaviour,
	DEFAULT_BEHAVIOUR,
	tierId,
	validateBehaviour,
	type BehaviourSettings,
	type BehaviourSummary,
	BEHAVIOUR_COLUMN
} from '../../src/lib/rfm/behaviour';
import {
	CUSTOMER_SORT_KEYS,
	listCustomers,
	selectionExportSql,
	type CustomerRow,
	type CustomerSelection
} from '../../src/lib/rfm/customer-list';
import { copyToCsvSql } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING, type RuleSet, type ScoringSettings } from '../../src/lib/rfm/types';
import { seededRandom } from '../support/random';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

const DAY = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const isoOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

/** One line of an order file: a line item (several lines may share an order id). */
interface Line {
	orderId: string;
	customer: string;
	day: string;
	cents: number;
}

function csvOf(lines: readonly Line[]): string {
	const amount = (c: number) => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
	const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
	return `Order ID,Customer ID,Order Date,Total\n${lines.map((l) => [l.orderId, quote(l.customer), l.day, amount(l.cents)].join(',')).join('\n')}\n`;
}

/** What the behaviour definitions say about one customer, worked out without SQL. */
interface ExpectedCustomer {
	segments: Set<string>;
	revenueCents: number;
	nextOrderDue: string | null;
	tier: string | null;
}

const median = (xs: readonly number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The behaviour definitions in plain TypeScript. `window` keeps the orders the look-back window
 * counts (inclusive ISO dates); orders after the analysis date never count.
 */
function expectedBehaviour(
	lines: readonly Line[],
	settings: BehaviourSettings,
	analysisDate: string,
	window: { from: string | null; to: string | null } = { from: null, to: null }
): Map<string, ExpectedCustomer> {
	const a = dayNumber(analysisDate);
	const counted = lines.filter(
		(l) => dayNumber(l.day) <= a && (window.from === null || l.day >= window.from) && (window.to === null || l.day <= window.to)
	);
	// Lines are summed per (customer, order id); an order is dated by its first line. A positive
	// total is an order; a negative one is a return that nets out of the customer's revenue (not an
	// order); a zero total is neither. Customers with no order are not scored.
	const totals = new Map<string, { customer: string; day: string; cents: number }>();
	for (const l of counted) {
		const key = `${l.customer}\u0000${l.orderId}`;
		const t = totals.get(key) ?? { customer: l.customer, day: l.day, cents: 0 };
		t.cents += l.cents;
		if (l.day < t.day) t.day = l.day;
		totals.set(key, t);
	}
	const byCustomer = new Map<string, { orders: Map<string, string>; cents: number }>();
	for (const [key, t] of totals) {
		if (t.cents <= 0) continue;
		const c = byCustomer.get(t.customer) ?? { orders: new Map(), cents: 0 };
		c.orders.set(key, t.day);
		c.cents += t.cents;
		byCustomer.set(t.customer, c);
	}
	for (const t of totals.values()) {
		const c = byCustomer.get(t.customer);
		if (t.cents < 0 && c) c.cents += t.cents;
	}
	const facts = [...byCustomer.entries()].map(([id, c]) => {
		const days = [...new Set(c.orders.values())].map(dayNumber).sort((x, y) => x - y);
		const gaps = days.slice(1).map((d, i) => d - days[i]!);
		return {
			id,
			frequency: c.orders.size,
			cents: c.cents,
			first: days[0]!,
			last: days[days.length - 1]!,
			ownMedian: gaps.length ? median(gaps) : null
		};
	});
	const ownMedians = facts.flatMap((f) => (f.ownMedian === null ? [] : [f.ownMedian]));
	const storeGap = ownMedians.length ? Math.round(median(ownMedians)) : null;
	// Top spenders: the k-th highest revenue is the cut-off, and everyone at or above it is in.
	// (Less a hair, so that 4.4% of 750 is 33 although 750 * 4.4 / 100 is 33.00000000000001 in doubles.)
	const k = Math.ceil((facts.length * settings.topSpenderPercent) / 100 - 1e-9);
	const cutoff = [...facts].sort((x, y) => y.cents - x.cents)[k - 1]?.cents ?? Infinity;
	const tiers = [...settings.tiers].sort((x, y) => y.minRevenue - x.minRevenue);

	const result = new Map<string, ExpectedCustomer>();
	for (const f of facts) {
		const recency = a - f.last;
		const gap = f.ownMedian === null ? storeGap : Math.round(f.ownMedian);
		const due = gap === null ? null : f.last + gap;
		const segments = new Set<string>();
		if (a - f.first <= settings.newDays) segments.add('new');
		if (recency <= settings.recentOrderDays) segments.add('recent');
		if (f.frequency === 1) segments.add('one-time');
		if (f.frequency >= 2) segments.add('repeat');
		if (f.frequency > settings.loyalMinOrders) segments.add('loyal');
		if (recency > settings.inactiveDays) segments.add('inactive');
		if (f.cents >= cutoff) segments.add('top-spenders');
		if (f.frequency >= 2 && gap !== null && recency > settings.longMissingFactor * gap) segments.add('long-missing');
		if (due !== null && due >= a && due < a + settings.dueWithinDays) segments.add('due-soon');
		if (due !== null && due < a) segments.add('overdue');
		// Under every tier's minimum: the catch-all tier, so the tiers count every customer.
		const tier = tiers.find((t) => f.cents >= Math.round(t.minRevenue * 100))?.name ?? BELOW_TIERS;
		if (tier !== null) segments.add(tierId(tier));
		result.set(f.id, { segments, revenueCents: f.cents, nextOrderDue: due === null ? null : isoOf(due), tier });
	}
	return result;
}

interface BehaviourRow {
	customer_id: string;
	revenue: number;
	next_order_due: string | null;
	tier: string | null;
	[flag: string]: unknown;
}

const FLAG = BEHAVIOUR_COLUMN;

async function actualBehaviour(db: WasmTestDb): Promise<Map<string, ExpectedCustomer>> {
	const rows = await db.rows<BehaviourRow>(
		`SELECT * REPLACE (strftime(next_order_due, '%Y-%m-%d') AS next_order_due) FROM customer_behaviour ORDER BY customer_id`
	);
	return new Map(
		rows.map((row) => {
			const segments = new Set<string>(BEHAVIOUR_IDS.filter((id) => row[FLAG[id]] === true));
			if (row.tier !== null) segments.add(tierId(row.tier));
			return [
				row.customer_id,
				{ segments, revenueCents: Math.round(row.revenue * 100), nextOrderDue: row.next_order_due, tier: row.tier }
			] as const;
		})
	);
}

/** Sorted, so a failure shows the customers that differ side by side. */
const plain = (m: Map<string, ExpectedCustomer>) =>
	[...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([id, c]) => ({ id, ...c, segments: [...c.segments].sort() }));

function expectSummary(
	summary: BehaviourSummary[],
	expected: Map<string, ExpectedCustomer>,
	lines: readonly Line[],
	settings: BehaviourSettings
) {
	// Orders are the (customer, order id) groups with a positive total; returns are not orders.
	const totals = new Map<string, number>();
	for (const l of lines) totals.set(`${l.customer}\u0000${l.orderId}`, (totals.get(`${l.customer}\u0000${l.orderId}`) ?? 0) + l.cents);
	const ordersOf = new Map<string, Set<string>>();
	for (const l of lines) {
		if (expected.has(l.customer) && totals.get(`${l.customer}\u0000${l.orderId}`)! > 0)
			ordersOf.set(l.customer, (ordersOf.get(l.customer) ?? new Set()).add(l.orderId));
	}
	expect(summary.map((s) => s.id)).toEqual(behaviourDefinitions(settings).map((d) => d.id));
	for (const s of summary) {
		const members = [...expected.entries()].filter(([, c]) => c.segments.has(s.id));
		expect(s.customers, s.id).toBe(members.length);
		expect(Math.round(s.revenue * 100), s.id).toBe(members.reduce((sum, [, c]) => sum + c.revenueCents, 0));
		expect(s.orders, s.id).toBe(members.reduce((sum, [id]) => sum + ordersOf.get(id)!.size, 0));
		expect(s.averageOrderValue, s.id).toBeCloseTo(s.orders === 0 ? 0 : s.revenue / s.orders, 9);
		expect(s.customerShare, s.id).toBeCloseTo(members.length / expected.size, 12);
	}
}

/** Loads an order file and scores it, as the engine does. */
async function scoreFile(
	db: WasmTestDb,
	name: string,
	csv: string,
	scoring: ScoringSettings = DEFAULT_SCORING,
	ruleSet: RuleSet = GRID_MAP
) {
	db.registerText(name, csv);
	const inspection = await inspectCsv(db, name);
	expect(inspection.detection.plan.mapping).toMatchObject({
		orderId: 'Order ID',
		customerId: 'Customer ID',
		orderDate: 'Order Date',
		amount: 'Total'
	});
	await loadCsv(db, name, inspection.dialect, inspection.detection.plan);
	return scoreCustomers(db, scoring, ruleSet);
}

/**
 * Two years of orders: 55% one-time buyers, repeat buyers with a personal rhythm (some ordering
 * twice on one day), price points that tie, refunds, and line-item orders.
 */
function generate(customers: number, seed: number): Line[] {
	const rnd = seededRandom(seed);
	const first = dayNumber('2023-01-01');
	const lines: Line[] = [];
	let order = 5000;
	for (let c = 0; c < customers; c++) {
		const customer = `C${String(c).padStart(5, '0')}`;
		let orders = 1;
		if (rnd() >= 0.55) {
			orders = 2;
			while (rnd() < 0.6 && orders < 30) orders++;
		}
		const rhythm = 3 + Math.floor(rnd() * 90);
		let day = first + Math.floor(rnd() * 730);
		for (let o = 0; o < orders && day <= first + 730; o++) {
			const u = rnd();
			let cents = u < 0.3 ? [1999, 4900, 9900, 25000][Math.floor(rnd() * 4)]! : Math.round(500 + rnd() * rnd() * 80000);
			if (u > 0.97) cents = -cents;
			const orderId = `#${order++}`;
			const parts = rnd() < 0.15 ? 2 : 1;
			for (let p = 0; p < parts; p++) {
				const part = parts === 1 ? cents : p === 0 ? Math.trunc(cents / 3) : cents - Math.trunc(cents / 3);
				lines.push({ orderId, customer, day: isoOf(day), cents: part });
			}
			// Some customers order twice on the same day.
			day += rnd() < 0.08 ? 0 : Math.max(1, Math.round(rhythm * (0.5 + rnd())));
		}
	}
	return lines;
}

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
});
afterAll(() => db.close());

describe('behaviour segments on a generated store', () => {
	const lines = generate(1500, 7);
	let rfm: RfmResult;

	beforeAll(async () => {
		rfm = await scoreFile(db, 'behaviour-generated.csv', csvOf(lines));
	});

	const custom: BehaviourSettings = {
		newDays: 90,
		recentOrderDays: 7,
		loyalMinOrders: 2,
		inactiveDays: 60,
		topSpenderPercent: 12.5,
		tiers: [
			{ name: "VIP'; DROP TABLE orders; --", minRevenue: 500.5 },
			{ name: 'Refunded', minRevenue: -1e9 },
			{ name: 'Regular "quoted"', minRevenue: 0 }
		],
		longMissingFactor: 1.5,
		dueWithinDays: 30
	};

	for (const [label, settings] of [
		['default thresholds', DEFAULT_BEHAVIOUR],
		['custom thresholds and hostile tier names', custom]
	] as const) {
		it(`puts every customer in the segments the definitions say (${label})`, async () => {
			const summary = await computeBehaviour(db, settings, rfm.headline.analysisDate);
			const expected = expectedBehaviour(lines, settings, rfm.headline.analysisDate);
			expect(plain(await actualBehaviour(db))).toEqual(plain(expected));
			expectSummary(summary, expected, lines, settings);
			// Every segment has members in this data, so the test says something about each.
			for (const s of summary)
				if (s.id !== tierId('Refunded') && s.id !== tierId(BELOW_TIERS)) expect(s.customers, s.id).toBeGreaterThan(0);
			// The tiers, the catch-all below them included, count every customer once, and their revenue adds up.
			const tiers = summary.filter((s) => s.kind === 'tier');
			expect(tiers.reduce((n, s) => n + s.customers, 0)).toBe(expected.size);
			expect(Math.round(tiers.reduce((n, s) => n + s.revenue, 0) * 100)).toBe(
				[...expected.values()].reduce((n, e) => n + e.revenueCents, 0)
			);
		});
	}

	it('has one-time buyers expected back after the store’s usual gap, and says so', async () => {
		const summary = await computeBehaviour(db, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
		expect(summary.find((s) => s.id === 'due-soon')?.note).toMatch(/store's usual gap of \d+ days/);
	});
});

/**
 * Hand-made edge cases; the latest order is 2024-06-30, so the analysis date is 2024-07-01 and
 * recency = 2024-07-01 − last order.
 */
const EDGE: Line[] = (() => {
	const lines: Line[] = [];
	let n = 0;
	const add = (customer: string, day: string, cents: number, orderId = `E${++n}`) => lines.push({ orderId, customer, day, cents });
	const daysBefore = (k: number) => isoOf(dayNumber('2024-07-01') - k);
	// Thresholds with the defaults (new/recent 30, inactive 180, loyal > 5).
	add('first-30-days-ago', daysBefore(30), 1000);
	add('first-31-days-ago', daysBefore(31), 1000);
	add('inactive-180', daysBefore(180), 1000);
	add('inactive-181', daysBefore(181), 1000);
	for (let i = 0; i < 5; i++) add('five-orders', daysBefore(300 - i * 40), 2000);
	for (let i = 0; i < 6; i++) add('six-orders', daysBefore(300 - i * 40), 2000);
	// Two orders on the latest day: a repeat buyer without a gap of their own.
	add('same-day', daysBefore(1), 1500);
	add('same-day', daysBefore(1), 1500);
	// A line-item order: two lines, one order.
	add('line-items', daysBefore(5), 700, 'L1');
	add('line-items', daysBefore(5), 800, 'L1');
	// Gaps of 10 days; the next order falls exactly on the analysis date (due, not overdue) …
	add('due-today', daysBefore(20), 100);
	add('due-today', daysBefore(10), 100);
	// … a day before it (overdue) …
	add('overdue-1', daysBefore(21), 100);
	add('overdue-1', daysBefore(11), 100);
	// … on the last day of the next 14 (2024-07-14) and the first day after them.
	add('due-day-14', daysBefore(17), 100);
	add('due-day-14', daysBefore(2), 100);
	add('due-day-15', daysBefore(16), 100);
	add('due-day-15', daysBefore(1), 100);
	// Silent for exactly 2× and just over 2× their 10-day gap.
	add('silent-20', daysBefore(40), 100);
	add('silent-20', daysBefore(30), 100);
	add('silent-20', daysBefore(20), 100);
	add('silent-21', daysBefore(41), 100);
	add('silent-21', daysBefore(31), 100);
	add('silent-21', daysBefore(21), 100);
	// Gaps 2 and 3 (and a same-day order that adds no gap): the median 2.5 rounds to 3.
	add('gap-2.5', daysBefore(100), 100);
	add('gap-2.5', daysBefore(98), 100);
	add('gap-2.5', daysBefore(98), 100);
	add('gap-2.5', daysBefore(95), 100);
	// Tiers: exactly at Silver (once as a sum with floating-point noise: 249.99999999999997 in
	// doubles) and Gold, a cent below Silver, and a net refund (below Bronze).
	add('tier-249.99', daysBefore(60), 24999);
	add('tier-250', daysBefore(60), 25000);
	add('tier-250-noisy', daysBefore(60), 24998);
	add('tier-250-noisy', daysBefore(60), 1);
	add('tier-250-noisy', daysBefore(60), 1);
	add('tier-1000', daysBefore(60), 60000);
	add('tier-1000', daysBefore(50), 40000);
	// A refund alone is not a customer; a refund after an order nets out of its revenue (300 − 60 = 240: Bronze).
	add('net-refund', daysBefore(60), -5000);
	add('refund-after-order', daysBefore(70), 30000);
	add('refund-after-order', daysBefore(60), -6000);
	// The top 10% of 26 customers is ceil(2.6) = 3: one clear leader, then four tied at the cut-off.
	add('top-leader', daysBefore(90), 500000);
	for (const t of ['top-tie-a', 'top-tie-b', 'top-tie-c', 'top-tie-d']) add(t, daysBefore(90), 200000);
	add('top-just-below', daysBefore(90), 199999);
	return lines;
})();

describe('behaviour segments on hand-made edge cases', () => {
	let rfm: RfmResult;
	let actual: Map<string, ExpectedCustomer>;
	let summary: BehaviourSummary[];

	beforeAll(async () => {
		rfm = await scoreFile(db, 'behaviour-edge.csv', csvOf(EDGE));
		summary = await computeBehaviour(db, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
		actual = await actualBehaviour(db);
	});

	const inSegment = (id: string) => [...actual.entries()].filter(([, c]) => c.segments.has(id)).map(([customer]) => customer);

	it('matches the definitions computed in TypeScript', () => {
		expect(rfm.headline.analysisDate).toBe('2024-07-01');
		expect(rfm.headline.customers).toBe(26);
		const expected = expectedBehaviour(EDGE, DEFAULT_BEHAVIOUR, '2024-07-01');
		expect(plain(actual)).toEqual(plain(expected));
		expectSummary(summary, expected, EDGE, DEFAULT_BEHAVIOUR);
	});

	it('counts "in the last 30 days" as the 30 days before the analysis date', () => {
		expect(actual.get('first-30-days-ago')!.segments).toContain('new');
		expect(actual.get('first-30-days-ago')!.segments).toContain('recent');
		expect(actual.get('first-31-days-ago')!.segments).not.toContain('new');
		expect(actual.get('first-31-days-ago')!.segments).not.toContain('recent');
	});

	it('calls a customer inactive after more than 180 days without an order', () => {
		expect(actual.get('inactive-180')!.segments).not.toContain('inactive');
		expect(actual.get('inactive-181')!.segments).toContain('inactive');
	});

	it('calls more than 5 orders loyal, counting a line-item order once', () => {
		expect(inSegment('loyal')).toEqual(['six-orders']);
		expect(actual.get('line-items')!.segments).toContain('one-time');
		expect(actual.get('same-day')!.segments).toContain('repeat');
	});

	it('includes everyone tied at the top-spender cut-off, and says so', () => {
		expect(inSegment('top-spenders')).toEqual(['top-leader', 'top-tie-a', 'top-tie-b', 'top-tie-c', 'top-tie-d']);
		expect(summary.find((s) => s.id === 'top-spenders')!.note).toBe(
			'3 customers make the top share; 2 more tie with the last of them at the cut-off and are included.'
		);
	});

	it('puts customers exactly at a tier minimum in that tier', () => {
		expect(actual.get('tier-249.99')!.tier).toBe('Bronze');
		expect(actual.get('tier-250')!.tier).toBe('Silver');
		expect(actual.get('tier-250-noisy')!.tier).toBe('Silver');
		expect(actual.get('tier-1000')!.tier).toBe('Gold');
		expect(actual.has('net-refund')).toBe(false);
		expect(actual.get('refund-after-order')).toMatchObject({ tier: 'Bronze', revenueCents: 24000 });
	});

	it('expects the next order after the usual gap: due on the analysis date, overdue the day before', () => {
		expect(actual.get('due-today')).toMatchObject({ nextOrderDue: '2024-07-01' });
		expect(actual.get('due-today')!.segments).toContain('due-soon');
		expect(actual.get('due-today')!.segments).not.toContain('overdue');
		expect(actual.get('overdue-1')).toMatchObject({ nextOrderDue: '2024-06-30' });
		expect(actual.get('overdue-1')!.segments).toContain('overdue');
		expect(actual.get('due-day-14')).toMatchObject({ nextOrderDue: '2024-07-14' });
		expect(actual.get('due-day-14')!.segments).toContain('due-soon');
		expect(actual.get('due-day-15')).toMatchObject({ nextOrderDue: '2024-07-15' });
		expect(actual.get('due-day-15')!.segments).not.toContain('due-soon');
		expect(actual.get('gap-2.5')!.nextOrderDue).toBe(isoOf(dayNumber('2024-07-01') - 95 + 3));
	});

	it('calls repeat buyers long-time missing only when silent for more than 2× their gap', () => {
		expect(actual.get('silent-20')!.segments).not.toContain('long-missing');
		expect(actual.get('silent-21')!.segments).toContain('long-missing');
	});

	it('expects customers with a single order day back after the store’s usual gap', () => {
		// Own usual gaps 2.5, 10 (five customers), 15 (two), 40 (two): the median is 10.
		expect(summary.find((x) => x.id === 'due-soon')!.note).toBe(
			"Customers with orders on a single day are expected back after the store's usual gap of 10 days."
		);
		expect(actual.get('same-day')!.nextOrderDue).toBe(isoOf(dayNumber('2024-06-30') + 10));
		expect(actual.get('first-30-days-ago')!.nextOrderDue).toBe(isoOf(dayNumber('2024-06-01') + 10));
	});
});

describe('top spenders', () => {
	it('takes N% of the customers, rounded up, without floating-point surprises', async () => {
		// 750 customers with different revenues: 4.4% is 33 (750 × 4.4 / 100 = 33.00000000000001 in doubles).
		const lines = Array.from({ length: 750 }, (_, i) => ({
			orderId: `T${i}`,
			customer: `T${String(i).padStart(3, '0')}`,
			day: '2024-03-01',
			cents: 100 * (i + 1)
		}));
		const rfm = await scoreFile(db, 'top-spenders.csv', csvOf(lines));
		for (const [percent, want] of [
			[4.4, 33],
			[10, 75],
			[0.1, 1],
			[0.01, 1],
			[100, 750]
		] as const) {
			const summary = await computeBehaviour(db, { ...DEFAULT_BEHAVIOUR, topSpenderPercent: percent }, rfm.headline.analysisDate);
			const top = summary.find((s) => s.id === 'top-spenders')!;
			expect(top.customers, `${percent}%`).toBe(want);
			expect(top.note).toBeNull();
			const [lowest] = await db.rows<{ revenue: number }>('SELECT min(revenue) AS revenue FROM customer_behaviour WHERE is_top_spender');
			expect(lowest!.revenue).toBe(751 - want);
		}
	});
});

describe('behaviour segments inside a look-back window, with monetary as average order value', () => {
	it('counts only the window’s orders and still tiers by total revenue', async () => {
		const lines = generate(600, 11);
		const window = { from: '2023-07-01', to: '2024-06-30' };
		const scoring: ScoringSettings = { ...DEFAULT_SCORING, monetary: 'average', lookBack: { kind: 'range', ...window } };
		const rfm = await scoreFile(db, 'behaviour-window.csv', csvOf(lines), scoring);
		expect(rfm.headline.analysisDate).toBe('2024-07-01');
		const summary = await computeBehaviour(db, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
		const expected = expectedBehaviour(lines, DEFAULT_BEHAVIOUR, '2024-07-01', window);
		expect(plain(await actualBehaviour(db))).toEqual(plain(expected));
		expectSummary(
			summary,
			expected,
			lines.filter((l) => l.day >= window.from && l.day <= window.to),
			DEFAULT_BEHAVIOUR
		);
	});
});

/** Segment names a merchant could type, made to break SQL built by concatenation. */
const HOSTILE_RULES: RuleSet = {
	id: 'hostile',
	name: 'Hostile names',
	levels: 5,
	rules: [
		{
			name: "'; DROP TABLE customer_scores; --",
			recency: [5, 5],
			frequency: [1, 5],
			monetary: [1, 5],
			color: '#000',
			description: '',
			action: ''
		},
		{ name: 'O\'Reilly "VIP" \\ 🛒', recency: [3, 4], frequency: [1, 5], monetary: [1, 5], color: '#111', description: '', action: '' },
		{ name: 'line\nbreak\0nul', recency: [2, 2], frequency: [1, 5], monetary: [1, 5], color: '#222', description: '', action: '' }
	],
	fallback: "x' OR '1'='1",
	fallbackDescription: '',
	fallbackAction: ''
};

describe('customer lists', () => {
	const lines = generate(800, 3);
	let all: CustomerRow[];
	let expected: Map<string, ExpectedCustomer>;

	beforeAll(async () => {
		const rfm = await scoreFile(db, 'list.csv', csvOf(lines), DEFAULT_SCORING, HOSTILE_RULES);
		await computeBehaviour(db, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
		expected = expectedBehaviour(lines, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
		const page = await listCustomers(db, { kind: 'all' }, { limit: 10_000, sort: { by: 'customer_id' } });
		all = page.rows;
		expect(page.total).toBe(expected.size);
	});

	it('returns every scored customer with ISO dates and total revenue', async () => {
		const scores = await db.rows<Record<string, unknown>>(
			`SELECT customer_id, strftime(first_order, '%Y-%m-%d') AS first_order, strftime(last_order, '%Y-%m-%d') AS last_order,
				recency_days, frequency, monetary, r, f, m, rfm, segment FROM customer_scores ORDER BY customer_id`
		);
		expect(all.map(({ revenue: _, ...row }) => row)).toEqual(scores);
		expect(all.map((c) => [c.customer_id, Math.round(c.revenue * 100)])).toEqual(
			[...expected.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([id, c]) => [id, c.revenueCents])
		);
		expect(new Set(all.map((c) => c.segment)).size).toBe(4);
	});

	const ids = (rows: readonly CustomerRow[]) => rows.map((r) => r.customer_id).sort();

	it('lists an RFM segment with a hostile name, and nothing else', async () => {
		for (const segment of [...HOSTILE_RULES.rules.map((r) => r.name), HOSTILE_RULES.fallback, 'No such segment']) {
			const page = await listCustomers(db, { kind: 'segment', segment }, { limit: 10_000 });
			const want = all.filter((c) => c.segment === segment);
			expect(page.total, segment).toBe(want.length);
			expect(ids(page.rows), segment).toEqual(ids(want));
		}
		expect((await db.rows<{ n: number }>('SELECT CAST(count(*) AS DOUBLE) AS n FROM customer_scores'))[0]!.n).toBe(all.length);
	});

	it('lists a matrix cell', async () => {
		for (let r = 1; r <= 5; r++) {
			for (let f = 1; f <= 5; f++) {
				const page = await listCustomers(db, { kind: 'cell', r, f }, { limit: 10_000 });
				expect(ids(page.rows), `${r}${f}`).toEqual(ids(all.filter((c) => c.r === r && c.f === f)));
				expect(page.total).toBe(page.rows.length);
			}
		}
		await expect(listCustomers(db, { kind: 'cell', r: 1.5, f: 1 }, { limit: 10 })).rejects.toThrow(/whole number/);
	});

	it('lists every behaviour segment and tier as computed in TypeScript', async () => {
		for (const d of behaviourDefinitions(DEFAULT_BEHAVIOUR)) {
			const page = await listCustomers(db, { kind: 'behaviour', id: d.id }, { limit: 10_000 });
			const want = [...expected.entries()].filter(([, c]) => c.segments.has(d.id)).map(([id]) => id);
			expect(page.total, d.id).toBe(want.length);
			expect(ids(page.rows), d.id).toEqual(want.sort());
			for (const row of page.rows) {
				expect(row.next_order_due, row.customer_id).toBe(expected.get(row.customer_id)!.nextOrderDue);
				expect(row.tier, row.customer_id).toBe(expected.get(row.customer_id)!.tier);
			}
		}
		await expect(listCustomers(db, { kind: 'behaviour', id: 'nonsense' }, { limit: 10 })).rejects.toThrow(/no behaviour segment/);
		const hostileTier = await listCustomers(db, { kind: 'behaviour', id: tierId("Gold' OR '1'='1") }, { limit: 10 });
		expect(hostileTier).toEqual({ total: 0, rows: [] });
	});

	it('sorts by every column, ties broken by customer id, and pages without overlap', async () => {
		const selection: CustomerSelection = { kind: 'behaviour', id: 'repeat' };
		const members = new Set([...expected.entries()].filter(([, c]) => c.segments.has('repeat')).map(([id]) => id));
		const rows = all.filter((c) => members.has(c.customer_id));
		for (const by of CUSTOMER_SORT_KEYS) {
			for (const descending of [false, true]) {
				const key = (c: CustomerRow): string | number => (by === 'revenue' ? Math.round(c.revenue * 10_000) : c[by]);
				const compare = (x: CustomerRow, y: CustomerRow) => {
					const [a, b] = [key(x), key(y)];
					const byKey = a < b ? -1 : a > b ? 1 : 0;
					return (descending ? -byKey : byKey) || (x.customer_id < y.customer_id ? -1 : 1);
				};
				const want = [...rows].sort(compare).map((c) => c.customer_id);
				const pages: string[] = [];
				for (let offset = 0; offset < want.length + 40; offset += 40) {
					const page = await listCustomers(db, selection, { limit: 40, offset, sort: { by, descending } });
					expect(page.total).toBe(want.length);
					pages.push(...page.rows.map((r) => r.customer_id));
				}
				expect(pages, `${by} ${descending ? 'desc' : 'asc'}`).toEqual(want);
			}
		}
	});

	it('defaults to the highest revenue first', async () => {
		const page = await listCustomers(db, { kind: 'all' }, { limit: 5 });
		const want = [...all].sort((x, y) => y.revenue - x.revenue || (x.customer_id < y.customer_id ? -1 : 1)).slice(0, 5);
		expect(page.rows.map((r) => r.customer_id)).toEqual(want.map((r) => r.customer_id));
	});

	it('rejects pages it cannot serve', async () => {
		await expect(listCustomers(db, { kind: 'all' }, { limit: 0 })).rejects.toThrow(/page holds/);
		await expect(listCustomers(db, { kind: 'all' }, { limit: 10, offset: -1 })).rejects.toThrow(/offset/);
		await expect(listCustomers(db, { kind: 'all' }, { limit: 10, sort: { by: 'r; DROP TABLE orders' as never } })).rejects.toThrow(
			/sorted/
		);
	});

	it('exports the selection as CSV, behaviour selections with the due date and tier', async () => {
		// DuckDB-WASM's Node build writes COPY targets to disk: a new file each time (as the engine
		// does), in a temporary directory.
		const dir = mkdtempSync(join(tmpdir(), 'rfm-behaviour-'));
		onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
		let files = 0;
		const exportIds = async (selection: CustomerSelection) => {
			const file = join(dir, `selection-${++files}.csv`);
			await db.run(copyToCsvSql(selectionExportSql(selection, HOSTILE_RULES), file));
			const header = new TextDecoder().decode(db.readFile(file)).split('\n')[0];
			// Segment names with line breaks are quoted over several lines: read the file back as CSV.
			const rows = await db.rows<{ customer_id: string }>(
				`SELECT customer_id FROM read_csv(${str(file)}, header = true, all_varchar = true) ORDER BY customer_id`
			);
			return { header, ids: rows.map((r) => r.customer_id) };
		};
		const segment = HOSTILE_RULES.rules[1]!.name;
		const bySegment = await exportIds({ kind: 'segment', segment });
		expect(bySegment.header).toMatch(/^customer_id,first_order,last_order,recency_days,frequency,monetary,/);
		expect(bySegment.ids).toEqual(ids(all.filter((c) => c.segment === segment)));
		const overdue = await exportIds({ kind: 'behaviour', id: 'overdue' });
		expect(overdue.header).toMatch(/,next_order_due,tier$/);
		expect(overdue.ids).toEqual(
			[...expected.entries()]
				.filter(([, c]) => c.segments.has('overdue'))
				.map(([id]) => id)
				.sort()
		);
		expect((await exportIds({ kind: 'all' })).ids).toEqual(ids(all));
	});
});

describe('validateBehaviour', () => {
	it('accepts the defaults', () => {
		expect(validateBehaviour(DEFAULT_BEHAVIOUR)).toBeNull();
	});

	it.each([
		[{ newDays: 0 }, 'New customers: the number of days must be a whole number from 1 to 36,525.'],
		[{ recentOrderDays: 2.5 }, 'Ordered recently: the number of days must be a whole number from 1 to 36,525.'],
		[{ inactiveDays: Number.NaN }, 'Inactive: the number of days must be a whole number from 1 to 36,525.'],
		[{ dueWithinDays: 40_000 }, 'Next order due: the number of days must be a whole number from 1 to 36,525.'],
		[{ loyalMinOrders: 0 }, 'Loyal customers: the number of orders must be a whole number of 1 or more.'],
		[{ topSpenderPercent: 0 }, 'Top spenders: the share must be a percentage above 0 and at most 100.'],
		[{ topSpenderPercent: 101 }, 'Top spenders: the share must be a percentage above 0 and at most 100.'],
		[{ longMissingFactor: 0.5 }, 'Long time missing: the factor must be a number from 1 to 100 (2 means twice their usual gap).'],
		[{ tiers: [] }, 'Revenue tiers: add at least one tier.'],
		[{ tiers: [{ name: ' ', minRevenue: 0 }] }, 'Revenue tiers: tier 1 needs a name.'],
		[{ tiers: [{ name: 'Gold ', minRevenue: 0 }] }, 'Revenue tiers: the name “Gold” has spaces at its start or end.'],
		[
			{
				tiers: [
					{ name: 'Gold', minRevenue: 0 },
					{ name: 'gold', minRevenue: 5 }
				]
			},
			'Revenue tiers: two tiers are called “gold”.'
		],
		[
			{
				tiers: [
					{ name: 'A', minRevenue: 1000 },
					{ name: 'B', minRevenue: 1000 }
				]
			},
			'Revenue tiers: two tiers start at 1,000; each needs its own minimum.'
		],
		[{ tiers: [{ name: 'A', minRevenue: Infinity }] }, 'Revenue tiers: “A” needs a minimum revenue (a number).']
	] as [Partial<BehaviourSettings>, string][])('explains %o', (change, message) => {
		expect(validateBehaviour({ ...DEFAULT_BEHAVIOUR, ...change })).toBe(message);
	});

	it('describes tiers from the lowest minimum up, whatever order they were typed in', () => {
		const defs = behaviourDefinitions({
			...DEFAULT_BEHAVIOUR,
			tiers: [
				{ name: 'Gold', minRevenue: 1000 },
				{ name: 'Bronze', minRevenue: 0 },
				{ name: 'Silver', minRevenue: 250 }
			]
		}).filter((d) => d.kind === 'tier');
		expect(defs.map((d) => [d.id, d.description])).toEqual([
			['tier:Bronze', 'Lifetime revenue from 0 up to 250.'],
			['tier:Silver', 'Lifetime revenue from 250 up to 1,000.'],
			['tier:Gold', 'Lifetime revenue 1,000 or more.'],
			[
				'tier:Below the tiers',
				'Lifetime revenue under 0 (returns and cancellations exceed purchases): below every tier, so that the tiers count every customer.'
			]
		]);
	});
});
