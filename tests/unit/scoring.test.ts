import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeThresholds, customerScoresSql } from '../../src/lib/rfm/analysis';
import {
	balancedBands,
	balancedBins,
	distributionSql,
	DISTRIBUTION_BUCKETS,
	rBands,
	scoreCaseSql,
	validateScoring,
	type ValueGroup
} from '../../src/lib/rfm/scoring';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING, METRICS, type Metric } from '../../src/lib/rfm/types';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';
import { bruteForceBest, cost, DATASETS, expectScoringProperties, groupsOf, random } from './scoring-properties';

describe('balancedBins', () => {
	it('splits ties-free uniform data into equal bins', () => {
		const groups = groupsOf(Array.from({ length: 100 }, (_, i) => i));
		expect(balancedBins(groups, 5).map((b) => [b.lo, b.hi, b.count])).toEqual([
			[0, 19, 20],
			[20, 39, 20],
			[40, 59, 20],
			[60, 79, 20],
			[80, 99, 20]
		]);
	});

	it('keeps a value holding most customers in one bin and splits the rest', () => {
		// 60 one-order customers, then 20, 10, 5, 3, 2 with 2..6 orders.
		const groups: ValueGroup[] = [60, 20, 10, 5, 3, 2].map((count, i) => ({ lo: i + 1, hi: i + 1, count }));
		expect(balancedBins(groups, 5).map((b) => [b.lo, b.hi, b.count])).toEqual([
			[1, 1, 60],
			[2, 2, 20],
			[3, 3, 10],
			[4, 4, 5],
			[5, 6, 5]
		]);
	});

	it('returns one bin per group when there are fewer groups than levels, and none for no data', () => {
		const groups: ValueGroup[] = [
			{ lo: 1, hi: 1, count: 5 },
			{ lo: 2, hi: 2, count: 1 }
		];
		expect(balancedBins(groups, 5)).toEqual(groups);
		expect(balancedBins([], 5)).toEqual([]);
		expect(balancedBins([{ lo: 3, hi: 3, count: 9 }], 5)).toEqual([{ lo: 3, hi: 3, count: 9 }]);
	});

	it('reaches the brute-force optimum of its objective on small random inputs', () => {
		const rnd = random(7);
		for (let trial = 0; trial < 400; trial++) {
			const d = 1 + Math.floor(rnd() * 11);
			// Skewed counts: mostly small, sometimes one group with most customers.
			const counts = Array.from({ length: d }, () => (rnd() < 0.15 ? 200 + Math.floor(rnd() * 800) : 1 + Math.floor(rnd() * rnd() * 40)));
			const groups = counts.map((count, i) => ({ lo: i * 10, hi: i * 10 + (rnd() < 0.3 ? 5 : 0), count }));
			const levels = 2 + Math.floor(rnd() * 5);
			const bins = balancedBins(groups, levels);
			const k = Math.min(levels, d);
			expect(bins).toHaveLength(k);
			const got = cost(bins.map((b) => b.count));
			const best = bruteForceBest(counts, k);
			expect(Math.abs(got - best), `counts ${counts.join(',')} levels ${levels}`).toBeLessThan(1e-6 * Math.max(1, best));
		}
	});

	for (const [name, generate] of Object.entries(DATASETS)) {
		it(`makes contiguous, non-empty bins covering every group (${name})`, () => {
			const groups = groupsOf(generate(random(name.length * 31), 2000));
			for (const levels of [3, 4, 5, 9]) {
				const bins = balancedBins(groups, levels);
				expect(bins).toHaveLength(Math.min(levels, groups.length));
				expect(bins.reduce((s, b) => s + b.count, 0)).toBe(2000);
				// Bins tile the groups in order: each starts at the group after the previous bin's end.
				let g = 0;
				for (const bin of bins) {
					expect(bin.count).toBeGreaterThan(0);
					expect(bin.lo).toBe(groups[g]!.lo);
					let count = 0;
					while (g < groups.length && groups[g]!.hi <= bin.hi) count += groups[g++]!.count;
					expect(count).toBe(bin.count);
				}
				expect(g).toBe(groups.length);
			}
		});
	}
});

describe('balancedBands', () => {
	const bins: ValueGroup[] = [
		{ lo: 1, hi: 3, count: 10 },
		{ lo: 4, hi: 9, count: 12 },
		{ lo: 10, hi: 40, count: 8 }
	];

	it('scores 1..bins from the lowest values, recency reversed', () => {
		expect(balancedBands('frequency', bins)).toEqual([
			{ score: 1, lower: 1, upper: 3, upperInclusive: true, customers: 10 },
			{ score: 2, lower: 4, upper: 9, upperInclusive: true, customers: 12 },
			{ score: 3, lower: 10, upper: 40, upperInclusive: true, customers: 8 }
		]);
		expect(balancedBands('recency', bins).map((b) => b.score)).toEqual([3, 2, 1]);
		expect(balancedBands('monetary', [{ lo: 5, hi: 5, count: 4 }]).map((b) => b.score)).toEqual([1]);
		expect(balancedBands('recency', [{ lo: 5, hi: 5, count: 4 }]).map((b) => b.score)).toEqual([1]);
	});
});

