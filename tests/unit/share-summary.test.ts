import { describe, expect, it } from 'vitest';
import { buildSummary, decodeSummary, encodeSummary, summaryCurrency } from '../../src/lib/share/summary';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import type { Headline, MatrixCell, SegmentSummary } from '../../src/lib/rfm/analysis';

const headline = {
	customers: 3,
	orders: 5,
	revenue: 123.45,
	firstOrder: '2024-01-01',
	lastOrder: '2024-06-30',
	analysisDate: '2024-07-01',
	windowFrom: null,
	windowTo: '2024-07-01'
} as unknown as Headline;
const matrix: MatrixCell[] = [{ r: 5, f: 1, customers: 3, orders: 5, revenue: 123.45, segment: 'New Customers' }];
// Extra fields a caller might pass by mistake (a customer list) must not travel.
const segments = [
	{
		segment: 'New Customers',
		color: '#123456',
		customers: 3,
		customerShare: 1,
		orders: 5,
		revenue: 123.45,
		revenueShare: 1,
		averageOrderValue: 24.69,
		averageRecencyDays: 10,
		customerIds: ['C-1', 'C-2', 'C-3']
	}
] as unknown as SegmentSummary[];

describe('summary links', () => {
	const summary = buildSummary({
		title: 'Demo store',
		currency: 'EUR',
		headline,
		scoring: DEFAULT_SCORING,
		ruleSet: { id: 'grid', name: 'R×F grid' },
		matrix,
		segments
	});

	it('carry only aggregates: no field outside the summary, no customer id', async () => {
		expect(JSON.stringify(summary)).not.toContain('C-1');
		const encoded = await encodeSummary(summary);
		expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
		expect(await decodeSummary(encoded)).toEqual(summary);
	});

	it('explain a damaged or foreign link', async () => {
		const encoded = await encodeSummary(summary);
		await expect(decodeSummary(encoded.slice(0, 20))).rejects.toThrow(/damaged/);
		const foreign = await encodeSummary({ ...summary, v: 2 } as unknown as typeof summary);
		await expect(decodeSummary(foreign)).rejects.toThrow(/not one RFM Studio can read/);
	});
});

describe('summary links without small groups (issue 20, finding 6)', () => {
	const cells: MatrixCell[] = [
		{ r: 5, f: 5, customers: 1, orders: 4, revenue: 1184.9, segment: 'Champions' },
		{ r: 4, f: 2, customers: 4, orders: 7, revenue: 2000, segment: 'Potential Loyalist' },
		{ r: 1, f: 1, customers: 5, orders: 5, revenue: 250, segment: 'Hibernating' },
		{ r: 2, f: 1, customers: 0, orders: 0, revenue: 0, segment: 'Hibernating' }
	];
	const groups = [
		{
			segment: 'Champions',
			color: '#1b7837',
			customers: 1,
			customerShare: 0.1,
			orders: 4,
			revenue: 1184.9,
			revenueShare: 0.35,
			averageOrderValue: 296.2,
			averageRecencyDays: 1
		},
		{
			segment: 'Hibernating',
			color: '#9e9e9e',
			customers: 5,
			customerShare: 0.5,
			orders: 5,
			revenue: 250,
			revenueShare: 0.07,
			averageOrderValue: 50,
			averageRecencyDays: 300
		}
	] as SegmentSummary[];
	const shared = buildSummary({
		title: 'Shop',
		currency: 'EUR',
		headline,
		scoring: DEFAULT_SCORING,
		ruleSet: { id: 'grid', name: 'R×F grid' },
		matrix: cells,
		segments: groups
	});

	it('withholds the figures of cells and segments with fewer than 5 customers, keeps the others and the currency', async () => {
		expect(shared.currency).toBe('EUR');
		expect(shared.matrix).toEqual([
			{ r: 5, f: 5, customers: 0, orders: 0, revenue: 0, segment: 'Champions', fewerThan: 5 },
			{ r: 4, f: 2, customers: 0, orders: 0, revenue: 0, segment: 'Potential Loyalist', fewerThan: 5 },
			{ r: 1, f: 1, customers: 5, orders: 5, revenue: 250, segment: 'Hibernating' },
			{ r: 2, f: 1, customers: 0, orders: 0, revenue: 0, segment: 'Hibernating' }
		]);
		expect(shared.segments[0]).toEqual({
			segment: 'Champions',
			color: '#1b7837',
			customers: 0,
			customerShare: 0,
			orders: 0,
			revenue: 0,
			revenueShare: 0,
			averageOrderValue: 0,
			averageRecencyDays: 0,
			fewerThan: 5
		});
		expect(shared.segments[1]!.revenue).toBe(250);
		// Nothing of the one-customer cell travels: not its orders, not its spend.
		const text = JSON.stringify(shared);
		expect(text).not.toContain('1184.9');
		expect(text).not.toContain('296.2');
		expect(await decodeSummary(await encodeSummary(shared))).toEqual(shared);
	});

	it('masks a small cell in a hand-made link too', async () => {
		const forged = { ...shared, matrix: [{ r: 5, f: 5, customers: 2, orders: 3, revenue: 99, segment: 'Champions' }] };
		const read = await decodeSummary(await encodeSummary(forged));
		expect(read.matrix).toEqual([{ r: 5, f: 5, customers: 0, orders: 0, revenue: 0, segment: 'Champions', fewerThan: 5 }]);
	});
});

describe('the currency of a summary link', () => {
	it('is the scored currency, else the only one in a currency column, else what the amounts said', () => {
		expect(summaryCurrency({ scoredCurrency: 'USD', currencies: [{ currency: 'EUR' }, { currency: 'USD' }] }, null)).toBe('USD');
		// The real Shopify export: one currency column value, EUR, and no symbol in the amounts.
		expect(summaryCurrency({ scoredCurrency: null, currencies: [{ currency: 'EUR' }] }, null)).toBe('EUR');
		expect(summaryCurrency({ scoredCurrency: null, currencies: [] }, 'GBP')).toBe('GBP');
		expect(summaryCurrency({ scoredCurrency: null, currencies: [{ currency: 'euro' }] }, null)).toBeNull();
	});
});
