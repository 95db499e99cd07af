/**
 * Shared by the scoring and pipeline tests: seeded data generators, the balanced-bins objective
 * with a brute-force optimum, and the design's scoring properties as assertions.
 */
import { expect } from 'vitest';
import type { ValueGroup } from '../../src/lib/rfm/scoring';
import type { Metric } from '../../src/lib/rfm/types';
import { seededRandom } from '../support/random';

export const random = seededRandom;

/** Ascending value groups with customer counts, as the distribution query returns them for small data. */
export function groupsOf(values: readonly number[]): ValueGroup[] {
	const counts = new Map<number, number>();
	for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
	return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([v, count]) => ({ lo: v, hi: v, count }));
}

/** The objective balancedBins minimises: squared distance of each bin's size from total / bins. */
export function cost(sizes: readonly number[]): number {
	const total = sizes.reduce((a, b) => a + b, 0);
	const ideal = total / sizes.length;
	return sizes.reduce((s, n) => s + (n - ideal) ** 2, 0);
}

/** The least cost over every split of the groups into k contiguous non-empty bins (brute force). */
export function bruteForceBest(counts: readonly number[], k: number): number {
	let best = Infinity;
	const walk = (start: number, binsLeft: number, sizes: number[]) => {
		if (binsLeft === 1) {
			const size = counts.slice(start).reduce((a, b) => a + b, 0);
			best = Math.min(best, cost([...sizes, size]));
			return;
		}
		// Leave at least one group for each later bin.
		for (let end = start + 1; end <= counts.length - (binsLeft - 1); end++) {
			walk(end, binsLeft - 1, [...sizes, counts.slice(start, end).reduce((a, b) => a + b, 0)]);
		}
	};
	walk(0, k, []);
	return best;
}

/** Generated customer metric values, skewed the way order data is. */
export const DATASETS: Record<string, (rnd: () => number, n: number) => number[]> = {
	// 60% one-order customers, a geometric tail of repeat buyers.
	frequency60: (rnd, n) =>
		Array.from({ length: n }, () => {
			if (rnd() < 0.6) return 1;
			let f = 2;
			while (rnd() < 0.45 && f < 60) f++;
			return f;
		}),
	// Long-tailed monetary (log-normal), rounded to whole units so many customers tie.
	monetaryLongTail: (rnd, n) =>
		Array.from({ length: n }, () => {
			const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
			return Math.round(Math.exp(3.5 + 1.3 * z));
		}),
	// Recency in days with clusters (campaign days) and a long quiet tail.
	recencyClustered: (rnd, n) =>
		Array.from({ length: n }, () => {
			const u = rnd();
			if (u < 0.3) return 1 + Math.floor(rnd() * 3);
			if (u < 0.5) return 30;
			return Math.floor(-Math.log(1 - rnd()) * 200);
		}),
	// A handful of distinct values, heavily tied.
	manyTies: (rnd, n) => Array.from({ length: n }, () => [0, 10, 10, 10, 10, 10, 20, 20, 35][Math.floor(rnd() * 9)]!),
	// Exactly five distinct values, one of them holding 90% of customers.
	fiveDistinctSkewed: (rnd, n) =>
		Array.from({ length: n }, () => {
			const u = rnd();
			return u < 0.9 ? 1 : u < 0.95 ? 2 : u < 0.98 ? 3 : u < 0.99 ? 4 : 5;
		}),
	// Fewer distinct values than levels.
	threeDistinct: (rnd, n) => Array.from({ length: n }, () => 1 + Math.floor(rnd() * rnd() * 3)),
	// Every customer the same.
	oneDistinct: (_rnd, n) => Array.from({ length: n }, () => 7),
	// Negative and fractional amounts (refunds) among positives.
	withRefunds: (rnd, n) => Array.from({ length: n }, () => Math.round((rnd() < 0.05 ? -1 : 1) * rnd() * rnd() * 50000) / 100)
};

/**
 * Checks the design's scoring properties on (value, score) pairs of one metric:
 * equal values share a score, scores are monotone (reversed for recency), no score is skipped,
 * scores run 1..min(levels, distinct values).
 */
export function expectScoringProperties(metric: Metric, pairs: readonly { value: number; score: number }[], levels: number) {
	const byValue = new Map<number, Set<number>>();
	for (const p of pairs) byValue.set(p.value, (byValue.get(p.value) ?? new Set()).add(p.score));
	const split = [...byValue].filter(([, scores]) => scores.size > 1).map(([value, scores]) => `${value}: ${[...scores].join('/')}`);
	expect(split, `${metric}: values with more than one score`).toEqual([]);

	const ascending = [...byValue.entries()].sort((a, b) => a[0] - b[0]).map(([value, s]) => ({ value, score: [...s][0]! }));
	const direction = metric === 'recency' ? -1 : 1;
	const reversals = ascending.filter((x, i) => i > 0 && (x.score - ascending[i - 1]!.score) * direction < 0).map((x) => x.value);
	expect(reversals, `${metric}: values scored out of order`).toEqual([]);

	const used = [...new Set(ascending.map((x) => x.score))].sort((a, b) => a - b);
	if (byValue.size >= levels) {
		const expected = Array.from({ length: levels }, (_, i) => i + 1);
		expect(used, `${metric}: scores used`).toEqual(expected);
	} else if (byValue.size > 1) {
		// Fewer distinct values than levels: spread over the scale, the best value on the top score (issue 20).
		const best = metric === 'recency' ? ascending[0]! : ascending.at(-1)!;
		expect(best.score, `${metric}: the best value's score`).toBe(levels);
	}
}
