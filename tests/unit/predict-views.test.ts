/**
 * Predictions where the merchant works: the customer list, the profile, the segment builder and
 * the segment table, on DuckDB-WASM with the CDNOW sample scored by the app's own RFM step. Every
 * expected value is read back from `customer_predictions` or computed from the model directly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { computeBehaviour, DEFAULT_BEHAVIOUR } from '../../src/lib/rfm/behaviour';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { str } from '../../src/lib/sql';
import { runPredictions, type PredictionReport } from '../../src/lib/predict/pipeline';
import { DEFAULT_PREDICT, purchaseFitOf, type PredictSettings } from '../../src/lib/predict/predict';
import { segmentPredictionsSql, type PredictionColumns, type SegmentPrediction } from '../../src/lib/predict/predictions-sql';
import { probabilityAlive, type BgNbdParams } from '../../src/lib/predict/bgnbd';
import {
	customerProfile,
	listColumns,
	listWindowSql,
	materialiseListSql,
	readSchema,
	type CustomerQuery,
	type ExploreRow
} from '../../src/lib/rfm/explore';
import {
	columnsExportSql,
	countSegments,
	prepareBuilder,
	refreshBuilderPredictions,
	selectCustomers
} from '../../src/lib/builder/builder-engine';
import { PREDICTION_FIELDS } from '../../src/lib/builder/definition';
import { cdnowSummary, readCdnowSample } from '../support/cdnow';
import { csvTableWriter, openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

let db: WasmTestDb;
let report: PredictionReport;
let analysisDate: string;
const settings: PredictSettings = { ...DEFAULT_PREDICT, horizons: [30, 90], valueHorizon: 365, model: 'bg-nbd' };
const columns: PredictionColumns = { horizons: settings.horizons, valueHorizon: settings.valueHorizon, showValue: true };

beforeAll(async () => {
	db = await openWasmDb();
	db.registerText('orders.csv', readFileSync(resolve(import.meta.dirname, '../fixtures/cdnow-sample.csv'), 'utf8'));
	await db.run(`CREATE OR REPLACE TABLE orders AS
		SELECT customer_id, CAST(row_number() OVER () AS VARCHAR) AS order_id, "date" AS ordered_at, amount, 1 AS lines, CAST(NULL AS DATE) AS engaged_at
		FROM read_csv('orders.csv', header = true, columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DOUBLE'})`);
	const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
	analysisDate = rfm.headline.analysisDate;
	await computeBehaviour(db, DEFAULT_BEHAVIOUR, analysisDate);
	report = await runPredictions(db, settings, csvTableWriter(db));
}, 120_000);
afterAll(() => db.close());

const prediction = async (id: string) =>
	(await db.rows<Record<string, number | boolean>>(`SELECT * FROM customer_predictions WHERE customer_id = ${str(id)}`))[0]!;

describe('the customer list', () => {
	it('offers the prediction columns only when there are predictions (values only when shown)', () => {
		const ids = (c: PredictionColumns | null) => listColumns(c).map((x) => x.id);
		expect(ids(null)).not.toContain('p_alive');
		expect(ids(columns).slice(-6)).toEqual([
			'p_alive',
			'p_order_next_30d',
			'expected_orders_30d',
			'expected_orders_90d',
			'expected_order_value',
			'predicted_value'
		]);
		expect(ids({ ...columns, showValue: false }).slice(-4)).toEqual([
			'p_alive',
			'p_order_next_30d',
			'expected_orders_30d',
			'expected_orders_90d'
		]);
		expect(listColumns(columns).find((c) => c.id === 'predicted_value')?.label).toBe('Predicted value, 365 d');
	});

	it('carries each customer’s predictions and sorts by them', async () => {
		expect(report.fit.showOrders && report.fit.showValue).toBe(true);
		const schema = await readSchema(db, columns);
		const query: CustomerQuery = { selection: { kind: 'all' }, sort: { by: 'p_alive', descending: false }, search: '' };
		await db.run(materialiseListSql(query, schema));
		const rows = await db.rows<ExploreRow>(listWindowSql(0, 10_000));
		expect(rows).toHaveLength(2357);
		for (let i = 1; i < rows.length; i++) expect(rows[i]!.p_alive!).toBeGreaterThanOrEqual(rows[i - 1]!.p_alive!);
		const row = rows.find((r) => r.customer_id === '1516')!;
		const stored = await prediction('1516');
		expect(row.p_alive).toBe(stored.p_alive);
		expect(row.expected_orders_90d).toBe(stored.expected_orders_90d);
		expect(row.predicted_value).toBe(stored.predicted_value);
		expect(row.expected_order_value).toBe(stored.expected_order_value);
	});

	it('sorted by predicted value, the first customer is the Predictions tab’s top customer', async () => {
		const schema = await readSchema(db, columns);
		await db.run(materialiseListSql({ selection: { kind: 'all' }, sort: { by: 'predicted_value', descending: true }, search: '' }, schema));
		const [top] = await db.rows<ExploreRow>(listWindowSql(0, 1));
		expect(top!.customer_id).toBe(report.top[0]!.customer_id);
	});

	it('falls back to the default order when a prediction it was sorted by is gone', async () => {
		const schema = await readSchema(db, null);
		await db.run(materialiseListSql({ selection: { kind: 'all' }, sort: { by: 'p_alive', descending: false }, search: '' }, schema));
		const rows = await db.rows<ExploreRow>(listWindowSql(0, 3));
		expect(rows[0]!.p_alive).toBeUndefined();
		expect(rows[0]!.revenue).toBeGreaterThanOrEqual(rows[1]!.revenue);
	});
});

describe('the customer profile', () => {
	it('shows customer 1516’s chance of being active as the model gives it on all orders', async () => {
		const profile = (await customerProfile(db, '1516', await readSchema(db, columns)))!;
		const full = cdnowSummary(readCdnowSample(), '1998-06-30').find((s) => s.id === '1516')!;
		const p = profile.prediction!;
		expect(p.repeatPurchases).toBe(full.x);
		expect(p.pAlive).toBeCloseTo(probabilityAlive(purchaseFitOf<BgNbdParams>(report.fit).params, full.x, full.tx, full.T), 12);
		expect(p.expectedOrders.map((e) => e.days)).toEqual([30, 90]);
		expect(p.expectedOrders[0]!.orders).toBeLessThan(p.expectedOrders[1]!.orders);
		expect(p.predictedValue).toBe((await prediction('1516')).predicted_value);
		expect(p.columns.valueHorizon).toBe(365);
	});

	it('has no prediction section without predictions', async () => {
		const profile = (await customerProfile(db, '1516', await readSchema(db, null)))!;
		expect(profile.prediction).toBeNull();
	});
});

describe('the segment builder', () => {
	it('offers the prediction fields with their horizons, and counts on them', async () => {
		const fields = await prepareBuilder(db, analysisDate, columns);
		expect(fields.available).toEqual(expect.arrayContaining([...PREDICTION_FIELDS]));
		expect(PREDICTION_FIELDS).toHaveLength(7);
		expect(fields.labels.expected_orders).toBe('Expected orders in the next 30 days');
		expect(fields.labels.p_order_next).toBe('Chance of an order in the next 30 days (%)');
		const one = (c: object) => ({ match: 'all' as const, groups: [{ match: 'all' as const, conditions: [c as never] }] });
		const [below30, lost, high, busy, likely] = await countSegments(db, [
			one({ field: 'p_alive', op: 'lt', value: 30 }),
			one({ field: 'likely_lost', op: 'yes' }),
			one({ field: 'high_predicted_value', op: 'yes' }),
			one({ field: 'expected_orders', op: 'ge', value: 0.5 }),
			one({ field: 'p_order_next', op: 'ge', value: 20 })
		]);
		const count = async (where: string) =>
			(await db.rows<{ n: number }>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM customer_predictions WHERE ${where}`))[0]!.n;
		expect(below30!.customers).toBe(await count('p_alive < 0.3'));
		expect(lost!.customers).toBe(report.selections.likelyLost);
		expect(high!.customers).toBe(report.selections.highValue);
		expect(busy!.customers).toBe(await count('expected_orders_30d >= 0.5'));
		expect(likely!.customers).toBe(await count('p_order_next_30d >= 0.2'));
		expect(likely!.customers).toBeGreaterThan(0);
		// Every single-purchase customer counts as active (P(alive) = 1), so "below 30 %" is repeat buyers only.
		expect(below30!.customers).toBeGreaterThan(0);
	});

	it('exports the prediction columns of a segment', async () => {
		await prepareBuilder(db, analysisDate, columns);
		await selectCustomers(db, { kind: 'segment', segment: 'Champions' });
		// DuckDB's Node build writes to the real disk: a temporary directory, removed afterwards.
		const dir = mkdtempSync(join(tmpdir(), 'rfm-predict-'));
		let lines: string[];
		try {
			const file = join(dir, 'champions.csv');
			await db.run(columnsExportSql(['customer_id', 'p_alive', 'expected_orders', 'predicted_value'], file));
			lines = new TextDecoder().decode(db.readFile(file)).trim().split('\n');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		expect(lines[0]).toBe('customer_id,p_alive,expected_orders,predicted_value');
		const [id, pAlive, orders, value] = lines[1]!.split(',');
		const stored = await prediction(id!);
		expect(Number(pAlive)).toBeCloseTo(Number(stored.p_alive), 4);
		expect(Number(orders)).toBeCloseTo(Number(stored.expected_orders_30d), 4);
		expect(Number(value)).toBeCloseTo(Number(stored.predicted_value), 2);
	});

	it('has no prediction fields without predictions (they are NULL, and match nobody)', async () => {
		const fields = await prepareBuilder(db, analysisDate, null);
		expect(fields.available).not.toContain('p_alive');
		expect(fields.labels).toEqual({});
		const [lost] = await countSegments(db, [
			{ match: 'all', groups: [{ match: 'all', conditions: [{ field: 'likely_lost', op: 'yes' }] }] }
		]);
		expect(lost!.customers).toBe(0);
	});

	it('takes new predictions on the same scoring by a join, with the same fields and counts as a full build', async () => {
		const full = await prepareBuilder(db, analysisDate, columns);
		const definitions = [
			{
				match: 'all' as const,
				groups: [{ match: 'all' as const, conditions: [{ field: 'predicted_value' as const, op: 'gt' as const, value: 50 }] }]
			},
			{ match: 'all' as const, groups: [{ match: 'all' as const, conditions: [{ field: 'likely_lost' as const, op: 'yes' as const }] }] }
		];
		const expected = await countSegments(db, definitions);
		expect(expected[0]!.customers).toBeGreaterThan(0);
		const without = await prepareBuilder(db, analysisDate, null);
		const refreshed = await refreshBuilderPredictions(db, without, columns);
		expect(refreshed).toEqual(full);
		expect(await countSegments(db, definitions)).toEqual(expected);
		// And back: predictions hidden by a warning take the fields away again.
		expect(await refreshBuilderPredictions(db, refreshed, null)).toEqual(without);
	});
});

describe('the segment table', () => {
	it('averages the predictions per RFM segment of the current scoring', async () => {
		const segments = await db.rows<SegmentPrediction>(segmentPredictionsSql(30));
		const expected = await db.rows<{ segment: string; customers: number; p: number; value: number }>(
			`SELECT s.segment, CAST(count(*) AS DOUBLE) AS customers, avg(p.p_alive) AS p, avg(p.predicted_value) AS value
			FROM customer_scores s JOIN customer_predictions p USING (customer_id) GROUP BY s.segment`
		);
		expect(segments.reduce((s, g) => s + g.customers, 0)).toBe(2357);
		for (const e of expected) {
			const g = segments.find((x) => x.segment === e.segment)!;
			expect(g.customers).toBe(e.customers);
			expect(g.pAlive).toBeCloseTo(e.p, 12);
			expect(g.predictedValue).toBeCloseTo(e.value, 8);
		}
		// Champions bought recently and often: more likely active than the customer base as a whole.
		const champions = segments.find((g) => g.segment === 'Champions')!;
		const all = (await db.rows<{ p: number }>('SELECT avg(p_alive) AS p FROM customer_predictions'))[0]!.p;
		expect(champions.pAlive!).toBeGreaterThan(all);
	});
});