describe('scoreCaseSql', () => {
	it('writes closed bins as upper bounds, the last bin as ELSE', () => {
		const bands = balancedBands('recency', [
			{ lo: 1, hi: 3, count: 1 },
			{ lo: 4, hi: 9.5, count: 1 },
			{ lo: 10, hi: 40, count: 1 }
		]);
		expect(scoreCaseSql('recency_days', bands)).toBe('CASE WHEN recency_days <= 3 THEN 3 WHEN recency_days <= 9.5e+0 THEN 2 ELSE 1 END');
		expect(scoreCaseSql('x', [])).toBe('NULL');
	});

	it('writes half-open R bins as lower bounds and skips empty bins', () => {
		// Breaks 4, 4, 6 coincide: the bin [4, 4) is empty and its score never appears.
		const bands = rBands('frequency', [2, 4, 4, 6], 1, 9);
		expect(bands.map((b) => [b.score, b.lower, b.upper])).toEqual([
			[1, 1, 2],
			[2, 2, 4],
			[3, 4, 4],
			[4, 4, 6],
			[5, 6, 10]
		]);
		expect(scoreCaseSql('frequency', bands)).toBe(
			'CASE WHEN frequency >= 6 THEN 5 WHEN frequency >= 4 THEN 4 WHEN frequency >= 2 THEN 2 WHEN frequency >= 1 THEN 1 ELSE 1 END'
		);
		expect(rBands('recency', [2, 4], 1, 9).map((b) => b.score)).toEqual([3, 2, 1]);
	});
});

describe('validateScoring', () => {
	it('accepts 3, 4 or 5 levels and ISO analysis dates only', () => {
		expect(validateScoring(DEFAULT_SCORING)).toBeNull();
		expect(validateScoring({ ...DEFAULT_SCORING, method: 'r-rfm', levels: 3, analysisDate: '2024-12-31' })).toBeNull();
		for (const levels of [1, 2, 6, 9, 4.5]) expect(validateScoring({ ...DEFAULT_SCORING, levels })).toBe('Score levels must be 3, 4 or 5.');
		expect(validateScoring({ ...DEFAULT_SCORING, analysisDate: "2024-01-01'; DROP TABLE orders; --" })).toBe(
			'The analysis date must be a date like 2024-12-31.'
		);
	});
});

