/**
 * The segment builder's SQL on DuckDB-WASM, against hand-made canonical tables (`orders` with the
 * ingest's richer columns, `customers`, `order_lines`) and hand-made scores: every expected count
 * below is worked out by hand from the rows written here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { str } from '../../src/lib/sql';
import {
	availableFieldsSql,
	builderCustomersSql,
	CATEGORY_SUGGESTIONS_SQL,
	CREATE_SELECTION_SQL,
	fieldValuesSql,
	likeLiteral,
	segmentCountSql,
	selectSegmentSql,
	TABLE_COLUMNS_SQL
} from '../../src/lib/builder/compile';
import {
	completeDefinition,
	definitionProblems,
	segmentsFromJson,
	segmentsToJson,
	type Condition,
	type SegmentDefinition
} from '../../src/lib/builder/definition';
import { columnsExportSql, countSegments, presetCsv, selectCustomers } from '../../src/lib/builder/builder-engine';
import { BEHAVIOUR_COLUMN } from '../../src/lib/rfm/behaviour';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

const HOSTILE = [
	"O'Brien's",
	"x'; DROP TABLE orders; --",
	'SELECT * FROM customers WHERE 1=1 OR ?',
	'Zürich 東京 🚀',
	'back\\slash',
	'100%_off',
	'"quoted" $1 ?',
	'line\nbreak'
];
/** Near misses: an unescaped LIKE pattern or a loose comparison would also match these. */
const DECOYS = ['100 off', 'back_slash', 'backXslash', 'o’brien’s'];

interface Customer {
	id: string;
	city: string | null;
	country: string | null;
	tags: string | null;
	accepts: boolean | null;
	r: number;
	f: number;
	segment: string;
	repeat: boolean;
}

const ANALYSIS_DATE = '2024-07-01';
const CUSTOMERS: Customer[] = [
	...HOSTILE.map((city, i) => ({
		id: `H${i}`,
		city,
		country: 'US',
		tags: i === 0 ? 'vip, wholesale' : city.replaceAll(',', ' '),
		accepts: i % 2 === 0,
		r: 5,
		f: (i % 5) + 1,
		segment: i < 4 ? 'Champions' : 'At Risk',
		repeat: i % 2 === 1
	})),
	...DECOYS.map((city, i) => ({
		id: `D${i}`,
		city,
		country: 'DE',
		tags: null,
		accepts: null,
		r: 2,
		f: 1,
		segment: 'Hibernating',
		repeat: false
	})),
	// No customer row values at all: country and city come from the latest order.
	{ id: 'N0', city: null, country: null, tags: null, accepts: null, r: 1, f: 1, segment: 'Lost', repeat: false }
];

/** Orders: customer i has i % 3 + 1 orders of 10, 20, 30; channel, coupon and payment vary. */
interface Order {
	customer: string;
	id: string;
	day: string;
	amount: number;
	items: number | null;
	channel: string | null;
	coupon: string | null;
	payment: string | null;
	country: string | null;
	city: string | null;
}
const ORDERS: Order[] = CUSTOMERS.flatMap((c, i) =>
	Array.from({ length: (i % 3) + 1 }, (_, k) => ({
		customer: c.id,
		id: `${c.id}-${k}`,
		day: `2024-0${k + 3}-1${i % 10}`,
		amount: 10 * (k + 1),
		items: k === 0 ? null : k + 1,
		channel: HOSTILE[(i + k) % HOSTILE.length]!,
		coupon: k === 1 ? (i % 2 === 0 ? 'SUMMER10' : HOSTILE[i % HOSTILE.length]!) : null,
		payment: k === 0 ? 'card' : 'paypal',
		country: c.id === 'N0' ? (k === 0 ? 'IE' : 'FR') : null,
		city: c.id === 'N0' ? 'Paris' : null
	}))
);
/** Lines: every order has a "Tea" line; orders with k = 1 add a "Cups" line; customers D* buy "100%_off" gear. */
const LINES = ORDERS.flatMap((o) => {
	const k = Number(o.id.split('-')[1]);
	const lines = [{ order: o, sku: `TEA-${k}`, product: 'Green tea', category: 'Tea' }];
	if (k === 1) lines.push({ order: o, sku: 'CUP-1', product: 'Cup', category: 'Cups' });
	if (o.customer.startsWith('D')) lines.push({ order: o, sku: 'X', product: HOSTILE[1]!, category: '100%_off' });
	return lines;
});

