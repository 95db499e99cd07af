/**
 * Each repeat-purchase answer as a CSV the merchant downloads, written by the one rule every CSV
 * built in TypeScript follows (`csvLine`: quoting, formula cells neutralised). Rates are fractions
 * (0.25, not 25 %), money in the file's units, so a spreadsheet can compute with them.
 */
import { csvLine } from '../csv-safe';
import { COHORT_VALUE_CSV_COLUMNS } from './cohort-value';
import { DISCOUNT_GROUPS } from './discounts';
import { FIRST_ORDER_CSV_COLUMNS, firstOrderCsvRow } from './first-order';
import type { JourneyAnswer } from './journeys-runner';
import { ORDER_GAPS_CSV_COLUMNS } from './order-gaps';

export const NEXT_ITEMS_CSV_COLUMNS = ['from_item', 'to_item', 'customers', 'share_of_from', 'lift'] as const;
export const DISCOUNTS_CSV_COLUMNS = ['segment', 'discount_group', 'customers'] as const;

/** The answer's CSV text, header first. */
export function journeyCsv(answer: JourneyAnswer): string {
	const lines: string[] = [];
	const row = (cells: (string | number | null)[]) => lines.push(csvLine(cells));
	switch (answer.question) {
		case 'next':
			row([...NEXT_ITEMS_CSV_COLUMNS]);
			for (const n of answer.next.next) row([n.from_item, n.to_item, n.customers, n.share_of_from, n.lift]);
			break;
		case 'first':
			row([...FIRST_ORDER_CSV_COLUMNS]);
			for (const g of answer.first.groups) {
				const r = firstOrderCsvRow(g);
				row(FIRST_ORDER_CSV_COLUMNS.map((c) => r[c]));
			}
			break;
		case 'gaps':
			row([...ORDER_GAPS_CSV_COLUMNS]);
			for (const g of answer.gaps.gaps) row(ORDER_GAPS_CSV_COLUMNS.map((c) => g[c]));
			break;
		case 'cohorts':
			row([...COHORT_VALUE_CSV_COLUMNS]);
			for (const c of answer.cohorts)
				for (const p of c.points) row([c.cohort, p.monthsSinceFirst, p.customers, p.cumulativeRevenuePerCustomer]);
			break;
		case 'discounts':
			row([...DISCOUNTS_CSV_COLUMNS]);
			for (const g of answer.discounts.groups) row(['All customers', g.group, g.customers]);
			for (const s of answer.discounts.segments) for (const group of DISCOUNT_GROUPS) row([s.segment, group, s.counts[group]]);
			break;
	}
	return lines.join('\n') + '\n';
}

/** The file name suffix of each answer's download (`orders-next-purchases.csv`). */
export const JOURNEY_CSV_SUFFIX: Record<JourneyAnswer['question'], string> = {
	next: 'next-purchases',
	first: 'first-orders',
	gaps: 'time-between-orders',
	cohorts: 'cohort-value',
	discounts: 'discounts'
};
