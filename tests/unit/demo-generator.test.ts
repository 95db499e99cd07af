import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_HEADER, generateDemoStore, type DemoStore } from '../../src/lib/demo/generator';
import { parseCsv } from '../e2e/support/orders';

const sha256 = (store: DemoStore) => {
	const hash = createHash('sha256');
	for (const part of store.parts) hash.update(part);
	return hash.digest('hex');
};
const text = (store: DemoStore) => Buffer.concat(store.parts).toString('utf8');

describe('demo store generator', () => {
	const store = generateDemoStore(42, 2_000);
	const [header = [], ...rows] = parseCsv(text(store));
	const col = (name: string) => header.indexOf(name);
	const values = (name: string) => rows.map((r) => r[col(name)]!);

	it('gives the same bytes (same SHA-256) for the same seed, and another file for another seed', () => {
		expect(sha256(generateDemoStore(42, 2_000))).toBe(sha256(store));
		expect(sha256(generateDemoStore(43, 2_000))).not.toBe(sha256(store));
		expect(store.bytes).toBe(store.parts.reduce((s, p) => s + p.length, 0));
	});

	it('writes the demo layout: exact header, one row per line item, timestamps, statuses', () => {
		expect(header.join(',')).toBe(DEMO_HEADER);
		expect(rows).toHaveLength(store.rows);
		for (const row of rows) expect(row).toHaveLength(header.length);
		expect(values('ordered_at').every((v) => /^202[345]-\d\d-\d\d \d\d:\d\d:00$/.test(v))).toBe(true);
		expect(new Set(values('status'))).toEqual(new Set(['paid', 'refunded', 'cancelled']));
		expect(new Set(values('accepts_marketing'))).toEqual(new Set(['yes', 'no']));
		expect(new Set(values('order_id')).size).toBe(store.orders);
		// Orders are listed by time.
		const dates = values('ordered_at');
		expect(dates.every((d, i) => i === 0 || dates[i - 1]! <= d)).toBe(true);
	});

	it('line_total is quantity × unit price after the coupon discount', () => {
		const discount: Record<string, number> = { '': 0, WELCOME10: 0.1, BFCM25: 0.25, VIP20: 0.2, SPRING15: 0.15 };
		for (const row of rows) {
			const [q, p, t, coupon] = [
				Number(row[col('quantity')]),
				Number(row[col('unit_price')]),
				Number(row[col('line_total')]),
				row[col('coupon')]!
			];
			expect(discount[coupon], `coupon ${coupon}`).toBeDefined();
			expect(t).toBeCloseTo(Math.round(q * p * (1 - discount[coupon]!) * 100) / 100, 2);
		}
	});

	it('has guest orders, varied repeat behaviour, seasonality, channels, countries, coupons and categories', () => {
		const byOrder = new Map<string, string[]>();
		for (const row of rows) byOrder.set(row[col('order_id')]!, row);
		const orders = [...byOrder.values()];
		const guests = orders.filter((r) => r[col('customer_id')] === '');
		expect(guests.length).toBe(store.guestOrders);
		expect(guests.every((r) => r[col('email')] === '')).toBe(true);
		expect(guests.length / orders.length).toBeGreaterThan(0.05);

		const perCustomer = new Map<string, number>();
		for (const r of orders)
			if (r[col('customer_id')]) perCustomer.set(r[col('customer_id')]!, (perCustomer.get(r[col('customer_id')]!) ?? 0) + 1);
		expect(perCustomer.size).toBe(2_000);
		const counts = [...perCustomer.values()];
		const oneTime = counts.filter((c) => c === 1).length / counts.length;
		expect(oneTime).toBeGreaterThan(0.45);
		expect(oneTime).toBeLessThan(0.75);
		expect(counts.filter((c) => c >= 8).length).toBeGreaterThan(40);

		// Seasonality: November and December sell more orders per day than August.
		const perMonth = new Map<string, number>();
		for (const r of orders) perMonth.set(r[col('ordered_at')]!.slice(5, 7), (perMonth.get(r[col('ordered_at')]!.slice(5, 7)) ?? 0) + 1);
		expect(perMonth.get('12')! / 31).toBeGreaterThan((perMonth.get('08')! / 31) * 1.5);

		expect(new Set(values('channel')).size).toBe(4);
		expect(new Set(values('country')).size).toBeGreaterThanOrEqual(6);
		expect(new Set(values('category')).size).toBe(8);
		expect(new Set(values('coupon'))).toEqual(new Set(['', 'WELCOME10', 'BFCM25', 'VIP20', 'SPRING15']));
		expect(values('product').some((p) => p.includes("'"))).toBe(false);
		expect(values('last_name')).toContain("O'Brien");
	});

	it('makes every customer’s first order a paid one, so each customer is scored', () => {
		const firstSeen = new Set<string>();
		for (const row of rows) {
			const id = row[col('customer_id')]!;
			if (!id || firstSeen.has(id)) continue;
			firstSeen.add(id);
			expect(row[col('status')]).toBe('paid');
		}
	});
});
