/**
 * The demo store reads with no questions asked: its richer columns land in the canonical tables,
 * and cancelled and refunded orders are not counted (values computed from the generated rows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvParse } from 'd3';
import { generateDemoStore } from '../../src/lib/demo/generator';
import { loadOrders } from '../../src/lib/ingest/pipeline';
import { inspectSources, sniffSource } from '../../src/lib/ingest/sources';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
});
afterAll(() => db.close());

describe('demo store through the ingest', () => {
	it('counts the paid orders of known customers, with channels, coupons, lines and contacts', async () => {
		const csv = Buffer.concat(generateDemoStore(42, 5000).parts).toString('utf8');
		const rows = csvParse(csv);
		const orders = new Map<string, { customer: string; status: string; total: number }>();
		for (const r of rows) {
			const o = orders.get(r.order_id!) ?? { customer: r.customer_id!, status: r.status!, total: 0 };
			o.total += Math.round(Number(r.line_total) * 100);
			orders.set(r.order_id!, o);
		}
		const paid = [...orders.values()].filter((o) => o.customer !== '' && o.status === 'paid');
		db.registerText('demo.csv', csv);
		const source = await sniffSource(db, 'demo.csv', 'demo.csv', csv.slice(0, 65536));
		const inspection = await inspectSources(db, [source]);
		expect(inspection.detection.plan.options?.excludedStatuses).toEqual(['cancelled', 'refunded']);
		const report = await loadOrders(db, inspection.relations, inspection.detection.plan, { layout: 'generic', files: ['demo.csv'] });
		expect(report.orders).toBe(paid.length);
		expect(report.customers).toBe(new Set(paid.map((o) => o.customer)).size);
		expect(Math.round(report.revenue * 100)).toBe(paid.reduce((s, o) => s + o.total, 0));
		const [filled] = await db.rows<Record<string, number>>(
			`SELECT CAST(count(channel) AS DOUBLE) AS channel, CAST(count(coupon) AS DOUBLE) AS coupon, CAST(count(country) AS DOUBLE) AS country,
				(SELECT CAST(count(*) AS DOUBLE) FROM order_lines WHERE category IS NOT NULL) AS lines,
				(SELECT CAST(count(email) AS DOUBLE) FROM customers) AS emails FROM orders`
		);
		expect(filled!.channel).toBe(paid.length);
		expect(filled!.coupon).toBeGreaterThan(0);
		expect(filled!.country).toBe(paid.length);
		expect(filled!.lines).toBeGreaterThan(paid.length);
		expect(filled!.emails).toBe(report.customers);
	});
});
