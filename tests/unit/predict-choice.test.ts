/**
 * The Predictions step with all three repeat-purchase models (issue 19): on the CDNOW sample the
 * models are compared on the holdout (weeks 40–78), the best one is used unless the merchant picks
 * another, the bootstrap is deterministic per seed and its intervals contain the point estimates, and
 * the chance of ordering within N days is a probability that grows with N.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictStore, type PredictionRun } from '../../src/lib/predict/pipeline';
import { DEFAULT_BOOTSTRAP } from '../../src/lib/predict/bootstrap';
import { DEFAULT_PREDICT, fitModels, predictCustomers, type PredictSettings } from '../../src/lib/predict/predict';
import { estimateUncertainty, estimateUncertaintyNow } from '../../src/lib/predict/uncertainty';
import { csvTableWriter, openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

let db: WasmTestDb;
const settings: PredictSettings = { ...DEFAULT_PREDICT, horizons: [30, 90, 365] };
let best: PredictionRun;

beforeAll(async () => {
	db = await openWasmDb();
	db.registerText('orders.csv', readFileSync(resolve(import.meta.dirname, '../fixtures/cdnow-sample.csv'), 'utf8'));
	await db.run(`CREATE OR REPLACE TABLE orders AS
		SELECT customer_id, CAST(row_number() OVER () AS VARCHAR) AS order_id, "date" AS ordered_at, amount
		FROM read_csv('orders.csv', header = true, columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DOUBLE'})`);
	await db.run(`CREATE OR REPLACE TABLE customer_scores AS
		SELECT DISTINCT customer_id, CASE WHEN customer_id < '1000' THEN 'Early' ELSE 'Late' END AS segment FROM orders`);
	best = await predictStore(db, settings, csvTableWriter(db));
}, 120_000);
afterAll(() => db.close());

const ids = () => best.summary.customerId;

describe('the model choice on the CDNOW holdout (weeks 40–78)', () => {
	it('fits all three on the calibration period and picks Pareto/NBD, the smallest error per customer', () => {
		const { choice } = best.report;
		expect(choice.models.map((m) => m.model)).toEqual(['bg-nbd', 'mbg-nbd', 'pareto-nbd']);
		expect(choice.best).toBe('pareto-nbd');
		expect(choice.chosen).toBe('pareto-nbd');
		expect(best.fit.model).toBe('pareto-nbd');
		const [bg, mbg, pareto] = choice.models;
		// The calibration fits are the published ones (FHL 2005: BG/NBD LL −9582.4, Pareto/NBD −9595.0).
		expect(bg!.logLikelihood).toBeCloseTo(-9582.4, 1);
		expect(pareto!.logLikelihood).toBeCloseTo(-9595.0, 1);
		expect(pareto!.params.r).toBeCloseTo(0.553, 3);
		expect(pareto!.params.s).toBeCloseTo(0.606, 3);
		for (const m of choice.models) {
			expect(m.usable).toBe(true);
			expect(m.holdout!.actual).toBe(1882);
			expect(m.bic).toBeCloseTo(4 * Math.log(2357) - 2 * m.logLikelihood, 6);
			expect(m.curve).toHaveLength(78);
			expect(m.holdout!.rmse).toBeGreaterThan(m.holdout!.mae);
		}
		expect(pareto!.holdout!.mae).toBeLessThan(mbg!.holdout!.mae);
		expect(mbg!.holdout!.mae).toBeLessThan(bg!.holdout!.mae);
		expect(choice.reason).toBe(
			`Pareto/NBD predicted the holdout period's repeat orders most closely: off by ${pareto!.holdout!.mae.toFixed(2)} orders per customer on average, against ${bg!.holdout!.mae.toFixed(2)} for BG/NBD and ${mbg!.holdout!.mae.toFixed(2)} for MBG/NBD.`
		);
		// The holdout check is the chosen model's.
		expect(best.report.holdout!.fit.model).toBe('pareto-nbd');
		expect(best.report.holdout!.totalPredicted).toBeCloseTo(pareto!.holdout!.predicted, 6);
	});

	it('gives one-time buyers a chance of being active below 1 under Pareto/NBD', async () => {
		const [row] = await db.rows<{ n: number; max: number }>(
			`SELECT CAST(count(*) AS DOUBLE) AS n, max(p_alive) AS max FROM customer_predictions WHERE repeat_purchases = 0`
		);
		// 1,218 of the 2,357 never bought again in the 78 weeks.
		expect(row!.n).toBe(1218);
		expect(row!.max).toBeLessThan(1);
	});

	it('uses the model the merchant picks, keeping the holdout check’s best beside it', async () => {
		const picked = await predictStore(db, { ...settings, model: 'mbg-nbd' }, csvTableWriter(db));
		expect(picked.report.choice.best).toBe('pareto-nbd');
		expect(picked.report.choice.chosen).toBe('mbg-nbd');
		expect(picked.fit.model).toBe('mbg-nbd');
		expect(picked.report.expectedOrdersTotal[0]).not.toBeCloseTo(best.report.expectedOrdersTotal[0]!, 0);
		const [row] = await db.rows<{ max: number }>(`SELECT max(p_alive) AS max FROM customer_predictions WHERE repeat_purchases = 0`);
		expect(row!.max).toBeLessThan(1);
		// Back to the best model for the tests that read the table.
		best = await predictStore(db, settings, csvTableWriter(db));
	}, 60_000);
});

describe('the chance of an order within N days', () => {
	it('is a probability, and grows with N, for every model', () => {
		for (const model of ['bg-nbd', 'mbg-nbd', 'pareto-nbd'] as const) {
			const fit = fitModels(best.summary, 'weeks', model);
			const chances = [7, 30, 90, 365].map((h) => predictCustomers(fit, best.summary, { ...settings, horizons: [h] }).pOrderNext);
			for (let i = 0; i < best.summary.x.length; i++) {
				const c = chances.map((column) => column[i]!);
				expect(c[0]).toBeGreaterThanOrEqual(0);
				expect(c[3]).toBeLessThanOrEqual(1);
				for (let k = 1; k < c.length; k++) expect(c[k]).toBeGreaterThan(c[k - 1]!);
			}
		}
	});

	it('is stored as p_order_next_30d, below the chance of being active', async () => {
		const rows = await db.rows<{ p_alive: number; p_order_next_30d: number }>(`SELECT p_alive, p_order_next_30d FROM customer_predictions`);
		expect(rows).toHaveLength(2357);
		for (const r of rows) {
			expect(r.p_order_next_30d).toBeGreaterThan(0);
			expect(r.p_order_next_30d).toBeLessThan(r.p_alive);
		}
	});
});

describe('the bootstrap over customers', () => {
	const segmentOf = () => ids().map((id) => (id < '1000' ? 'Early' : 'Late'));

	it('is deterministic for a seed, and another seed draws other customers', () => {
		const input = { summary: best.summary, fit: best.fit, settings, segmentOf: segmentOf() };
		const a = estimateUncertaintyNow(input, { resamples: 20, seed: 7 });
		const b = estimateUncertaintyNow(input, { resamples: 20, seed: 7 });
		const c = estimateUncertaintyNow(input, { resamples: 20, seed: 8 });
		expect(b.report).toEqual(a.report);
		expect(Array.from(b.predictedValueHigh)).toEqual(Array.from(a.predictedValueHigh));
		expect(c.report.parameters[0]!.low).not.toBe(a.report.parameters[0]!.low);
	});

	it('gives 90 % intervals (200 resamples) that contain the point estimates', () => {
		const steps: number[] = [];
		const run = estimateUncertainty({ summary: best.summary, fit: best.fit, settings, segmentOf: segmentOf() }, DEFAULT_BOOTSTRAP);
		let step = run.next();
		while (!step.done) {
			steps.push(step.value.done);
			step = run.next();
		}
		const { report, predictedValueLow, predictedValueHigh } = step.value;
		expect(steps).toHaveLength(200);
		expect(steps[199]).toBe(200);
		expect(report.resamples).toBe(200);
		expect(report.settled).toBeGreaterThan(190);
		expect(report.parameters.map((p) => p.name)).toEqual(['r', 'alpha', 's', 'beta', 'p', 'q', 'gamma']);
		for (const p of report.parameters) {
			expect(p.low).toBeLessThan(p.value);
			expect(p.high).toBeGreaterThan(p.value);
		}
		report.expectedOrdersTotal.forEach((interval, k) => {
			expect(interval.low).toBeLessThan(best.report.expectedOrdersTotal[k]!);
			expect(interval.high).toBeGreaterThan(best.report.expectedOrdersTotal[k]!);
		});
		expect(report.totalValue!.low).toBeLessThan(best.report.selections.totalValue!);
		expect(report.totalValue!.high).toBeGreaterThan(best.report.selections.totalValue!);
		const point = predictCustomers(best.fit, best.summary, settings);
		for (let i = 0; i < point.predictedValue.length; i++) {
			expect(predictedValueLow[i]).toBeLessThanOrEqual(point.predictedValue[i]!);
			expect(predictedValueHigh[i]).toBeGreaterThanOrEqual(point.predictedValue[i]!);
		}
		// Each segment's averages, against the same averages of the point predictions.
		expect(report.segments.map((g) => g.segment)).toEqual(['Early', 'Late']);
		for (const g of report.segments) {
			const members = ids().flatMap((id, i) => ((id < '1000' ? 'Early' : 'Late') === g.segment ? [i] : []));
			expect(g.customers).toBe(members.length);
			const mean = (column: Float64Array) => members.reduce((s, i) => s + column[i]!, 0) / members.length;
			expect(g.expectedOrders.low).toBeLessThan(mean(point.expectedOrders[0]!));
			expect(g.expectedOrders.high).toBeGreaterThan(mean(point.expectedOrders[0]!));
			expect(g.predictedValue!.low).toBeLessThan(mean(point.predictedValue));
			expect(g.predictedValue!.high).toBeGreaterThan(mean(point.predictedValue));
		}
	}, 120_000);

	it('refuses a number of resamples it cannot use, in the merchant’s words', () => {
		const input = { summary: best.summary, fit: best.fit, settings, segmentOf: null };
		expect(() => estimateUncertaintyNow(input, { resamples: 5, seed: 1 })).toThrow(
			'The number of resamples must be a whole number from 10 to 2,000, not 5.'
		);
	});
});
