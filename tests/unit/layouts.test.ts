/**
 * Recognised layouts read end to end (sniff → layout → input rows → orders → canonical tables →
 * report) on DuckDB-WASM's Node build, against values computed in the test: the real Shopify export
 * and CDNOW master from tests/reference, and fixtures written for UCI, WooCommerce, Olist and
 * overlapping monthly exports.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvParse } from 'd3';
import { loadOrders } from '../../src/lib/ingest/pipeline';
import { inspectSources, sniffSource, detectWhitespaceTable, type SourcesInspection } from '../../src/lib/ingest/sources';
import type { IngestReport } from '../../src/lib/ingest/report';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

const REFERENCE = resolve(import.meta.dirname, '../reference');
const FIXTURES = resolve(import.meta.dirname, '../fixtures');

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
});
afterAll(() => db.close());

let counter = 0;

/** Opens files as the engine worker does: register, sniff (with the first 64 KB), inspect, load with the detected plan. */
async function load(paths: string[]): Promise<{ inspection: SourcesInspection; report: IngestReport }> {
	const sources = [];
	for (const path of paths) {
		const fileName = `layout-${++counter}.csv`;
		db.registerFile(fileName, path);
		const head = readFileSync(path).subarray(0, 65536).toString('utf8');
		sources.push(await sniffSource(db, path.split('/').pop()!, fileName, head));
	}
	const inspection = await inspectSources(db, sources);
	const report = await loadOrders(db, inspection.relations, inspection.detection.plan, {
		layout: inspection.layout,
		files: inspection.files
	});
	return { inspection, report };
}

const cents = (n: number) => Math.round(n * 100);
const accounted = (r: IngestReport) => r.rowsUsed + r.returns.rows + r.excluded.reduce((s, e) => s + e.rows, 0);
const excludedRows = (r: IngestReport) => Object.fromEntries(r.excluded.map((e) => [e.reason, e.rows]));

