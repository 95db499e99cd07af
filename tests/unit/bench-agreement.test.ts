/**
 * The benchmark's agreement checks can fail (issue 21): a field one result lacks is a difference,
 * never skipped, and the History suite's figures compare the same way.
 */
import { describe, expect, it } from 'vitest';
import { compareSummaries, missingFields, type ResultSummary } from '../bench/pipeline';
import { BROWSER_FIGURE, compareFigures, type HistoryFigures } from '../bench/history-compare';

const full: ResultSummary = {
	rowsRead: 2000,
	rowsUsed: 2000,
	customers: 455,
	orders: 2000,
	revenue: 123456.78,
	analysisDate: '2025-01-01',
	matrix: {
		'5:5': { customers: 40, revenue: 9000.5, segment: 'Champions' },
		'1:1': { customers: 90, revenue: 1200, segment: 'Hibernating' }
	}
};

describe('matrix suite: compareSummaries and missingFields', () => {
	it('agrees with an identical result, and within 1e-9 on revenue', () => {
		expect(compareSummaries(full, { ...full, revenue: 123456.78 * (1 + 1e-12) })).toEqual([]);
		expect(missingFields(full)).toEqual([]);
	});

	it('reports a field one side lacks instead of skipping it (an uncaptured browser run)', () => {
		const uncaptured: ResultSummary = {
			...full,
			rowsRead: null,
			rowsUsed: null,
			customers: null,
			orders: null,
			revenue: null,
			analysisDate: null
		};
		expect(compareSummaries(full, uncaptured)).toEqual([
			'rowsRead: 2000 vs missing',
			'rowsUsed: 2000 vs missing',
			'customers: 455 vs missing',
			'orders: 2000 vs missing',
			'revenue: 123456.78 vs missing',
			'analysisDate: 2025-01-01 vs missing'
		]);
		expect(missingFields(uncaptured)).toEqual(['rowsRead', 'rowsUsed', 'customers', 'orders', 'revenue', 'analysisDate']);
		expect(missingFields({ ...full, matrix: {} })).toEqual(['matrix']);
	});

	it('reports a differing field and cell', () => {
		expect(
			compareSummaries(full, {
				...full,
				analysisDate: '2025-01-02',
				matrix: { ...full.matrix, '5:5': { customers: 41, revenue: 9000.5, segment: 'Champions' } }
			})
		).toEqual(['analysisDate: 2025-01-01 vs 2025-01-02', 'cell R5 F5: 40 customers/9000.50/Champions vs 41/9000.50/Champions']);
	});
});

describe('history suite: compareFigures', () => {
	const engine: HistoryFigures = new Map<string, number | string>([
		['matrix R5 F5 customers', 40],
		['periods', 24],
		['2024-12 Champions customers', 38],
		['migration At Risk → Champions customers', 3],
		['migration At Risk → Champions revenue', 310.5]
	]);

	it('agrees with the same figures, and reports a changed or missing one', () => {
		expect(compareFigures(engine, new Map(engine))).toEqual([]);
		const other = new Map(engine);
		other.set('periods', 23);
		other.delete('2024-12 Champions customers');
		expect(compareFigures(engine, other)).toEqual(['2024-12 Champions customers: 38 vs missing', 'periods: 24 vs 23']);
	});

	it('compares the browser on what its page shows, each of which must be there', () => {
		const page: HistoryFigures = new Map<string, number | string>([
			['matrix R5 F5 customers', 40],
			['periods', 24],
			['migration At Risk → Champions customers', 3]
		]);
		expect(compareFigures(engine, page, BROWSER_FIGURE)).toEqual([]);
		page.delete('migration At Risk → Champions customers');
		expect(compareFigures(engine, page, BROWSER_FIGURE)).toEqual(['migration At Risk → Champions customers: 3 vs missing']);
	});
});
