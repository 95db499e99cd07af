/**
 * The prediction SQL on DuckDB-WASM, fed the CDNOW sample as the app stores it (`orders`): the
 * summary must equal the NOTES' convention computed in plain TypeScript, and the whole step must
 * give the published fit, a holdout check over weeks 40–78 and a usable `customer_predictions`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerSummarySql, dailyPurchasesSql } from '../../src/lib/predict/summary-sql';
import { holdoutCutFor, runPredictions, type PredictionReport } from '../../src/lib/predict/pipeline';
import { predictionRowsSql, withPredictionsSql } from '../../src/lib/predict/predictions-sql';
import { DEFAULT_PREDICT, purchaseFitOf, validatePredictSettings, type PredictSettings } from '../../src/lib/predict/predict';
import { cdnowSummary, readCdnowSample } from '../support/cdnow';
import { expectedPurchases, fitBgNbd, probabilityAlive, type BgNbdParams } from '../../src/lib/predict/bgnbd';
import { csvTableWriter, openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

let db: WasmTestDb;

/** The one row a query must return. */
function first<T>(rows: T[]): T {
	if (rows.length !== 1) throw new Error(`Expected one row, got ${rows.length}`);
	return rows[0]!;
}

async function loadOrders(csv: string): Promise<void> {
	db.registerText('orders.csv', csv);
	await db.run(`CREATE OR REPLACE TABLE orders AS
		SELECT customer_id, CAST(row_number() OVER () AS VARCHAR) AS order_id, "date" AS ordered_at, amount
		FROM read_csv('orders.csv', header = true, columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DOUBLE'})`);
	// The RFM step's table, reduced to what the predictions join: two made-up segments.
	await db.run(`CREATE OR REPLACE TABLE customer_scores AS
		SELECT DISTINCT customer_id, CASE WHEN customer_id < '1000' THEN 'Early' ELSE 'Late' END AS segment FROM orders`);
}

beforeAll(async () => {
	db = await openWasmDb();
	await loadOrders(readFileSync(resolve(import.meta.dirname, '../fixtures/cdnow-sample.csv'), 'utf8'));
	// Starting DuckDB-WASM can take a while on a busy machine.
}, 60_000);
afterAll(() => db.close());

