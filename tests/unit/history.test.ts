/**
 * History on DuckDB-WASM: scoring as of a past date against scoring the file cut at that date
 * (a second database that only ever sees the older rows), migration flows against the counts on
 * both dates, segment sizes over time, and acquisition cohorts on CDNOW against counts computed
 * here in TypeScript.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { addDays } from '../../src/lib/dates';
import { listCustomers } from '../../src/lib/rfm/customer-list';
import { GRID_MAP, R_RFM_README, TWELVE_SEGMENTS } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING, type RuleSet, type ScoringSettings } from '../../src/lib/rfm/types';
import { asOfTables, scoreAsOf, stateKey } from '../../src/lib/history/as-of';
import { computeMigration, totalsBy, validateMigrationDates } from '../../src/lib/history/migration';
import { segmentsOverTime } from '../../src/lib/history/over-time';
import { computeCohorts, defaultComparison } from '../../src/lib/history/cohorts';
import { periodStart, periodsUpTo } from '../../src/lib/history/periods';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';
import { random } from './scoring-properties';
import { CDNOW_MASTER } from '../support/cdnow';

const DAY = 86_400_000;
const isoOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;

interface Order {
	orderId: string;
	customer: string;
	date: string;
	amount: number;
}

/** 400 customers arriving over two years, with a seeded mix of one-off and repeat buyers. */
function generateOrders(): Order[] {
	const rnd = random(7);
	const start = dayOf('2023-01-01');
	const orders: Order[] = [];
	for (let c = 0; c < 400; c++) {
		const first = start + Math.floor(730 * rnd());
		const count = rnd() < 0.5 ? 1 : 1 + Math.floor(8 * rnd() ** 2 * 3);
		for (let k = 0; k < count; k++) {
			const day = k === 0 ? first : first + Math.floor((start + 730 - first) * rnd());
			orders.push({
				orderId: `#${orders.length + 1}`,
				customer: `C${1000 + c}`,
				date: isoOf(day),
				amount: Math.round(500 + 20000 * rnd()) / 100
			});
		}
	}
	return orders;
}

const ORDERS = generateOrders();
const csvOf = (orders: readonly Order[]) =>
	'order_id,customer_id,order_date,amount\n' + orders.map((o) => `${o.orderId},${o.customer},${o.date},${o.amount}`).join('\n') + '\n';

/** Loads an order CSV through the app's ingest, as a dropped file would be. */
async function loadFile(db: WasmTestDb, name: string, orders: readonly Order[]) {
	db.registerText(name, csvOf(orders));
	const inspection = await inspectCsv(db, name);
	await loadCsv(db, name, inspection.dialect, inspection.detection.plan);
}

interface Scored {
	customer_id: string;
	recency_days: number;
	frequency: number;
	monetary: number;
	r: number;
	f: number;
	m: number;
	segment: string;
}
const scoredSql = (table: string) =>
	`SELECT customer_id, recency_days, frequency, round(monetary, 6) AS monetary, r, f, m, segment FROM ${table} ORDER BY customer_id`;

let full: WasmTestDb;
beforeAll(async () => {
	full = await openWasmDb();
	await loadFile(full, 'full.csv', ORDERS);
	// Starting DuckDB-WASM and loading the file take seconds on a busy machine.
}, 60_000);
afterAll(() => full.close());

/** Scores a file holding only the orders up to `date`, in a database of its own, as of that date. */
async function scoreCutFile(settings: ScoringSettings, ruleSet: RuleSet, date: string) {
	const cut = await openWasmDb();
	try {
		await loadFile(
			cut,
			'cut.csv',
			ORDERS.filter((o) => o.date <= date)
		);
		const rfm = await scoreCustomers(cut, { ...settings, analysisDate: date }, ruleSet);
		return { rfm, customers: await cut.rows<Scored>(scoredSql('customer_scores')) };
	} finally {
		cut.close();
	}
}

const CASES: { name: string; settings: ScoringSettings; ruleSet: RuleSet; date: string }[] = [
	{ name: 'balanced, grid map', settings: DEFAULT_SCORING, ruleSet: GRID_MAP, date: '2024-03-31' },
	{ name: 'R rfm compatible, R rules', settings: { ...DEFAULT_SCORING, method: 'r-rfm' }, ruleSet: R_RFM_README, date: '2023-11-15' },
	{
		name: 'fixed thresholds, 12-month look-back, average order value',
		settings: { ...DEFAULT_SCORING, method: 'fixed', lookBack: { kind: 'months', months: 12 }, monetary: 'average' },
		ruleSet: TWELVE_SEGMENTS,
		date: '2024-09-30'
	}
];