const lit = (v: string | number | boolean | null) => (v === null ? 'NULL' : typeof v === 'string' ? str(v) : String(v));
const values = (rows: (string | number | boolean | null)[][]) => rows.map((r) => `(${r.map(lit).join(', ')})`).join(',\n');

async function createTables(db: WasmTestDb, rich: boolean): Promise<void> {
	await db.run(`CREATE OR REPLACE TABLE orders (customer_id VARCHAR, order_id VARCHAR, ordered_at DATE, amount DOUBLE, lines INTEGER, engaged_at DATE
		${rich ? ', items DOUBLE, status VARCHAR, currency VARCHAR, channel VARCHAR, coupon VARCHAR, country VARCHAR, city VARCHAR, payment_method VARCHAR' : ''})`);
	await db.run(
		`INSERT INTO orders VALUES ${values(
			ORDERS.map((o) => [
				o.customer,
				o.id,
				o.day,
				o.amount,
				1,
				null,
				...(rich ? [o.items, 'paid', 'USD', o.channel, o.coupon, o.country, o.city, o.payment] : [])
			])
		)}`
	);
	await db.run('CREATE OR REPLACE VIEW window_orders AS SELECT * FROM orders');
	if (rich) {
		await db.run(`CREATE OR REPLACE TABLE customers (customer_id VARCHAR, email VARCHAR, first_name VARCHAR, last_name VARCHAR, name VARCHAR,
			phone VARCHAR, country VARCHAR, city VARCHAR, accepts_marketing BOOLEAN, tags VARCHAR)`);
		await db.run(
			`INSERT INTO customers VALUES ${values(CUSTOMERS.map((c) => [c.id, `${c.id.toLowerCase()}@example.com`, 'Ann', 'Lee', 'Ann Lee', null, c.country, c.city, c.accepts, c.tags]))}`
		);
		await db.run(`CREATE OR REPLACE TABLE order_lines (customer_id VARCHAR, order_id VARCHAR, sku VARCHAR, product VARCHAR, category VARCHAR,
			quantity DOUBLE, line_amount DOUBLE)`);
		await db.run(
			`INSERT INTO order_lines VALUES ${values(LINES.map((l) => [l.order.customer, l.order.id, l.sku, l.product, l.category, 1, 5]))}`
		);
	} else {
		await db.run('DROP TABLE IF EXISTS customers');
		await db.run('DROP TABLE IF EXISTS order_lines');
	}
	// Scores by hand (the scoring itself is tested elsewhere): only what the builder reads.
	await db.run(`CREATE OR REPLACE TABLE customer_scores AS
		SELECT s.*, o.first_order, o.last_order, CAST(DATE '${ANALYSIS_DATE}' - o.last_order AS INTEGER) AS recency_days, o.frequency,
			o.revenue AS monetary, o.revenue, 3 AS m, s.r * 100 + s.f * 10 + 3 AS rfm
		FROM (VALUES ${values(CUSTOMERS.map((c) => [c.id, c.r, c.f, c.segment]))}) s(customer_id, r, f, segment)
		JOIN (SELECT customer_id, min(ordered_at) AS first_order, max(ordered_at) AS last_order, CAST(count(*) AS INTEGER) AS frequency,
			sum(amount) AS revenue FROM orders GROUP BY customer_id) o USING (customer_id)`);
	// Behaviour by hand too: only "repeat" (and the Gold tier) is set; every other flag is false.
	const otherFlags = Object.values(BEHAVIOUR_COLUMN).filter((f) => f !== 'is_repeat');
	await db.run(
		`CREATE OR REPLACE TABLE customer_behaviour AS SELECT *, ${otherFlags.map((f) => `false AS ${f}`).join(', ')} FROM (VALUES ${values(
			CUSTOMERS.map((c) => [c.id, c.repeat, c.repeat ? 'Gold' : null])
		)}) b(customer_id, is_repeat, tier)`
	);
	const columns = new Set((await db.rows<{ name: string }>(TABLE_COLUMNS_SQL)).map((r) => r.name));
	await db.run(builderCustomersSql(ANALYSIS_DATE, columns));
}

