import { describe, expect, it } from 'vitest';
import { buildSummary, decodeSummary, encodeSummary } from '../../src/lib/share/summary';
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