describe('customer summary SQL', () => {
	it('equals the NOTES convention for every CDNOW customer (weeks, calibration to 1997-09-30)', async () => {
		const rows = await db.rows<{ customer_id: string; x: number; t_x: number; T: number; mean_spend: number | null; holdout: number }>(
			customerSummarySql({ calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30', unit: 'weeks' })
		);
		const expected = cdnowSummary(readCdnowSample());
		expect(rows).toHaveLength(2357);
		rows.forEach((row, i) => {
			const e = expected[i]!;
			expect(row.customer_id).toBe(e.id);
			expect(row.x).toBe(e.x);
			expect(row.t_x).toBeCloseTo(e.tx, 12);
			expect(row.T).toBeCloseTo(e.T, 12);
			expect(row.holdout).toBe(e.holdout);
			if (e.x > 0) expect(row.mean_spend).toBeCloseTo(e.zbar, 9);
			else expect(row.mean_spend).toBeNull();
		});
	});

	it('counts days, not weeks, when asked', async () => {
		const c = first(
			await db.rows<{ x: number; t_x: number; T: number }>(
				`SELECT * FROM (${customerSummarySql({ calibrationEnd: '1997-09-30', holdoutEnd: '1997-09-30', unit: 'days' })}) WHERE customer_id = '1516'`
			)
		);
		expect(c).toMatchObject({ x: 26, t_x: 216, T: 217 });
	});

	it('gives the daily first and repeat purchases', async () => {
		const rows = await db.rows<{ day: number; first_purchases: number; repeat_purchases: number }>(
			dailyPurchasesSql({ calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30', unit: 'weeks' })
		);
		expect(rows.reduce((s, r) => s + r.first_purchases, 0)).toBe(2357);
		// 6,696 customer-days, minus the 2,357 first purchases.
		expect(rows.reduce((s, r) => s + r.repeat_purchases, 0)).toBe(6696 - 2357);
		expect(rows[0]?.day).toBe(0);
		expect(rows[rows.length - 1]?.day).toBe(545);
	});
});

describe('the Predictions step on CDNOW', () => {
	// BG/NBD named, so the published BG/NBD fit is what the step must reproduce (the choice is tested in predict-choice).
	const settings: PredictSettings = { ...DEFAULT_PREDICT, horizons: [30, 90, 365], annualDiscountRate: 0.1, model: 'bg-nbd' };
	let report: PredictionReport;

	beforeAll(async () => {
		report = await runPredictions(db, settings, csvTableWriter(db));
	}, 60_000);

	it('splits the history in half by default: calibration to 1997-09-30, holdout weeks 40–78', () => {
		expect(holdoutCutFor(DEFAULT_PREDICT, '1997-01-01', '1998-06-30')).toBe('1997-09-30');
		const h = report.holdout!;
		expect(report.holdoutProblem).toBeNull();
		expect(h.calibrationEnd).toBe('1997-09-30');
		expect(h.holdoutEnd).toBe('1998-06-30');
		expect(h.calibrationT).toBe(39);
		expect(h.holdoutLength).toBe(39);
		expect(h.curve).toHaveLength(78);
	});

	it('fits the published parameters on the calibration period', () => {
		const { gammaGamma, warnings } = report.holdout!.fit;
		const bgnbd = purchaseFitOf<BgNbdParams>(report.holdout!.fit);
		expect(bgnbd.params.r).toBeCloseTo(0.243, 3);
		expect(bgnbd.params.alpha).toBeCloseTo(4.414, 3);
		expect(bgnbd.params.a).toBeCloseTo(0.793, 3);
		expect(bgnbd.params.b).toBeCloseTo(2.426, 3);
		expect(bgnbd.logLikelihood).toBeCloseTo(-9582.4, 1);
		expect(gammaGamma!.params.p).toBeCloseTo(6.25, 2);
		expect(gammaGamma!.params.q).toBeCloseTo(3.74, 2);
		expect(gammaGamma!.params.gamma).toBeCloseTo(15.44, 2);
		expect(gammaGamma!.logLikelihood).toBeCloseTo(-4055.9, 1);
		expect(warnings).toEqual([]);
	});

	it('predicts the holdout repeat purchases per calibration frequency and in total', () => {
		const h = report.holdout!;
		expect(h.totalActual).toBe(1882);
		// Computed again from the file without SQL: the same groups and the same conditional expectations.
		const summary = cdnowSummary(readCdnowSample());
		const fit = fitBgNbd({ x: summary.map((c) => c.x), tx: summary.map((c) => c.tx), T: summary.map((c) => c.T) });
		const predicted = summary.map((c) => expectedPurchases(fit.params, 39, c.x, c.tx, c.T));
		expect(h.totalPredicted).toBeCloseTo(
			predicted.reduce((s, v) => s + v, 0),
			6
		);
		expect(h.groups.map((g) => g.label)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
		expect(h.groups.map((g) => g.customers)).toEqual([1411, 439, 214, 100, 62, 38, 29, 64]);
		// As in FHL 2005 fig. 4, the model slightly under-predicts the holdout purchases of light repeat buyers.
		expect(h.groups.map((g) => Number(g.actual.toFixed(3)))).toEqual([0.237, 0.697, 1.393, 1.56, 2.532, 2.947, 3.862, 6.359]);
		expect(h.groups.map((g) => Number(g.predicted.toFixed(3)))).toEqual([0.225, 0.523, 1.044, 1.52, 2.164, 2.654, 3.504, 6.157]);
		expect(h.totalPredicted).toBeCloseTo(1653.4, 1);
		// The cumulative curve ends at every repeat purchase: 4,339 actual.
		const last = h.curve[h.curve.length - 1]!;
		expect(last.t).toBe(78);
		expect(last.actual).toBe(6696 - 2357);
		const week39 = h.curve[38]!;
		expect(week39.actual).toBe(2457);
		expect(Math.abs(week39.predicted - 2457) / 2457).toBeLessThan(0.03);
	});

	it('writes customer_predictions for every customer, with the columns other code joins', async () => {
		const columns = await db.rows<{ column_name: string; data_type: string }>(
			`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'customer_predictions' ORDER BY ordinal_position`
		);
		expect(columns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
			'customer_id VARCHAR',
			'repeat_purchases INTEGER',
			'p_alive DOUBLE',
			'p_order_next_30d DOUBLE',
			'expected_orders_30d DOUBLE',
			'expected_orders_90d DOUBLE',
			'expected_orders_365d DOUBLE',
			'expected_order_value DOUBLE',
			'predicted_value DOUBLE',
			'likely_lost BOOLEAN',
			'high_predicted_value BOOLEAN',
			'predicted_value_low DOUBLE',
			'predicted_value_high DOUBLE'
		]);
		expect(report.selections.all).toBe(2357);
		const c = first(
			await db.rows<{
				repeat_purchases: number;
				p_alive: number;
				expected_orders_30d: number;
				expected_orders_90d: number;
				expected_orders_365d: number;
				likely_lost: boolean;
			}>(`SELECT * FROM customer_predictions WHERE customer_id = '0001'`)
		);
		// Customer 1 bought on 4 days, the last in December 1997: the same P(alive) as the model gives directly.
		const full = cdnowSummary(readCdnowSample(), '1998-06-30').find((s) => s.id === '0001')!;
		expect(c.repeat_purchases).toBe(3);
		expect(c.p_alive).toBeCloseTo(probabilityAlive(purchaseFitOf<BgNbdParams>(report.fit).params, full.x, full.tx, full.T), 12);
		expect(c.expected_orders_30d).toBeLessThan(c.expected_orders_90d);
		expect(c.expected_orders_90d).toBeLessThan(c.expected_orders_365d);
		expect(c.likely_lost).toBe(c.p_alive < 0.3);
	});

	it('reports segment averages and the ready-made selections', async () => {
		expect(report.segments.map((s) => s.segment).sort()).toEqual(['Early', 'Late']);
		expect(report.segments.reduce((s, g) => s + g.customers, 0)).toBe(2357);
		expect(report.selections.highValue).toBe(Math.round(0.1 * 2357));
		expect(report.selections.likelyLost).toBeGreaterThan(0);
		const lost = await db.rows<{ p_alive: number; likely_lost: boolean }>(predictionRowsSql('likely-lost', settings.horizons));
		expect(lost).toHaveLength(report.selections.likelyLost);
		expect(lost.every((r) => r.p_alive < 0.3 && r.likely_lost)).toBe(true);
		expect(report.top).toHaveLength(20);
		expect(Number(report.top[0]?.predicted_value)).toBeGreaterThanOrEqual(Number(report.top[19]?.predicted_value));
		expect(report.highValueFrom).toBeGreaterThan(0);
	});

	it('discounts the predicted value (10 % a year is worth less than no discount)', async () => {
		const undiscounted = await runPredictions(db, { ...settings, annualDiscountRate: 0 }, csvTableWriter(db));
		expect(report.selections.totalValue!).toBeLessThan(undiscounted.selections.totalValue!);
		expect(report.selections.totalValue!).toBeGreaterThan(undiscounted.selections.totalValue! * 0.9);
		// With no discount, predicted value = expected orders × expected order value.
		const row = first(
			await db.rows<{ v: number; e: number; m: number }>(
				`SELECT predicted_value AS v, expected_orders_365d AS e, expected_order_value AS m FROM customer_predictions WHERE customer_id = '1516'`
			)
		);
		expect(row.v).toBeCloseTo(row.e * row.m, 8);
	});
});

describe('warnings hide predictions the models cannot back', () => {
	afterAll(async () => loadOrders(readFileSync(resolve(import.meta.dirname, '../fixtures/cdnow-sample.csv'), 'utf8')));

	it('hides everything with too few repeat buyers, and leaves an empty customer_predictions', async () => {
		const lines = ['customer_id,date,amount'];
		for (let i = 0; i < 150; i++) lines.push(`c${i},2024-01-${String(1 + (i % 28)).padStart(2, '0')},20`);
		for (let i = 0; i < 10; i++) lines.push(`c${i},2024-03-${String(1 + i).padStart(2, '0')},30`);
		await loadOrders(lines.join('\n'));
		const report = await runPredictions(db, DEFAULT_PREDICT, csvTableWriter(db));
		expect(report.fit.warnings.map((w) => w.code)).toContain('few-repeat-buyers');
		expect(report.fit.showOrders).toBe(false);
		expect(report.selections.all).toBe(0);
		const count = first(await db.rows<{ n: number }>('SELECT CAST(count(*) AS DOUBLE) AS n FROM customer_predictions'));
		expect(count.n).toBe(0);
	});

	it('hides spend predictions when repeat spend is often zero or negative', async () => {
		const csv = readFileSync(resolve(import.meta.dirname, '../fixtures/cdnow-sample.csv'), 'utf8');
		// Every repeat purchase of a fifth of the customers becomes a refund.
		const refunded = csv.replace(/^(\d\d\d[0-4]),(1997-(?:0[4-9]|1\d)-\d\d|1998-\d\d-\d\d),([\d.]+)$/gm, '$1,$2,-$3');
		await loadOrders(refunded);
		const report = await runPredictions(db, DEFAULT_PREDICT, csvTableWriter(db));
		const warning = report.fit.warnings.find((w) => w.code === 'non-positive-spend');
		expect(warning?.hides).toBe('value');
		expect(report.fit.showOrders).toBe(true);
		expect(report.fit.showValue).toBe(false);
		const row = first(
			await db.rows<{ v: number | null; p: number }>('SELECT max(predicted_value) AS v, max(p_alive) AS p FROM customer_predictions')
		);
		expect(row.v).toBeNull();
		expect(row.p).toBe(1);
	});
});

describe('settings', () => {
	it('refuses settings the step cannot use, with the reason', () => {
		expect(validatePredictSettings(DEFAULT_PREDICT)).toBeNull();
		expect(validatePredictSettings({ ...DEFAULT_PREDICT, horizons: [30, 30] })).toMatch(/once/);
		expect(validatePredictSettings({ ...DEFAULT_PREDICT, horizons: [0] })).toMatch(/whole number of days/);
		expect(validatePredictSettings({ ...DEFAULT_PREDICT, annualDiscountRate: 1.5 })).toMatch(/discount/);
		expect(validatePredictSettings({ ...DEFAULT_PREDICT, holdoutCut: '30/09/1997' })).toMatch(/cut date/);
	});
});

describe('exports with predictions', () => {
	it('appends the prediction columns to a customer export, NULL for customers without one', async () => {
		await runPredictions(db, DEFAULT_PREDICT, csvTableWriter(db));
		const rows = await db.rows<Record<string, unknown>>(
			withPredictionsSql(`SELECT customer_id, segment FROM customer_scores UNION ALL SELECT 'nobody', 'Late'`, [30, 90, 365])
		);
		expect(Object.keys(rows[0]!)).toEqual([
			'customer_id',
			'segment',
			'p_alive',
			'p_order_next_30d',
			'expected_orders_30d',
			'expected_orders_90d',
			'expected_orders_365d',
			'expected_order_value',
			'predicted_value'
		]);
		expect(rows).toHaveLength(2358);
		expect(rows.find((r) => r.customer_id === 'nobody')?.p_alive).toBeNull();
		expect(rows.find((r) => r.customer_id === '1516')?.p_alive).toBeGreaterThan(0.9);
	});
});