describe('scoring as of a past date', () => {
	for (const c of CASES) {
		it(`equals scoring the file cut at that date (${c.name}, ${c.date})`, async () => {
			const reference = await scoreCutFile(c.settings, c.ruleSet, c.date);
			const result = await scoreAsOf(full, c.settings, c.ruleSet, c.date, asOfTables('t'));
			const asOf = await full.rows<Scored>(scoredSql('t_scores'));
			expect(result.customers).toBe(reference.rfm.headline.customers);
			expect(asOf).toEqual(reference.customers);
			// The page's bands also carry customers per score (filled by its summary); the bands themselves must match.
			const bands = (t: typeof result.thresholds) => JSON.stringify(t, (k, v: unknown) => (k === 'customers' ? undefined : v));
			expect(bands(result.thresholds)).toBe(bands(reference.rfm.thresholds));
			// And the metrics themselves, from the orders in plain TypeScript.
			const from = c.settings.lookBack.kind === 'months' ? addDays('2023-09-30', 1) : '0000-01-01';
			const mine = ORDERS.filter((o) => o.date <= c.date && o.date >= from);
			const ids = [...new Set(mine.map((o) => o.customer))].sort();
			expect(asOf.map((a) => a.customer_id)).toEqual(ids);
			const sample = asOf[17]!;
			const theirs = mine.filter((o) => o.customer === sample.customer_id);
			expect(sample.frequency).toBe(theirs.length);
			expect(sample.recency_days).toBe(dayOf(c.date) - Math.max(...theirs.map((o) => dayOf(o.date))));
		});
	}

	it('leaves the page’s own tables alone, and a date before every order scores nobody', async () => {
		const rfm = await scoreCustomers(full, DEFAULT_SCORING, GRID_MAP);
		const before = await full.rows<Scored>(scoredSql('customer_scores'));
		const result = await scoreAsOf(full, DEFAULT_SCORING, GRID_MAP, '2022-06-30', asOfTables('t'));
		expect(result.customers).toBe(0);
		expect(await full.rows(scoredSql('t_scores'))).toEqual([]);
		expect(await full.rows<Scored>(scoredSql('customer_scores'))).toEqual(before);
		expect(before).toHaveLength(rfm.headline.customers);
	});
});

describe('migration between two dates', () => {
	it('sums to the customer counts on both dates, with new customers coming from "not yet customers"', async () => {
		const [from, to] = ['2024-03-31', '2024-09-30'];
		const result = await computeMigration(full, DEFAULT_SCORING, GRID_MAP, from, to);
		const earlier = await scoreCutFile(DEFAULT_SCORING, GRID_MAP, from);
		const later = await scoreCutFile(DEFAULT_SCORING, GRID_MAP, to);

		const firsts = new Map<string, string>();
		for (const o of ORDERS) if (!firsts.has(o.customer) || o.date < firsts.get(o.customer)!) firsts.set(o.customer, o.date);
		const newcomers = [...firsts.values()].filter((d) => d > from && d <= to).length;
		const byTo = totalsBy(result, 'to');
		const byFrom = totalsBy(result, 'from');

		expect(result.customers).toBe(later.rfm.headline.customers);
		expect(result.customers).toBe(earlier.rfm.headline.customers + newcomers);
		expect(byFrom.get('not-yet')).toBe(newcomers);
		for (const s of earlier.rfm.segments) expect(byFrom.get(`segment:${s.segment}`), `${s.segment} on ${from}`).toBe(s.customers);
		for (const s of later.rfm.segments) expect(byTo.get(`segment:${s.segment}`), `${s.segment} on ${to}`).toBe(s.customers);
		expect([...byFrom.values()].reduce((a, b) => a + b, 0)).toBe(result.customers);
		expect(byTo.has('not-yet')).toBe(false);

		// Revenue in the later period: every order after the first date up to the second.
		const revenue = ORDERS.filter((o) => o.date > from && o.date <= to).reduce((s, o) => s + o.amount, 0);
		expect(result.flows.reduce((s, f) => s + f.revenue, 0)).toBeCloseTo(revenue, 6);

		// Each customer's flow agrees with the two cut files.
		const segAt = (rows: Scored[]) => new Map(rows.map((r) => [r.customer_id, r.segment]));
		const [a, b] = [segAt(earlier.customers), segAt(later.customers)];
		const champions = later.customers.filter((c) => c.segment === 'Champions' && a.get(c.customer_id) === 'Loyal');
		const flow = result.flows.find((f) => stateKey(f.from) === 'segment:Loyal' && stateKey(f.to) === 'segment:Champions');
		expect(flow?.customers ?? 0).toBe(champions.length);
		expect(b.size).toBe(result.customers);
	});

	it('lists the customers of a flow through the customer list', async () => {
		const [from, to] = ['2024-06-30', '2024-12-31'];
		await scoreCustomers(full, DEFAULT_SCORING, GRID_MAP);
		const result = await computeMigration(full, DEFAULT_SCORING, GRID_MAP, from, to);
		const flow = [...result.flows].sort((x, y) => y.customers - x.customers).find((f) => f.from.kind === 'segment')!;
		const page = await listCustomers(full, { kind: 'migration', from, to, was: flow.from, now: flow.to }, { limit: 1000 });
		expect(page.total).toBe(flow.customers);
		expect(page.rows).toHaveLength(flow.customers);
		const newcomers = result.flows.filter((f) => f.from.kind === 'not-yet').reduce((s, f) => s + f.customers, 0);
		const listed = await listCustomers(
			full,
			{ kind: 'migration', from, to, was: { kind: 'not-yet' }, now: { kind: 'segment', segment: 'New Customers' } },
			{ limit: 1000 }
		);
		// Exactly the flow's customers, each of whom first ordered after the first date.
		const arrived = result.flows.find((f) => f.from.kind === 'not-yet' && f.to.kind === 'segment' && f.to.segment === 'New Customers')!;
		expect(arrived.customers).toBeGreaterThan(0);
		expect(arrived.customers).toBeLessThanOrEqual(newcomers);
		expect(listed.total).toBe(arrived.customers);
		expect(listed.rows).toHaveLength(arrived.customers);
		expect(listed.rows.filter((r) => r.first_order > from)).toHaveLength(arrived.customers);
	});

	it('refuses dates in the wrong order', () => {
		expect(validateMigrationDates('2024-05-01', '2024-01-01')).toBe(
			'The first date (2024-05-01) must come before the second (2024-01-01).'
		);
		expect(validateMigrationDates('2024-02-30', '2024-03-01')).toBe('Both dates must be dates like 2024-12-31.');
		expect(validateMigrationDates('2024-01-01', '2024-03-01')).toBeNull();
	});
});