describe('Shopify orders export (the real export in tests/reference)', () => {
	const path = `${REFERENCE}/shopify/orders_export_forezia_devstore.csv`;

	/** The export's rules applied by hand to the parsed rows: one order per Name, its fields on the first row. */
	function expected() {
		const rows = csvParse(readFileSync(path, 'utf8'));
		const orders = new Map<string, Record<string, string>>();
		for (const row of rows) if (!orders.has(row.Name!)) orders.set(row.Name!, row as unknown as Record<string, string>);
		const counted: { customer: string; net: number; byFallback: boolean }[] = [];
		const excluded: Record<string, number> = {};
		const linesOf = (name: string) => rows.filter((r) => r.Name === name).length;
		for (const [name, first] of orders) {
			const keys = ['Email', 'Phone', 'Billing Phone', 'Shipping Phone', 'Billing Name', 'Shipping Name'].map((k) =>
				rows
					.filter((r) => r.Name === name)
					.map((r) => r[k]?.trim() ?? '')
					.find((v) => v !== '')
			);
			const customer = keys.find((k) => k !== undefined);
			const status = first['Financial Status']!;
			const net = Number(first.Total) - Number(first['Refunded Amount'] || 0);
			const reason = !customer
				? 'no_customer'
				: first['Cancelled at']
					? 'cancelled'
					: status === 'refunded'
						? 'refunded'
						: status === 'voided'
							? 'not_a_sale'
							: net <= 0
								? 'zero_amount'
								: null;
			if (reason) excluded[reason] = (excluded[reason] ?? 0) + linesOf(name);
			else counted.push({ customer: customer!, net, byFallback: !keys[0] });
		}
		return { rows: rows.length, counted, excluded };
	}

	it('recognises the layout and counts every order once, with customers known by email or, failing that, phone or billing name', async () => {
		const { inspection, report } = await load([path]);
		const want = expected();
		expect(inspection.layout).toBe('shopify');
		expect(report.layout).toBe('shopify');
		expect(report.rowsRead).toBe(40);
		expect(report.rowsRead).toBe(want.rows);
		expect(report.orders).toBe(want.counted.length);
		expect(report.customers).toBe(new Set(want.counted.map((c) => c.customer)).size);
		expect(cents(report.revenue)).toBe(cents(want.counted.reduce((s, c) => s + c.net, 0)));
		expect(report.ordersByFallback).toBe(want.counted.filter((c) => c.byFallback).length);
		expect(excludedRows(report)).toEqual(want.excluded);
		expect(accounted(report)).toBe(40);
		// 19 orders, #1001–#1019: continuation lines are part of their order, not excluded: 9 are counted
		// and the 10 with no customer key are excluded whole, one candidate each.
		expect(report.orders).toBe(9);
		const [candidates] = await db.rows<{ counted: number; excluded: number }>(
			`SELECT count(*) FILTER (WHERE reason IS NULL) AS counted, count(*) FILTER (WHERE reason IS NOT NULL) AS excluded FROM order_candidates`
		);
		expect(candidates).toEqual({ counted: 9, excluded: 10 });
		const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
		expect(rfm.headline.orders).toBe(report.orders);
		expect(cents(rfm.headline.revenue)).toBe(cents(report.revenue));
	});

	it('fills order_lines and customers from the export', async () => {
		await load([path]);
		const [lines] = await db.rows<{ lines: number; products: number }>(
			`SELECT CAST(count(*) AS DOUBLE) AS lines, CAST(count(DISTINCT product) AS DOUBLE) AS products FROM order_lines`
		);
		const [orders] = await db.rows<{ lines: number }>(`SELECT CAST(sum(lines) AS DOUBLE) AS lines FROM orders`);
		expect(lines!.lines).toBe(orders!.lines);
		expect(lines!.products).toBeGreaterThan(3);
		const [customers] = await db.rows<{ n: number; emails: number; currency: string }>(
			`SELECT CAST(count(*) AS DOUBLE) AS n, CAST(count(email) AS DOUBLE) AS emails, (SELECT max(currency) FROM orders) AS currency FROM customers`
		);
		expect(customers!.currency).toBe('EUR');
		// Every counted order here has an email (the ten without one have no phone or name either: guests).
		expect(customers!.emails).toBe(customers!.n);
	});
});

describe('Shopify variant (fixture: an excerpt of the real export with statuses, a missing email and a second currency)', () => {
	it('nets partial refunds, drops refunded and cancelled orders, knows an order without email by its phone, and scores one currency', async () => {
		const { inspection, report } = await load([`${FIXTURES}/shopify-variant.csv`]);
		expect(inspection.layout).toBe('shopify');
		// EUR orders by hand: #1004 34.95, #1005 1635.55 (no email: phone +16135550142), #1008 189.80,
		// #1009 189.80 − 50.00 partially refunded, #1013 127.59 (pending is still an order), #1015 100.00.
		expect(report).toMatchObject({ rowsRead: 18, rowsUsed: 15, orders: 6, customers: 4, ordersByFallback: 1, scoredCurrency: 'EUR' });
		expect(cents(report.revenue)).toBe(222769);
		expect(report.currencies).toEqual([
			{ currency: 'EUR', orders: 6 },
			{ currency: 'USD', orders: 1 }
		]);
		expect(excludedRows(report)).toEqual({ refunded: 1, cancelled: 1, other_currency: 1 });
		const [byPhone] = await db.rows<{ customer_id: string; phone: string }>(`SELECT customer_id, phone FROM customers WHERE email IS NULL`);
		expect(byPhone).toEqual({ customer_id: '+16135550142', phone: '+16135550142' });
	});

	it('scores the other currency when the merchant picks it', async () => {
		const sources = [];
		db.registerFile('variant-usd.csv', `${FIXTURES}/shopify-variant.csv`);
		sources.push(await sniffSource(db, 'shopify-variant.csv', 'variant-usd.csv', readFileSync(`${FIXTURES}/shopify-variant.csv`, 'utf8')));
		const inspection = await inspectSources(db, sources);
		const plan = { ...inspection.detection.plan, options: { ...inspection.detection.plan.options!, currency: 'USD' } };
		const report = await loadOrders(db, inspection.relations, plan, { layout: 'shopify', files: ['shopify-variant.csv'] });
		expect(report).toMatchObject({ orders: 1, customers: 1, scoredCurrency: 'USD' });
		expect(cents(report.revenue)).toBe(995);
		expect(excludedRows(report).other_currency).toBe(15);
	});
});

