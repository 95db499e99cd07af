/**
 * The import report: every row of the file(s) accounted for — in a counted order, netted out as a
 * return, or excluded with a reason — with the orders, customers and revenue found.
 */
import { EXCLUSION_COUNTS_SQL, EXCLUSION_LABELS, type ExclusionReason } from './ingest-sql';
import { LAYOUTS, type LayoutId } from './layouts';
import { REJECTED_COUNTS_SQL } from './rejects';
import type { SqlRunner } from '../rfm/analysis';

export interface ExclusionCount {
	reason: ExclusionReason;
	label: string;
	rows: number;
	/** The amounts of those rows (order totals for whole orders), as read; 0 when unreadable. */
	revenue: number;
}

export interface IngestReport {
	/** Which layout read the file(s), and the files in the order they were appended. */
	layout: LayoutId;
	layoutLabel: string;
	files: string[];
	rowsRead: number;
	/** Rows in counted orders. */
	rowsUsed: number;
	orders: number;
	customers: number;
	/** Net revenue of the counted orders, before returns. */
	revenue: number;
	/** Cancellations and credits that net out of their customers' revenue (not orders). */
	returns: { rows: number; orders: number; amount: number };
	excluded: ExclusionCount[];
	/** Orders per currency when the file has more than one (most first); empty otherwise. */
	currencies: { currency: string; orders: number }[];
	/** The currency scored when there are several; null otherwise. */
	scoredCurrency: string | null;
	/** Counted orders whose customer column was empty, identified by a fallback column (phone, name). */
	ordersByFallback: number;
}

const REASONS = Object.keys(EXCLUSION_LABELS) as ExclusionReason[];

/** Reads the report from `input_rows` and `order_candidates` (after the canonical tables exist). */
export async function readIngestReport(
	db: SqlRunner,
	context: { layout: LayoutId; files: string[]; currencies: { currency: string; orders: number }[]; scoredCurrency: string | null }
): Promise<IngestReport> {
	const counts = await db.rows<{ reason: ExclusionReason | 'return'; rows: number; revenue: number | null }>(
		`${EXCLUSION_COUNTS_SQL}\nUNION ALL\n${REJECTED_COUNTS_SQL}`
	);
	const merged = new Map<ExclusionReason, ExclusionCount>();
	let returns = { rows: 0, orders: 0, amount: 0 };
	for (const c of counts) {
		if (c.reason === 'return') {
			returns = { ...returns, rows: c.rows, amount: c.revenue ?? 0 };
			continue;
		}
		const prior = merged.get(c.reason);
		merged.set(c.reason, {
			reason: c.reason,
			label: EXCLUSION_LABELS[c.reason],
			rows: (prior?.rows ?? 0) + c.rows,
			revenue: (prior?.revenue ?? 0) + (c.revenue ?? 0)
		});
	}
	const [totals] = await db.rows<{
		rows_read: number;
		rows_used: number;
		orders: number;
		customers: number;
		revenue: number;
		returns: number;
		fallback: number;
	}>(
		`SELECT (SELECT CAST(count(*) AS DOUBLE) FROM input_rows) + (SELECT CAST(coalesce(sum(rows), 0) AS DOUBLE) FROM rejected_rows) AS rows_read,
	CAST(coalesce(sum(lines) FILTER (WHERE reason IS NULL), 0) AS DOUBLE) AS rows_used,
	CAST(count(*) FILTER (WHERE reason IS NULL) AS DOUBLE) AS orders,
	CAST(count(DISTINCT customer_id) FILTER (WHERE reason IS NULL) AS DOUBLE) AS customers,
	CAST(coalesce(sum(amount) FILTER (WHERE reason IS NULL), 0) AS DOUBLE) AS revenue,
	CAST(count(*) FILTER (WHERE reason = 'return') AS DOUBLE) AS returns,
	CAST(count(*) FILTER (WHERE reason IS NULL AND customer_fallback) AS DOUBLE) AS fallback
FROM order_candidates`
	);
	const t = totals!;
	return {
		layout: context.layout,
		layoutLabel: LAYOUTS[context.layout].label,
		files: context.files,
		rowsRead: t.rows_read,
		rowsUsed: t.rows_used,
		orders: t.orders,
		customers: t.customers,
		revenue: t.revenue,
		returns: { ...returns, orders: t.returns },
		excluded: [...merged.values()].sort((a, b) => b.rows - a.rows || REASONS.indexOf(a.reason) - REASONS.indexOf(b.reason)),
		currencies: context.currencies.length > 1 ? context.currencies : [],
		scoredCurrency: context.scoredCurrency,
		ordersByFallback: t.fallback
	};
}
