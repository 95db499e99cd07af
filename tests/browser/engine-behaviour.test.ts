/**
 * Behaviour segments and customer lists through the real engine worker: the calls the page makes
 * after a click on a segment, a cell or a behaviour segment.
 */
import { describe, expect, it } from 'vitest';
import { getEngine } from '../../src/lib/engine/client';
import { DEFAULT_BEHAVIOUR } from '../../src/lib/rfm/behaviour';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';

// The latest order is 2024-06-30, so the analysis date is 2024-07-01.
const ORDERS = [
	'Order ID,Customer ID,Order Date,Total',
	'1,ann,2024-06-20,300.00',
	'2,ann,2024-06-30,900.00',
	'3,bob,2023-01-10,20.00',
	'4,bob,2023-01-20,20.00',
	"5,o'neil,2024-06-15,50.00",
	'6,dan,2024-01-01,120.00'
].join('\n');

describe('engine worker: behaviour segments and customer lists', () => {
	it('summarises behaviour segments, lists their customers and rebuilds them after a rescore', async () => {
		const { api } = getEngine();
		const opened = await api.openFile(new File([ORDERS], 'orders.csv', { type: 'text/csv' }));
		await expect(api.listCustomers({ kind: 'all' }, { limit: 10 })).rejects.toThrow(/Analyse an order file first/);
		await api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });

		const summary = await api.behaviour(DEFAULT_BEHAVIOUR);
		const byId = Object.fromEntries(summary.map((s) => [s.id, s]));
		expect(byId['new']).toMatchObject({ customers: 2, orders: 3, revenue: 1250 });
		expect(byId['one-time']).toMatchObject({ customers: 2 });
		expect(byId['tier:Gold']).toMatchObject({ customers: 1, revenue: 1200, averageOrderValue: 600 });
		expect(byId['long-missing']).toMatchObject({ customers: 1 });

		const all = await api.listCustomers({ kind: 'all' }, { limit: 2 });
		expect(all.total).toBe(4);
		expect(all.rows.map((r) => [r.customer_id, r.revenue, r.first_order])).toEqual([
			['ann', 1200, '2024-06-20'],
			['dan', 120, '2024-01-01']
		]);
		const gold = await api.listCustomers({ kind: 'behaviour', id: 'tier:Gold' }, { limit: 10 });
		expect(gold.rows.map((r) => [r.customer_id, r.tier, r.next_order_due])).toEqual([['ann', 'Gold', '2024-07-10']]);
		const segment = all.rows[0]!.segment;
		const inSegment = await api.listCustomers({ kind: 'segment', segment }, { limit: 10, sort: { by: 'customer_id' } });
		expect(inSegment.rows.every((r) => r.segment === segment)).toBe(true);
		const cell = await api.listCustomers({ kind: 'cell', r: all.rows[0]!.r, f: all.rows[0]!.f }, { limit: 10 });
		expect(cell.rows.map((r) => r.customer_id)).toContain('ann');

		const text = new TextDecoder().decode(await api.exportSelection({ kind: 'behaviour', id: 'new' }));
		const [header, ...rows] = text.trim().split('\n');
		expect(header).toMatch(/^customer_id,.*,next_order_due,tier,previous_segment,segment_since$/);
		expect(rows.map((r) => r.split(',')[0])).toEqual(['ann', "o'neil"]);

		// A look-back window that drops bob: the behaviour list follows without calling behaviour() again.
		await api.rescore({ ...DEFAULT_SCORING, lookBack: { kind: 'months', months: 12 } }, GRID_MAP);
		const missing = await api.listCustomers({ kind: 'behaviour', id: 'long-missing' }, { limit: 10 });
		expect(missing).toEqual({ total: 0, rows: [] });
		const repeat = await api.listCustomers({ kind: 'behaviour', id: 'repeat' }, { limit: 10 });
		expect(repeat.rows.map((r) => r.customer_id)).toEqual(['ann']);
	});

	it('refuses thresholds it cannot use, with the reason', async () => {
		const { api } = getEngine();
		await expect(api.behaviour({ ...DEFAULT_BEHAVIOUR, topSpenderPercent: 0 })).rejects.toThrow(/Top spenders/);
	});
});