const one = (c: Condition): SegmentDefinition => ({ match: 'all', groups: [{ match: 'all', conditions: [c] }] });

describe('segment builder SQL on hand-made canonical tables', () => {
	let db: WasmTestDb;
	beforeAll(async () => {
		db = await openWasmDb();
		await createTables(db, true);
	}, 60_000);
	afterAll(() => db.close());

	async function ids(def: SegmentDefinition): Promise<string[]> {
		await db.run(CREATE_SELECTION_SQL);
		await db.bound(selectSegmentSql(def));
		return (await db.rows<{ customer_id: string }>('SELECT customer_id FROM builder_selection ORDER BY customer_id')).map(
			(r) => r.customer_id
		);
	}
	const byHand = (pick: (c: Customer, i: number) => boolean) =>
		CUSTOMERS.filter(pick)
			.map((c) => c.id)
			.sort();

	it('matches hostile strings literally, as values, and runs nothing they contain', async () => {
		for (const [i, text] of HOSTILE.entries()) {
			expect(await ids(one({ field: 'city', op: 'is', value: text })), `city is ${JSON.stringify(text)}`).toEqual([`H${i}`]);
			expect(await ids(one({ field: 'city', op: 'contains', value: text })), `city contains ${JSON.stringify(text)}`).toEqual([`H${i}`]);
			expect(await ids(one({ field: 'city', op: 'starts_with', value: text })), `city starts with ${JSON.stringify(text)}`).toEqual([
				`H${i}`
			]);
			const others = byHand((c) => c.id !== `H${i}`);
			expect(await ids(one({ field: 'city', op: 'is_not', value: text }))).toEqual(others);
			// Channel is per order: customer j's order k has HOSTILE[(j + k) % n].
			const channel = byHand((_, j) => Array.from({ length: (j % 3) + 1 }, (_, k) => (j + k) % HOSTILE.length).includes(i));
			expect(await ids(one({ field: 'channel', op: 'is', value: text })), `channel ${JSON.stringify(text)}`).toEqual(channel);
		}
		expect(await ids(one({ field: 'city', op: 'contains', value: '%' }))).toEqual(['H5']);
		expect(await ids(one({ field: 'city', op: 'contains', value: '_' }))).toEqual(['D1', 'H5']);
		expect(await ids(one({ field: 'city', op: 'contains', value: '\\' }))).toEqual(['H4']);
		expect(await ids(one({ field: 'category', op: 'bought', value: '100%_off', min: 1 }))).toEqual(['D0', 'D1', 'D2', 'D3']);
		expect(await ids(one({ field: 'product', op: 'bought', value: HOSTILE[1]!, min: 2 }))).toEqual(['D0', 'D2', 'D3']);
		// The tables a DROP in a value would have removed are all still here, with every row.
		expect((await db.rows<{ n: number }>('SELECT CAST(count(*) AS DOUBLE) AS n FROM orders'))[0]!.n).toBe(ORDERS.length);
		expect((await db.rows<{ n: number }>('SELECT CAST(count(*) AS DOUBLE) AS n FROM customers'))[0]!.n).toBe(CUSTOMERS.length);
	});

	it('escapes LIKE wildcards and the escape character', () => {
		expect(likeLiteral('100%_off\\x')).toBe('100\\%\\_off\\\\x');
	});

	it('counts a two-group segment: customers, orders and revenue as worked out by hand', async () => {
		// (R = 5 AND repeat buyer) OR (country DE AND 2 or more orders)
		const def: SegmentDefinition = {
			match: 'any',
			groups: [
				{
					match: 'all',
					conditions: [
						{ field: 'r', op: 'eq', value: 5 },
						{ field: 'behaviour', op: 'in', value: 'repeat' }
					]
				},
				{
					match: 'all',
					conditions: [
						{ field: 'country', op: 'is', value: 'DE' },
						{ field: 'orders', op: 'ge', value: 2 }
					]
				}
			]
		};
		const orderCount = (i: number) => (i % 3) + 1;
		const revenueOf = (i: number) => [10, 30, 60][i % 3]!;
		const picked = CUSTOMERS.map((c, i) => ({ c, i })).filter(
			({ c, i }) => (c.r === 5 && c.repeat) || (c.country === 'DE' && orderCount(i) >= 2)
		);
		expect(picked.map((p) => p.c.id).sort()).toEqual(['D0', 'D2', 'D3', 'H1', 'H3', 'H5', 'H7']);
		const [row] = await db.bound<{ customers: number; orders: number; revenue: number }>(segmentCountSql(def));
		expect(row).toEqual({
			customers: picked.length,
			orders: picked.reduce((s, p) => s + orderCount(p.i), 0),
			revenue: picked.reduce((s, p) => s + revenueOf(p.i), 0)
		});
	});

	it('tests coupons, tags, marketing consent, average items, dates, tiers and purchases with a minimum', async () => {
		// Coupons: customers with a second order (i % 3 >= 1) used one; even i used SUMMER10.
		const withCoupon = byHand((_, i) => i % 3 >= 1);
		expect(await ids(one({ field: 'coupon', op: 'any' }))).toEqual(withCoupon);
		expect(await ids(one({ field: 'coupon', op: 'none' }))).toEqual(byHand((_, i) => i % 3 === 0));
		expect(await ids(one({ field: 'coupon', op: 'code', value: 'SUMMER10' }))).toEqual(byHand((_, i) => i % 3 >= 1 && i % 2 === 0));
		// The coupon is on the second order only: 0 % of one order, 50 % of two, 33.3 % of three.
		expect(await ids(one({ field: 'coupon_share', op: 'eq', value: 0 }))).toEqual(byHand((_, i) => i % 3 === 0));
		expect(await ids(one({ field: 'coupon_share', op: 'ge', value: 50 }))).toEqual(byHand((_, i) => i % 3 === 1));
		expect(await ids(one({ field: 'coupon_share', op: 'between', value: 33, value2: 34 }))).toEqual(byHand((_, i) => i % 3 === 2));
		expect(await ids(one({ field: 'tag', op: 'is', value: 'wholesale' }))).toEqual(['H0']);
		expect(await ids(one({ field: 'tag', op: 'is', value: 'vip, wholesale' }))).toEqual([]);
		expect(await ids(one({ field: 'tag', op: 'is_not', value: 'vip' }))).toEqual(byHand((c) => c.id !== 'H0'));
		expect(await ids(one({ field: 'accepts_marketing', op: 'yes' }))).toEqual(byHand((c) => c.accepts === true));
		expect(await ids(one({ field: 'accepts_marketing', op: 'no' }))).toEqual(byHand((c) => c.accepts !== true));
		// Items are NULL on first orders, 2 on second, 3 on third: the average skips the unknown ones.
		expect(await ids(one({ field: 'avg_items', op: 'gt', value: 2 }))).toEqual(byHand((_, i) => i % 3 === 2));
		expect(await ids(one({ field: 'avg_items', op: 'eq', value: 2 }))).toEqual(byHand((_, i) => i % 3 === 1));
		expect(await ids(one({ field: 'first_order', op: 'before', value: '2024-03-12' }))).toEqual(byHand((_, i) => i % 10 < 2));
		expect(await ids(one({ field: 'last_order', op: 'between', value: '2024-05-01', value2: '2024-05-31' }))).toEqual(
			byHand((_, i) => i % 3 === 2)
		);
		expect(await ids(one({ field: 'behaviour', op: 'in', value: 'tier:Gold' }))).toEqual(byHand((c) => c.repeat));
		expect(await ids(one({ field: 'behaviour', op: 'not_in', value: 'repeat' }))).toEqual(byHand((c) => !c.repeat));
		expect(await ids(one({ field: 'category', op: 'bought', value: 'Cups', min: 1 }))).toEqual(withCoupon);
		expect(await ids(one({ field: 'sku', op: 'bought', value: 'TEA-0', min: 1 }))).toEqual(byHand(() => true));
		expect(await ids(one({ field: 'category', op: 'bought', value: 'Tea', min: 3 }))).toEqual(byHand((_, i) => i % 3 === 2));
		expect(await ids(one({ field: 'category', op: 'not_bought', value: 'Cups' }))).toEqual(byHand((_, i) => i % 3 === 0));
		// N0 has no customer row values: its country and city are from its (one) order.
		expect(await ids(one({ field: 'country', op: 'is', value: 'IE' }))).toEqual(['N0']);
		expect(await ids(one({ field: 'city', op: 'is', value: 'Paris' }))).toEqual(['N0']);
		expect(await ids(one({ field: 'segment', op: 'is', value: 'At Risk' }))).toEqual(['H4', 'H5', 'H6', 'H7']);
		expect(await ids({ match: 'all', groups: [] })).toEqual(byHand(() => true));
	});

	it('offers every optional field the tables have values for, with their values', async () => {
		const [available] = await db.rows<Record<string, boolean>>(
			availableFieldsSql(new Set((await db.rows<{ name: string }>(TABLE_COLUMNS_SQL)).map((r) => r.name)))
		);
		expect(available).toMatchObject({
			avg_items: true,
			country: true,
			city: true,
			channel: true,
			coupon: true,
			category: true,
			tag: true,
			accepts_marketing: true,
			email: true,
			phone: false
		});
		const cats = await db.rows<{ value: string; customers: number }>(fieldValuesSql('category')!);
		expect(cats).toEqual([
			{ value: 'Tea', customers: CUSTOMERS.length },
			{ value: 'Cups', customers: 8 },
			{ value: '100%_off', customers: 4 }
		]);
		const suggestions = await db.rows<{ category: string; buyers: number; often_with: string; together: number; expert_orders: number }>(
			CATEGORY_SUGGESTIONS_SQL
		);
		expect(suggestions[0]).toEqual({ category: 'Tea', buyers: CUSTOMERS.length, often_with: 'Cups', together: 8, expert_orders: 3 });
	});

	it('exports a builder segment: chosen columns, and the email list without customers who said no to marketing', async () => {
		const def = one({ field: 'segment', op: 'is', value: 'Champions' });
		await selectCustomers(db, { kind: 'builder', name: 'Champs', definition: def });
		// DuckDB's Node build writes to the real disk: a temporary directory, removed afterwards.
		const dir = mkdtempSync(join(tmpdir(), 'rfm-builder-'));
		const file = join(dir, 'champs.csv');
		let text: string;
		try {
			await db.run(columnsExportSql(['customer_id', 'city', 'orders', 'total_spent'], file));
			text = new TextDecoder().decode(db.readFile(file));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		expect(text.trim().split('\n')).toEqual([
			'customer_id,city,orders,total_spent',
			`H0,O'Brien's,1,10.0`,
			"H1,x'; DROP TABLE orders; --,2,30.0",
			'H2,SELECT * FROM customers WHERE 1=1 OR ?,3,60.0',
			'H3,Zürich 東京 🚀,1,10.0'
		]);
		// H1 and H3 said no (accepts = false); the tag is the segment's name.
		expect(await presetCsv(db, { preset: 'email', tag: 'Champs', marketingOnly: true })).toBe(
			'email,first_name,last_name,tags\nh0@example.com,Ann,Lee,Champs\nh2@example.com,Ann,Lee,Champs\n'
		);
		const [counts] = await countSegments(db, [def]);
		expect(counts).toEqual({ customers: 4, orders: 7, revenue: 110, aov: 110 / 7 });
		await selectCustomers(db, { kind: 'segment', segment: 'Lost' });
		expect(await db.rows('SELECT customer_id FROM builder_selection')).toEqual([{ customer_id: 'N0' }]);
	});

	it('works on the base columns alone and hides the fields they lack', async () => {
		await createTables(db, false);
		try {
			const columns = new Set((await db.rows<{ name: string }>(TABLE_COLUMNS_SQL)).map((r) => r.name));
			const [available] = await db.rows<Record<string, boolean>>(availableFieldsSql(columns));
			expect(Object.values(available!).every((v) => v === false)).toBe(true);
			const [row] = await db.bound<{ customers: number }>(segmentCountSql(one({ field: 'orders', op: 'ge', value: 2 })));
			expect(row!.customers).toBe(byHand((_, i) => i % 3 >= 1).length);
		} finally {
			await createTables(db, true);
		}
	});
});

describe('segment definitions as JSON', () => {
	const def: SegmentDefinition = {
		match: 'all',
		groups: [
			{
				match: 'any',
				conditions: [
					{ field: 'orders', op: 'ge', value: 3 },
					{ field: 'city', op: 'is', value: HOSTILE[1]! }
				]
			}
		]
	};

	it('round-trips saved segments', () => {
		const text = segmentsToJson([{ name: 'Big', definition: def }]);
		expect(segmentsFromJson(text)).toEqual({ segments: [{ name: 'Big', definition: def }] });
	});

	it('refuses bad files with messages that say what is wrong', () => {
		expect(segmentsFromJson('{oops')).toEqual({ problems: [expect.stringMatching(/^This is not a JSON file/)] });
		expect(segmentsFromJson('{"segments": []}')).toEqual({ problems: [expect.stringContaining('"format": "rfm-studio-segments"')] });
		const bad = JSON.stringify({
			format: 'rfm-studio-segments',
			segments: [
				{
					name: 'A',
					definition: { match: 'both', groups: [{ match: 'all', conditions: [{ field: 'orders', op: 'ge', value: 'three' }] }] }
				},
				{ name: 'A', definition: { match: 'all', groups: [{ match: 'all', conditions: [{ field: 'shoe_size', op: 'is' }] }] } }
			]
		});
		expect(segmentsFromJson(bad)).toEqual({
			problems: [
				'Segment “A”: "match" must be "all" or "any".',
				'Segment “A”, group 1, condition 1: Number of orders: type a number.',
				'Two segments are called “A”.',
				'Segment “A”, group 1, condition 1: There is no field called “shoe_size”.'
			]
		});
		expect(definitionProblems({ match: 'all', groups: [{ match: 'all', conditions: [{ field: 'r', op: 'like', value: 1 }] }] })).toEqual([
			'The segment, group 1, condition 1: Recency score (R) cannot be compared with “like”.'
		]);
	});

	it('counts only complete conditions while the merchant is still typing', () => {
		const typing: SegmentDefinition = {
			match: 'all',
			groups: [
				{
					match: 'all',
					conditions: [
						{ field: 'orders', op: 'ge', value: 2 },
						{ field: 'city', op: 'is', value: '' }
					]
				}
			]
		};
		expect(completeDefinition(typing).groups[0]!.conditions).toEqual([{ field: 'orders', op: 'ge', value: 2 }]);
	});
});