describe('UCI Online Retail invoice lines (fixture)', () => {
	it('multiplies quantity by price, nets cancellations out of revenue and reads 17850.0 as 17850', async () => {
		const { inspection, report } = await load([`${FIXTURES}/uci-online-retail.csv`]);
		expect(inspection.layout).toBe('uci');
		// Invoices by hand: 536365 35.64, 536366 11.10, 536367 72.08 (POST counts as money), 536380 34.80,
		// 536384 19.35, 536385 13.58 (AMAZONFEE), 536386 15.00 (BANK CHARGES), 536388 30.60.
		expect(report).toMatchObject({ rowsRead: 15, rowsUsed: 10, orders: 8, customers: 5 });
		expect(cents(report.revenue)).toBe(23215);
		expect(report.returns).toEqual({ rows: 2, orders: 2, amount: -32.15 });
		// Guest invoice 536381 (2 rows), and the manual line of 0.00.
		expect(excludedRows(report)).toEqual({ no_customer: 2, zero_amount: 1 });
		const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
		expect(rfm.headline.analysisDate).toBe('2010-12-14');
		expect(cents(rfm.headline.revenue)).toBe(20000);
		const rows = await db.rows<{ customer_id: string; frequency: number; revenue: number }>(
			`SELECT customer_id, frequency, round(revenue, 2) AS revenue FROM customer_metrics ORDER BY customer_id`
		);
		expect(rows).toEqual([
			{ customer_id: '13047', frequency: 2, revenue: 102.68 },
			{ customer_id: '14527', frequency: 1, revenue: 7.3 },
			{ customer_id: '15311', frequency: 2, revenue: 23.93 },
			{ customer_id: '17850', frequency: 2, revenue: 46.74 },
			{ customer_id: '18074', frequency: 1, revenue: 19.35 }
		]);
	});
});

describe('WooCommerce order export (fixture)', () => {
	it('reads the order total once per order, nets refunds, and leaves out cancelled, refunded, failed and pending orders', async () => {
		const { inspection, report } = await load([`${FIXTURES}/woocommerce-orders.csv`]);
		expect(inspection.layout).toBe('woocommerce');
		// Counted: 1201 (42.50, two item rows), 1202 (24.99, processing), 1205 (65.00 − 15.00), 1208 (49.99).
		expect(report).toMatchObject({ rowsRead: 9, rowsUsed: 5, orders: 4, customers: 3 });
		expect(cents(report.revenue)).toBe(16748);
		expect(excludedRows(report)).toEqual({ cancelled: 1, refunded: 1, not_a_sale: 2 });
		const customers = await db.rows(`SELECT customer_id, first_name, city, country FROM customers ORDER BY customer_id`);
		expect(customers).toEqual([
			{ customer_id: 'asa@example.se', first_name: 'Åsa', city: 'Malmö', country: 'SE' },
			{ customer_id: 'lee@example.kr', first_name: 'Lee', city: 'Busan', country: 'KR' },
			{ customer_id: 'tom@example.co.uk', first_name: 'Tom', city: 'Leeds', country: 'GB' }
		]);
		const [coupon] = await db.rows<{ coupon: string }>(`SELECT coupon FROM orders WHERE order_id = '1201'`);
		expect(coupon!.coupon).toBe('SPRING10');
	});
});

