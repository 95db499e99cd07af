/**
 * Messages about a whole import, in the merchant's words: what is wrong, where, and what to do.
 */
import type { IngestReport } from './report';

const fmt = new Intl.NumberFormat('en');

/** The date formats we read, named in messages about unreadable dates. */
export const DATE_FORMATS_READ =
	'2024-03-01 (with or without a time), 03/01/2024 and 01/03/2024, 01.03.2024, 20240301, Mar 3, 2024, 3 March 2024, spreadsheet day numbers and Unix timestamps';

/**
 * Why a read file gave no orders to score, and what to do. Every row is accounted for: by the
 * reasons they were excluded, or as returns (a refunds-only export has nothing else).
 */
export function nothingToScoreMessage(report: IngestReport): string {
	const rows = fmt.format(report.rowsRead);
	if (report.excluded.length === 0 && report.returns.rows > 0)
		return `All ${rows} rows of this file are refunds, cancellations or credits (negative amounts), which only net out of customers' revenue: there are no orders to score. Drop your orders export (the one with the sales), or both files together.`;
	if (report.excluded.length === 0)
		return `None of the ${rows} rows held an order to score. Check the column choices in the mapping panel below, or drop your orders export.`;
	const reasons = report.excluded.map((e) => `${e.label.toLowerCase()}: ${fmt.format(e.rows)} rows`).join('; ');
	const top = report.excluded[0]!.reason;
	const advice =
		top === 'unreadable_date'
			? `The order date column holds no date we read (we read ${DATE_FORMATS_READ}). Pick the column with the order dates in the mapping panel below.`
			: top === 'unreadable_amount'
				? 'The amount column holds no number we read. Pick the column with the order totals in the mapping panel below.'
				: top === 'no_customer'
					? 'The customer column is empty. Pick the column with the customer e-mail or id in the mapping panel below.'
					: top === 'implausible_date'
						? 'Every order date is before 1990 or in the future. Check that the order date column is the right one in the mapping panel below.'
						: 'Check the column choices in the mapping panel below, or the statuses counted as sales.';
	return `None of the ${rows} rows could be used (${reasons}). ${advice}`;
}