describe('segment sizes over time', () => {
	it('scores every month as of its last day; the last month is the page’s scoring', async () => {
		const rfm = await scoreCustomers(full, DEFAULT_SCORING, GRID_MAP);
		const bounds = { firstOrder: rfm.headline.firstOrder, analysisDate: rfm.headline.analysisDate };
		const result = await segmentsOverTime(full, DEFAULT_SCORING, GRID_MAP, bounds, 'month');
		expect(result.periods).toHaveLength(24);
		expect(result.periods[0]).toMatchObject({ start: '2023-01-01', asOf: '2023-01-31', label: 'Jan 2023' });
		const last = result.periods.at(-1)!;
		expect(last.asOf).toBe(rfm.headline.analysisDate);
		expect(last.segments.map((s) => [s.segment, s.customers])).toEqual(rfm.segments.map((s) => [s.segment, s.customers]));
		for (const p of result.periods) {
			const customers = new Set(ORDERS.filter((o) => o.date <= p.asOf).map((o) => o.customer)).size;
			expect(
				p.segments.reduce((s, x) => s + x.customers, 0),
				p.label
			).toBe(customers);
			const revenue = ORDERS.filter((o) => o.date >= p.start && o.date <= p.asOf).reduce((s, o) => s + o.amount, 0);
			expect(
				p.segments.reduce((s, x) => s + x.revenue, 0),
				p.label
			).toBeCloseTo(revenue, 6);
		}
		const middle = result.periods[9]!;
		const cut = await scoreCutFile(DEFAULT_SCORING, GRID_MAP, middle.asOf);
		expect(middle.segments.map((s) => [s.segment, s.customers])).toEqual(cut.rfm.segments.map((s) => [s.segment, s.customers]));
	});

	it('cuts the calendar into weeks (Monday first), months and quarters', () => {
		expect(periodStart('2024-03-06', 'week')).toBe('2024-03-04');
		expect(periodStart('2024-03-03', 'week')).toBe('2024-02-26');
		expect(periodStart('2024-08-19', 'quarter')).toBe('2024-07-01');
		const quarters = periodsUpTo('2023-02-10', '2024-01-01', 'quarter', 10);
		expect(quarters.map((q) => [q.start, q.asOf, q.label])).toEqual([
			['2023-01-01', '2023-03-31', '2023 Q1'],
			['2023-04-01', '2023-06-30', '2023 Q2'],
			['2023-07-01', '2023-09-30', '2023 Q3'],
			['2023-10-01', '2023-12-31', '2023 Q4']
		]);
		expect(periodsUpTo('2023-02-10', '2023-02-20', 'month', 10)).toEqual([
			{ start: '2023-02-01', end: '2023-02-28', asOf: '2023-02-20', label: 'Feb 2023' }
		]);
	});
});

