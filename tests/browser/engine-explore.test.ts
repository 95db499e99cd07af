/**
 * The explore calls on the real engine worker: list windows, charts and profiles, and the rule
 * that explore reads wait their turn instead of cancelling the merchant's own steps.
 */
import { describe, expect, it } from 'vitest';
import { getEngine } from '../../src/lib/engine/client';
import { DEFAULT_SCORING, type RuleSet, type SegmentRule } from '../../src/lib/rfm/types';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import type { CustomerQuery } from '../../src/lib/rfm/explore';

/** 500 customers, customer k with (k % 4) + 1 orders of k + 1 each. */
function ordersCsv(): File {
	const lines = ['order_id,customer_id,order_date,amount'];
	let id = 0;
	for (let k = 0; k < 500; k++) {
		for (let o = 0; o <= k % 4; o++) lines.push(`${++id},K${String(k).padStart(3, '0')},2024-0${1 + (o % 9)}-1${k % 10},${k + 1}`);
	}
	return new File([lines.join('\n')], 'explore.csv', { type: 'text/csv' });
}

const everyone: CustomerQuery = { selection: { kind: 'all' }, sort: { by: 'revenue', descending: true }, search: '' };

describe('engine explore calls', () => {
	it('reads windows of the sorted list, charts and a profile', async () => {
		const { api } = getEngine();
		const opened = await api.openFile(ordersCsv());
		await api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });

		const first = await api.customerWindow(everyone, 0, 100);
		expect(first.total).toBe(500);
		expect(first.rows).toHaveLength(100);
		// Revenue of customer k is (k % 4 + 1) × (k + 1): the biggest is K499 (4 × 500).
		expect(first.rows[0]).toMatchObject({ customer_id: 'K499', frequency: 4, revenue: 2000, average_order: 500 });
		const deep = await api.customerWindow(everyone, 450, 100);
		expect(deep.rows).toHaveLength(50);
		const all = [...first.rows, ...(await api.customerWindow(everyone, 100, 350)).rows, ...deep.rows];
		expect(new Set(all.map((r) => r.customer_id)).size).toBe(500);
		expect(all.map((r) => r.revenue)).toEqual([...all.map((r) => r.revenue)].sort((a, b) => b - a));

		const searched = await api.customerWindow({ ...everyone, search: 'k00' }, 0, 100);
		expect(searched.total).toBe(10);

		const charts = await api.exploreCharts();
		const frequency = charts.histograms.find((h) => h.metric === 'frequency')!;
		expect(frequency.bins.map((b) => [b.from, b.customers])).toEqual([
			[1, 125],
			[2, 125],
			[3, 125],
			[4, 125]
		]);
		expect(charts.concentration.at(-1)!.revenueShare).toBeCloseTo(1, 12);

		const profile = (await api.customerProfile('K003'))!;
		expect(profile.customer).toMatchObject({ frequency: 4, revenue: 16 });
		expect(profile.orders).toHaveLength(4);
		// Where they were: computed for everyone on the first profile (its values: tests/unit/journeys.test.ts).
		expect(profile.past?.segmentSince).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(profile.past!.previousSegment.length).toBeGreaterThan(0);
		expect(await api.customerProfile('nobody')).toBeNull();
	});

	it('a list read queued behind a rescore lets it finish, and then sees the new scores', async () => {
		const { api } = getEngine();
		// One rule on a 1–3 scale that takes everyone: the list must show it once the rescore is done.
		const everyoneRule: SegmentRule = { ...GRID_MAP.rules[0]!, name: 'Everyone', recency: [1, 3], frequency: [1, 3], monetary: [1, 3] };
		const ruleSet: RuleSet = { ...structuredClone(GRID_MAP), levels: 3, rules: [everyoneRule] };
		const rescore = api.rescore({ ...DEFAULT_SCORING, levels: 3 }, ruleSet);
		const window = api.customerWindow(everyone, 0, 10);
		const [rfm, rows] = await Promise.all([rescore, window]);
		expect(rfm.settings.levels).toBe(3);
		// The window of the rescored list: all 500 customers, the first 10 read, each in the new rule on the 1–3 scale.
		expect(rows.total).toBe(500);
		expect(rows.rows.map((r) => r.segment)).toEqual(Array(10).fill('Everyone'));
		expect(rows.rows.map((r) => r.r).filter((r) => r >= 1 && r <= 3)).toHaveLength(10);
	});
});