describe('balanced scoring on DuckDB', () => {
	let db: WasmTestDb;
	beforeAll(async () => {
		db = await openWasmDb();
	});
	afterAll(() => db.close());

	/** Loads metric columns into customer_metrics, scores them, and returns the thresholds and scores. */
	async function scoreMetrics(metrics: Record<Metric, number[]>, levels: number) {
		const n = metrics.recency.length;
		const csv = Array.from({ length: n }, (_, i) => `${i},${metrics.recency[i]},${metrics.frequency[i]},${metrics.monetary[i]}`);
		db.registerText('metrics.csv', `customer_id,recency_days,frequency,monetary\n${csv.join('\n')}\n`);
		await db.run(`CREATE OR REPLACE TABLE customer_metrics AS SELECT * FROM read_csv('metrics.csv', header = true,
			columns = {'customer_id': 'VARCHAR', 'recency_days': 'INTEGER', 'frequency': 'INTEGER', 'monetary': 'DOUBLE'})`);
		const settings = { ...DEFAULT_SCORING, levels };
		const thresholds = await computeThresholds(db, settings);
		await db.run(customerScoresSql(thresholds, GRID_MAP));
		const scores = await db.rows<{ recency_days: number; frequency: number; monetary: number; r: number; f: number; m: number }>(
			'SELECT recency_days, frequency, monetary, r, f, m FROM customer_scores'
		);
		return { thresholds, scores };
	}

	it('keeps every scoring property on each generated data set and level count', async () => {
		const names = Object.keys(DATASETS);
		for (const [i, name] of names.entries()) {
			const rnd = random(100 + i);
			const n = 800;
			const metrics = {
				recency: DATASETS[name]!(rnd, n).map((v) => Math.abs(Math.round(v))),
				frequency: DATASETS[names[(i + 1) % names.length]!]!(rnd, n).map((v) => Math.max(1, Math.abs(Math.round(v)))),
				monetary: DATASETS[names[(i + 2) % names.length]!]!(rnd, n)
			};
			for (const levels of [3, 5]) {
				const { thresholds, scores } = await scoreMetrics(metrics, levels);
				expect(scores).toHaveLength(n);
				for (const metric of METRICS) {
					const column = { recency: 'recency_days', frequency: 'frequency', monetary: 'monetary' } as const;
					const score = { recency: 'r', frequency: 'f', monetary: 'm' } as const;
					const pairs = scores.map((s) => ({ value: s[column[metric]], score: s[score[metric]] }));
					expectScoringProperties(metric, pairs, levels);
					// Under 1,000 customers every distinct value is its own group: the bins are the exact optimum.
					const exact = balancedBins(groupsOf(pairs.map((p) => p.value)), levels);
					expect(thresholds[metric].map((b) => [b.lower, b.upper])).toEqual(exact.map((b) => [b.lo, b.hi]));
					const perScore = new Map<number, number>();
					for (const p of pairs) perScore.set(p.score, (perScore.get(p.score) ?? 0) + 1);
					expect([...perScore.values()].reduce((a, b) => a + b, 0)).toBe(n);
					for (const band of thresholds[metric])
						expect(perScore.get(band.score), `${name} ${metric} ${band.score}`).toBe(exact.find((b) => b.lo === band.lower)!.count);
				}
			}
		}
	});

	it('returns each distinct value as its own group below 1,000 customers', async () => {
		await db.run(`CREATE OR REPLACE TABLE small_metrics AS SELECT i AS customer_id, CAST(i % 7 AS INTEGER) AS recency_days,
			CAST(1 + (i % 3) AS INTEGER) AS frequency, CAST(i * 0.5 AS DOUBLE) AS monetary FROM range(999) t(i)`);
		const rows = await db.rows<{ metric: Metric; lo: number; hi: number; count: number }>(distributionSql('small_metrics'));
		expect(rows.filter((r) => r.metric === 'frequency')).toEqual([
			{ metric: 'frequency', lo: 1, hi: 1, count: 333 },
			{ metric: 'frequency', lo: 2, hi: 2, count: 333 },
			{ metric: 'frequency', lo: 3, hi: 3, count: 333 }
		]);
		expect(rows.filter((r) => r.metric === 'monetary')).toHaveLength(999);
		expect(rows.filter((r) => r.metric === 'recency').every((r) => r.lo === r.hi)).toBe(true);
	});

	it('buckets large distributions into at most DISTRIBUTION_BUCKETS + 9 groups, ties never split', async () => {
		await db.run(`CREATE OR REPLACE TABLE big_metrics AS SELECT i AS customer_id, CAST(i % 5000 AS INTEGER) AS recency_days,
			CAST(1 AS INTEGER) AS frequency, CAST(i AS DOUBLE) AS monetary FROM range(50000) t(i)`);
		const rows = await db.rows<{ metric: Metric; lo: number; hi: number; count: number }>(distributionSql('big_metrics'));
		const monetary = rows.filter((r) => r.metric === 'monetary');
		expect(monetary.length).toBeLessThanOrEqual(DISTRIBUTION_BUCKETS + 9);
		expect(monetary.reduce((s, r) => s + r.count, 0)).toBe(50000);
		// Recency repeats each value 10 times: a bucket's count is a multiple of 10 (no tie split).
		const recency = rows.filter((r) => r.metric === 'recency');
		expect(recency.every((r) => r.count % 10 === 0 && r.count === (r.hi - r.lo + 1) * 10)).toBe(true);
		expect(rows.filter((r) => r.metric === 'frequency')).toEqual([{ metric: 'frequency', lo: 1, hi: 1, count: 50000 }]);
	});

	// Regression: with 10,000 customers, frequencies 4, 5 and 6 (7, 2 and 1 customers) fell into one
	// 0.1% bucket, leaving 4 groups for 5 levels: F5 was never given although there are 6 distinct values.
	it('gives every score when rare top values share a 0.1% bucket (10,000 customers, 97% one-order)', async () => {
		const frequency = [...Array(9700).fill(1), ...Array(250).fill(2), ...Array(40).fill(3), ...Array(7).fill(4), ...Array(2).fill(5), 6];
		const n = frequency.length;
		const rnd = random(3);
		const metrics = {
			recency: Array.from({ length: n }, () => Math.floor(rnd() * 700)),
			frequency,
			monetary: frequency.map((f) => f * 20 + Math.round(rnd() * 30))
		};
		const { thresholds, scores } = await scoreMetrics(metrics, 5);
		expect(thresholds.frequency.map((b) => [b.score, b.lower, b.upper])).toEqual([
			[1, 1, 1],
			[2, 2, 2],
			[3, 3, 3],
			[4, 4, 4],
			[5, 5, 6]
		]);
		expectScoringProperties(
			'frequency',
			scores.map((s) => ({ value: s.frequency, score: s.f })),
			5
		);
	});
});