describe('acquisition cohorts on CDNOW', () => {
	let cdnow: WasmTestDb;
	const text = readFileSync(CDNOW_MASTER, 'utf8');
	const lines = text
		.split('\n')
		.slice(1) // the header line lifetimes added (see tests/reference/cdnow/README.md)
		.map((l) => l.trim())
		.filter((l) => l !== '')
		.map((l) => l.split(/\s+/));

	beforeAll(async () => {
		cdnow = await openWasmDb();
		cdnow.registerFile('cdnow.txt', CDNOW_MASTER);
		// One column per line (no tab in the file), split on runs of spaces: the columns are padded. Lines end in CRLF;
		// the first is a header lifetimes added (" customer_id  date number_of_cds  dollar_value").
		await cdnow.run(`CREATE TABLE raw AS
SELECT regexp_split_to_array(trim(replace(line, chr(13), '')), '\\s+') AS f
FROM read_csv('cdnow.txt', columns = {'line': 'VARCHAR'}, header = true, delim = '\\t', quote = '', escape = '', auto_detect = false)`);
		await cdnow.run(`CREATE TABLE orders AS
SELECT f[1] AS customer_id, CAST(row_number() OVER () AS VARCHAR) AS order_id, CAST(strptime(f[2], '%Y%m%d') AS DATE) AS ordered_at,
	CAST(f[4] AS DOUBLE) AS amount, 1 AS lines, CAST(NULL AS DATE) AS engaged_at
FROM raw`);
	}, 60_000);
	afterAll(() => cdnow.close());

	it('reads every line of the file', async () => {
		const [n] = await cdnow.rows<{ n: number }>('SELECT CAST(count(*) AS DOUBLE) AS n FROM orders');
		expect(n!.n).toBe(lines.length);
		expect(lines.length).toBe(69659);
	});

	it('puts every customer in a 1997 Q1 cohort, with retention matching counts made here', async () => {
		const month = (d: string) => (Number(d.slice(0, 4)) - 1997) * 12 + Number(d.slice(4, 6)) - 1;
		const first = new Map<string, number>();
		const active = new Map<string, Set<number>>();
		const revenue = new Map<string, number>();
		for (const [id, d, , amount] of lines as [string, string, string, string][]) {
			first.set(id, Math.min(first.get(id) ?? Infinity, month(d)));
			active.set(id, (active.get(id) ?? new Set()).add(month(d)));
			revenue.set(id, (revenue.get(id) ?? 0) + Number(amount));
		}
		const latest = Math.max(...lines.map((l) => Number(l[1])));
		const analysisDate = addDays(`${String(latest).slice(0, 4)}-${String(latest).slice(4, 6)}-${String(latest).slice(6)}`, 1);

		const quarters = await computeCohorts(cdnow, 'quarter', analysisDate);
		expect(quarters.cohorts.map((c) => [c.cohort, c.customers])).toEqual([['1997-01-01', 23570]]);
		expect(first.size).toBe(23570);

		const months = await computeCohorts(cdnow, 'month', analysisDate);
		expect(months.cohorts.map((c) => c.cohort)).toEqual(['1997-01-01', '1997-02-01', '1997-03-01']);
		for (const [i, cohort] of months.cohorts.entries()) {
			const members = [...first.entries()].filter(([, m]) => m === i).map(([id]) => id);
			expect(cohort.customers, cohort.label).toBe(members.length);
			expect(cohort.revenue, cohort.label).toBeCloseTo(
				members.reduce((s, id) => s + revenue.get(id)!, 0),
				4
			);
			// 1997-01 … 1998-06: the January cohort is observed for 18 months.
			expect(cohort.periods).toHaveLength(18 - i);
			for (const p of cohort.periods) {
				const expected = members.filter((id) => active.get(id)!.has(i + p.index)).length;
				expect(p.active, `${cohort.label} +${p.index}`).toBe(expected);
				expect(p.retention).toBeCloseTo(expected / members.length, 12);
			}
		}
		expect(months.cohorts[0]!.periods[0]!.retention).toBe(1);
		expect(defaultComparison(months)).toEqual(['1997-01-01', '1997-03-01']);
	});
});
