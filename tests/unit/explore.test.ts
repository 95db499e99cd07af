/**
 * The explore queries on DuckDB-WASM: histograms, revenue concentration, cell averages, the
 * searched and sorted customer list and a customer's profile, each computed again here in plain
 * TypeScript from the generated orders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import {
	containsPattern,
	customerProfile,
	exploreCharts,
	listInfoSql,
	listWindowSql,
	materialiseListSql,
	planBins,
	readSchema,
	type CustomerQuery,
	type ExploreRow,
	type ExploreSchema
} from '../../src/lib/rfm/explore';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { str } from '../../src/lib/sql';
import { seededRandom } from '../support/random';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

interface Order {
	customer: string;
	order: string;
	day: string;
	amount: number;
}

const random = seededRandom(5);
const CUSTOMERS = 300;
const orders: Order[] = [];
for (let c = 0; c < CUSTOMERS; c++) {
	const n = 1 + Math.floor(random() * random() * 12);
	for (let o = 0; o < n; o++) {
		const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 365) * 86_400_000).toISOString().slice(0, 10);
		orders.push({
			customer: `C${String(c).padStart(4, '0')}`,
			order: `O${c}-${o}`,
			day,
			amount: Math.round(random() * random() * 50000) / 100
		});
	}
}
const revenueOf = new Map<string, number>();
for (const o of orders) revenueOf.set(o.customer, (revenueOf.get(o.customer) ?? 0) + o.amount);

let db: WasmTestDb;

async function createTables(withCustomers: boolean) {
	await db.run(
		`CREATE OR REPLACE TABLE orders (customer_id VARCHAR, order_id VARCHAR, ordered_at DATE, amount DOUBLE, lines INTEGER, engaged_at DATE)`
	);
	const values = orders.map((o) => `(${str(o.customer)}, ${str(o.order)}, DATE '${o.day}', ${o.amount}, 1, NULL)`).join(',\n');
	await db.run(`INSERT INTO orders VALUES ${values}`);
	await db.run('DROP TABLE IF EXISTS customers');
	await db.run('DROP TABLE IF EXISTS order_lines');
	if (withCustomers) {
		await db.run(`CREATE TABLE customers (customer_id VARCHAR, email VARCHAR, first_name VARCHAR, last_name VARCHAR, name VARCHAR, phone VARCHAR,
			country VARCHAR, city VARCHAR, accepts_marketing BOOLEAN, tags VARCHAR)`);
		await db.run(
			`INSERT INTO customers SELECT DISTINCT customer_id, lower(customer_id) || '@shop.test', 'Ann_' || customer_id, 'O''Neil', NULL, '+1 555', 'US', 'Boston', true, NULL FROM orders`
		);
		await db.run(
			`CREATE TABLE order_lines (customer_id VARCHAR, order_id VARCHAR, sku VARCHAR, product VARCHAR, category VARCHAR, quantity DOUBLE, line_amount DOUBLE)`
		);
		await db.run(`INSERT INTO order_lines VALUES ('C0001', 'O1-0', 'S1', 'Mug', 'Kitchen', 2, 10), ('C0001', 'O1-0', 'S2', 'Tea', 'Food', 1, 5),
			('C0001', 'O1-1', 'S1', 'Mug', 'Kitchen', 1, 5)`);
	}
	await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
}

// Starting DuckDB-WASM and scoring takes a few seconds on a busy machine.
beforeAll(async () => {
	db = await openWasmDb();
	await createTables(true);
}, 60_000);
afterAll(() => db.close());

describe('planBins', () => {
	it('gives whole-number bins to whole-number metrics and an open last bin for a long tail', () => {
		const plan = planBins(1, 9, 40, true);
		expect(plan.step).toBe(1);
		expect(plan.start).toBe(1);
		expect(plan.overflow).toBe(true);
		expect(plan.count).toBe(10);
		expect(planBins(0.5, 1000, 1000, false)).toEqual({ start: 0, step: 50, count: 21, overflow: false });
		expect(planBins(3, 3, 3, true)).toEqual({ start: 3, step: 1, count: 1, overflow: false });
	});
});

describe('charts', () => {
	it('histograms count every customer once, in the right bin', async () => {
		const charts = await exploreCharts(db);
		const scores = await db.rows<{ recency_days: number; frequency: number; monetary: number }>(
			'SELECT recency_days, frequency, monetary FROM customer_scores'
		);
		for (const h of charts.histograms) {
			expect(h.bins.reduce((s, b) => s + b.customers, 0)).toBe(CUSTOMERS);
			const column = h.metric === 'recency' ? 'recency_days' : h.metric;
			for (const b of h.bins) {
				const inside = scores.filter((s) => {
					const v = s[column];
					const first = b === h.bins[0];
					return (first || v >= b.from) && (b.to === null || v < b.to);
				});
				expect(b.customers, `${h.metric} from ${b.from}`).toBe(inside.length);
			}
		}
	});

	it('revenue concentration: the top p % of customers by revenue and their share', async () => {
		const { concentration } = await exploreCharts(db);
		expect(concentration).toHaveLength(100);
		const sorted = [...revenueOf.values()].sort((a, b) => b - a);
		const total = sorted.reduce((s, v) => s + v, 0);
		for (const p of [1, 10, 20, 50, 100]) {
			const n = Math.ceil((p * CUSTOMERS) / 100);
			const point = concentration[p - 1]!;
			expect(point.customers).toBe(n);
			expect(point.revenueShare).toBeCloseTo(sorted.slice(0, n).reduce((s, v) => s + v, 0) / total, 9);
		}
	});

	it('cell averages are the mean monetary value of each R×F cell', async () => {
		const { cellAverages } = await exploreCharts(db);
		const scores = await db.rows<{ r: number; f: number; monetary: number }>('SELECT r, f, monetary FROM customer_scores');
		for (const cell of cellAverages) {
			const inCell = scores.filter((s) => s.r === cell.r && s.f === cell.f);
			expect(cell.avgMonetary).toBeCloseTo(inCell.reduce((s, c) => s + c.monetary, 0) / inCell.length, 6);
		}
	});
});

async function listAll(query: CustomerQuery, schema: ExploreSchema) {
	await db.run(materialiseListSql(query, schema));
	const [info] = await db.rows<{ total: number; has_name: boolean; has_email: boolean }>(listInfoSql(schema));
	const rows = await db.rows<ExploreRow>(listWindowSql(0, 10_000));
	return { info: info!, rows };
}

describe('customer list', () => {
	it('sorts by revenue (ties by id), and a window is a slice of the whole list', async () => {
		const schema = await readSchema(db);
		expect(schema).toEqual({ customers: true, orderLines: true, predictions: null });
		const { info, rows } = await listAll({ selection: { kind: 'all' }, sort: { by: 'revenue', descending: true }, search: '' }, schema);
		expect(info).toEqual({ total: CUSTOMERS, has_name: true, has_email: true });
		const expected = [...revenueOf.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
		expect(rows.map((r) => r.customer_id)).toEqual(expected);
		const window = await db.rows<ExploreRow>(listWindowSql(120, 30));
		expect(window.map((r) => r.customer_id)).toEqual(expected.slice(120, 150));
		expect(rows[0]!.name).toBe(`Ann_${rows[0]!.customer_id} O'Neil`);
		expect(rows[0]!.average_order).toBeCloseTo(rows[0]!.revenue / rows[0]!.frequency, 9);
	});

	it('searches id, email and name literally (LIKE wildcards are text)', async () => {
		const schema = await readSchema(db);
		const byId = await listAll({ selection: { kind: 'all' }, sort: { by: 'customer_id', descending: false }, search: 'c001' }, schema);
		expect(byId.rows.map((r) => r.customer_id)).toEqual(Array.from({ length: 10 }, (_, i) => `C001${i}`));
		const byEmail = await listAll(
			{ selection: { kind: 'all' }, sort: { by: 'customer_id', descending: false }, search: 'c0042@SHOP' },
			schema
		);
		expect(byEmail.rows.map((r) => r.customer_id)).toEqual(['C0042']);
		const byName = await listAll(
			{ selection: { kind: 'all' }, sort: { by: 'customer_id', descending: false }, search: 'ann_c0007 o' },
			schema
		);
		expect(byName.rows.map((r) => r.customer_id)).toEqual(['C0007']);
		// "_" would match any character as a pattern; here it is only an underscore.
		const wildcard = await listAll({ selection: { kind: 'all' }, sort: { by: 'customer_id', descending: false }, search: 'ann%' }, schema);
		expect(wildcard.info.total).toBe(0);
		expect(containsPattern('a_b%c\\')).toBe('%a\\_b\\%c\\\\%');
		const hostile = await listAll(
			{ selection: { kind: 'all' }, sort: { by: 'rfm', descending: true }, search: "'; DROP TABLE orders; --" },
			schema
		);
		expect(hostile.info.total).toBe(0);
		expect((await db.rows<{ n: number }>('SELECT CAST(count(*) AS DOUBLE) AS n FROM orders'))[0]!.n).toBe(orders.length);
	});

	it('sorts within a matrix cell by any column', async () => {
		const schema = await readSchema(db);
		const { rows } = await listAll(
			{ selection: { kind: 'cell', r: 5, f: 1 }, sort: { by: 'last_order', descending: false }, search: '' },
			schema
		);
		const cell = await db.rows<{ customer_id: string; last_order: string }>(
			`SELECT customer_id, strftime(last_order, '%Y-%m-%d') AS last_order FROM customer_scores WHERE r = 5 AND f = 1`
		);
		expect(rows.length).toBe(cell.length);
		expect(rows.map((r) => r.customer_id)).toEqual(
			cell
				.sort((a, b) => (a.last_order === b.last_order ? (a.customer_id < b.customer_id ? -1 : 1) : a.last_order < b.last_order ? -1 : 1))
				.map((c) => c.customer_id)
		);
	});
});

describe('profile', () => {
	it('has the scores, every order, products and categories', async () => {
		const profile = (await customerProfile(db, 'C0001', await readSchema(db)))!;
		const own = orders.filter((o) => o.customer === 'C0001');
		expect(profile.customer.frequency).toBe(own.length);
		expect(profile.customer.revenue).toBeCloseTo(revenueOf.get('C0001')!, 6);
		expect(profile.orders.map((o) => o.day)).toEqual(own.map((o) => o.day).sort());
		expect(profile.products).toEqual([
			{ product: 'Mug', category: 'Kitchen', quantity: 3, amount: 15, orders: 2 },
			{ product: 'Tea', category: 'Food', quantity: 1, amount: 5, orders: 1 }
		]);
		expect(profile.categories.map((c) => c.category)).toEqual(['Kitchen', 'Food']);
		expect(profile.contact).toEqual({ phone: '+1 555', country: 'US', city: 'Boston' });
		expect(await customerProfile(db, "nobody'", await readSchema(db))).toBeNull();
	});

	it('works without the customers and order_lines tables', async () => {
		await createTables(false);
		const schema = await readSchema(db);
		expect(schema).toEqual({ customers: false, orderLines: false, predictions: null });
		const profile = (await customerProfile(db, 'C0002', schema))!;
		expect(profile.customer.name).toBeNull();
		expect(profile.products).toEqual([]);
		expect(profile.contact).toBeNull();
		const { info } = await listAll({ selection: { kind: 'all' }, sort: { by: 'name', descending: false }, search: 'C01' }, schema);
		expect(info).toEqual({ total: 100, has_name: false, has_email: false });
		await createTables(true);
	}, 30_000);
});
