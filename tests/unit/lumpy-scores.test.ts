/**
 * Scores that read right on small or lumpy data (issue 20, finding 4): with fewer distinct values
 * than levels, balanced scoring spreads the values over the whole scale by where they lie in the
 * metric's range and gives the best the top score; the real Shopify export's three customers, who
 * all ordered 1–2 days before the analysis date, read as recent. R rfm compatible mode is unchanged
 * (its reference tests, r-rfm-reference.test.ts, still match the package exactly).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrders } from '../../src/lib/ingest/pipeline';
import { inspectSources, sniffSource } from '../../src/lib/ingest/sources';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { metricRange, spreadBands } from '../../src/lib/rfm/scoring';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { groupsOf } from './scoring-properties';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

const SHOPIFY = resolve(import.meta.dirname, '../reference/shopify/orders_export_forezia_devstore.csv');

describe('spreadBands', () => {
	it('places values on the whole scale by where they lie in the range, the best on top', () => {
		// Frequencies 2, 3, 4 orders on 1–5: shares (v − 1) / 3 of the way from 1 order to 4 → 2, 4, 5.
		const frequency = groupsOf([2, 3, 3, 4]);
		expect(spreadBands('frequency', frequency, 5, metricRange('frequency', frequency)).map((b) => [b.score, b.lower, b.customers])).toEqual(
			[
				[2, 2, 1],
				[4, 3, 2],
				[5, 4, 1]
			]
		);
		// Recency 1 and 2 days in a 7-day history: 1 − 2/7 of the way to the best → 4; the most recent get 5.
		const recency = groupsOf([1, 1, 2]);
		expect(spreadBands('recency', recency, 5, metricRange('recency', recency, 7)).map((b) => [b.score, b.lower])).toEqual([
			[5, 1],
			[4, 2]
		]);
		// Recency 30 and 300 days in a 365-day history: the most recent on top, the other low.
		const old = groupsOf([30, 300, 300]);
		expect(spreadBands('recency', old, 5, metricRange('recency', old, 365)).map((b) => b.score)).toEqual([5, 1]);
		// Two spends: 0 is the worst possible money; 10 and 1,000 → 1 and 5. Refunds (negative) widen the range.
		expect(spreadBands('monetary', groupsOf([10, 1000]), 5, metricRange('monetary', groupsOf([10, 1000]))).map((b) => b.score)).toEqual([
			1, 5
		]);
		const refunds = groupsOf([-50, 20, 50]);
		expect(spreadBands('monetary', refunds, 5, metricRange('monetary', refunds)).map((b) => b.score)).toEqual([1, 4, 5]);
		expect(spreadBands('frequency', frequency, 5, metricRange('frequency', frequency)).every((b) => b.spread)).toBe(true);
	});

	it('merges values that land on one score into one band (equal values never split)', () => {
		const groups = groupsOf([1, 2, 40]);
		expect(spreadBands('frequency', groups, 5, metricRange('frequency', groups))).toEqual([
			{ score: 1, lower: 1, upper: 2, upperInclusive: true, customers: 2, spread: true },
			{ score: 5, lower: 40, upper: 40, upperInclusive: true, customers: 1, spread: true }
		]);
	});
});

describe('the real Shopify export (3 customers, orders 2025-05-11 … 05-17)', () => {
	let db: WasmTestDb;
	beforeAll(async () => {
		db = await openWasmDb();
		db.registerFile('shopify.csv', SHOPIFY);
		const source = await sniffSource(db, 'shopify.csv', 'shopify.csv', readFileSync(SHOPIFY).subarray(0, 65536).toString('utf8'));
		const inspection = await inspectSources(db, [source]);
		await loadOrders(db, inspection.relations, inspection.detection.plan, { layout: inspection.layout, files: inspection.files });
	});
	afterAll(() => db.close());

	it('gives the three customers who ordered 1–2 days ago a top recency score under the default method', async () => {
		const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
		expect(rfm.headline.analysisDate).toBe('2025-05-18');
		const rows = await db.rows<{
			customer_id: string;
			recency_days: number;
			frequency: number;
			r: number;
			f: number;
			m: number;
			segment: string;
		}>('SELECT customer_id, recency_days, frequency, r, f, m, segment FROM customer_scores ORDER BY customer_id');
		expect(rows.map((r) => [r.customer_id, r.recency_days, r.frequency, r.r, r.f, r.m, r.segment])).toEqual([
			// E-mail ids are compared in lower case (the file writes Russel.winfield@…).
			// Ordered yesterday, 4 and 3 orders: the most recent get 5, the most frequent 5.
			['ayumu.hirano@example.com', 1, 4, 5, 5, 1 + Math.floor((1184.9 / 1763.14) * 5), 'Champions'],
			// Two days ago in a 7-day history: 1 + floor((1 − 2/7) × 5) = 4, still a top score; 2 orders: 1 + floor(1/3 × 5) = 2.
			['karine.ruby@example.com', 2, 2, 4, 2, 5, 'Potential Loyalist'],
			['russel.winfield@example.com', 1, 3, 5, 4, 1 + Math.floor((389.55 / 1763.14) * 5), 'Champions']
		]);
		expect(rows.every((r) => r.r >= 4)).toBe(true);
		expect(rows.some((r) => ['At Risk', 'Hibernating', "Can't Lose Them"].includes(r.segment))).toBe(false);
		expect(rfm.thresholds.recency.map((b) => [b.score, b.customers, b.spread])).toEqual([
			[5, 2, true],
			[4, 1, true]
		]);
	});

	it('keeps R rfm compatible mode as the package computes it (only the low scores, no spreading)', async () => {
		const rfm = await scoreCustomers(db, { ...DEFAULT_SCORING, method: 'r-rfm' }, GRID_MAP);
		expect(rfm.thresholds.recency.some((b) => b.spread)).toBe(false);
		const rows = await db.rows<{ recency_days: number; r: number }>('SELECT recency_days, r FROM customer_scores ORDER BY recency_days');
		// R's type-7 quantiles of (1, 1, 2) at .2 .4 .6 .8 are 1, 1, 1.2, 1.6; plus one: breaks 2, 2, 2.2, 2.6.
		// Bins [1, 2) → 5, [2, 2) empty, [2, 2.2) → 3: one day scores 5, two days 3, as in R.
		expect(rows.map((r) => [r.recency_days, r.r])).toEqual([
			[1, 5],
			[1, 5],
			[2, 3]
		]);
	});
});