describe('Olist orders, customers and payments dropped together (fixture)', () => {
	it('joins them: customers are customer_unique_id, amounts the sum of payments, canceled and unavailable orders excluded', async () => {
		const dir = `${FIXTURES}/olist`;
		const { inspection, report } = await load([
			`${dir}/olist_order_payments_dataset.csv`,
			`${dir}/olist_orders_dataset.csv`,
			`${dir}/olist_customers_dataset.csv`
		]);
		expect(inspection.layout).toBe('olist');
		// 38.71 (three payments) + 141.46 + 179.12 + 28.62, for 3 people (7c396… ordered twice under two customer_ids).
		expect(report).toMatchObject({ rowsRead: 6, rowsUsed: 4, orders: 4, customers: 3 });
		expect(cents(report.revenue)).toBe(38791);
		expect(excludedRows(report)).toEqual({ cancelled: 1, not_a_sale: 1 });
	});

	it('asks for the customers file when only orders and payments are dropped', async () => {
		const dir = `${FIXTURES}/olist`;
		await expect(load([`${dir}/olist_orders_dataset.csv`, `${dir}/olist_order_payments_dataset.csv`])).rejects.toThrow(
			/Add olist_customers_dataset\.csv .* customer_unique_id/
		);
	});
});

describe('several exports dropped together', () => {
	it('appends them and counts an order that is in both files once', async () => {
		const { report } = await load([`${FIXTURES}/monthly/orders-2024-01.csv`, `${FIXTURES}/monthly/orders-2024-02.csv`]);
		expect(report).toMatchObject({ rowsRead: 8, rowsUsed: 7, orders: 7, customers: 4 });
		expect(report.files).toEqual(['orders-2024-01.csv', 'orders-2024-02.csv']);
		expect(cents(report.revenue)).toBe(26775);
		expect(excludedRows(report)).toEqual({ duplicate: 1 });
	});

	it('refuses files with different columns, naming them', async () => {
		await expect(load([`${FIXTURES}/monthly/orders-2024-01.csv`, `${FIXTURES}/woocommerce-orders.csv`])).rejects.toThrow(
			/woocommerce-orders\.csv has other columns than orders-2024-01\.csv/
		);
	});
});

describe('CDNOW transaction log (whitespace-separated, tests/reference)', () => {
	it('recognises aligned columns with or without a header', () => {
		expect(
			detectWhitespaceTable(
				' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n'
			)
		).toEqual({
			columns: ['customer_id', 'date', 'number_of_cds', 'dollar_value'],
			hasHeader: true
		});
		expect(detectWhitespaceTable('    1   1 19970101  2  29.33\n    2   2 19970112  1  12.00\n    3   3 19970102  2  20.76\n')).toEqual({
			columns: ['customer_id', 'sample_id', 'date', 'quantity', 'amount'],
			hasHeader: false
		});
		expect(detectWhitespaceTable('id,date,amount\n1,2024-01-01,3\n2,2024-01-02,4\n')).toBeNull();
	});

	it('reads CDNOW master: 69,659 purchases of 23,570 customers, each row one order', async () => {
		const path = `${REFERENCE}/cdnow/CDNOW_master.txt`;
		const lines = readFileSync(path, 'utf8')
			.split(/\r?\n/)
			.slice(1)
			.filter((l) => l.trim() !== '');
		const parsed = lines.map((l) => l.trim().split(/\s+/));
		const dollars = parsed.reduce((s, p) => s + cents(Number(p[3])), 0);
		const zero = parsed.filter((p) => Number(p[3]) === 0).length;
		const { inspection, report } = await load([path]);
		expect(inspection.layout).toBe('cdnow');
		expect(report.rowsRead).toBe(69_659);
		expect(report.rowsRead).toBe(lines.length);
		expect(report.customers).toBe(23_570);
		expect(report.customers).toBe(new Set(parsed.map((p) => p[0])).size);
		// Each row is a purchase, the 80 of $0.00 included.
		expect(zero).toBe(80);
		expect(report.orders).toBe(lines.length);
		expect(report.excluded).toEqual([]);
		expect(cents(report.revenue)).toBe(dollars);
		expect(cents(report.revenue)).toBe(250_031_563);
		const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
		expect(rfm.headline).toMatchObject({
			customers: 23_570,
			firstOrder: '1997-01-01',
			lastOrder: '1998-06-30',
			analysisDate: '1998-07-01'
		});
	});
});
