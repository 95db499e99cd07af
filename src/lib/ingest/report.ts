/**
 * The import report: every row of the file(s) accounted for — in a counted order, netted out as a
 * return, or excluded with a reason — with the orders, customers and revenue found.
 */
import { ingestCountsSql, EXCLUSION_LABELS, type ExclusionReason } from './ingest-sql';
import type { ReadPlan } from './columns';
import { LAYOUTS, type LayoutId } from './layouts';
import { REJECTED_COUNTS_SQL } from './rejects';
import type { SqlRunner } from '../db/runner';

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
	/** How many passes over the file grouped its orders (more than one for files of millions of orders). */
	passes?: number;
}

const REASONS = Object.keys(EXCLUSION_LABELS) as ExclusionReason[];

/** Reads the report from `order_candidates` (after the canonical tables exist), in one query. */
export async function readIngestReport(
	db: SqlRunner,
	plan: ReadPlan,
	context: { layout: LayoutId; files: string[]; currencies: { currency: string; orders: number }[]; scoredCurrency: string | null }
): Promise<IngestReport> {
	const counts = await db.rows<{
		reason: ExclusionReason | 'return' | null;
		rows: number;
		orders: number;
		revenue: number | null;
		customers: number;
		fallback: number;
	}>(ingestCountsSql(plan));
	// Lines that never became rows (rejects.ts): read, and excluded by their reason.
	const rejected = await db.rows<{ reason: ExclusionReason; rows: number; revenue: number | null }>(REJECTED_COUNTS_SQL);
	for (const r of rejected) counts.push({ ...r, orders: 0, customers: 0, fallback: 0 });
	const merged = new Map<ExclusionReason, ExclusionCount>();
	const report = { rowsRead: 0, rowsUsed: 0, orders: 0, customers: 0, revenue: 0, fallback: 0 };
	let returns = { rows: 0, orders: 0, amount: 0 };
	for (const c of counts) {
		report.rowsRead += c.rows;
		if (c.reason === null) {
			Object.assign(report, { rowsUsed: c.rows, orders: c.orders, customers: c.customers, revenue: c.revenue ?? 0, fallback: c.fallback });
			continue;
		}
		if (c.reason === 'return') {
			returns = { rows: c.rows, orders: c.orders, amount: c.revenue ?? 0 };
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
	return {
		layout: context.layout,
		layoutLabel: LAYOUTS[context.layout].label,
		files: context.files,
		rowsRead: report.rowsRead,
		rowsUsed: report.rowsUsed,
		orders: report.orders,
		customers: report.customers,
		revenue: report.revenue,
		returns,
		excluded: [...merged.values()].sort((a, b) => b.rows - a.rows || REASONS.indexOf(a.reason) - REASONS.indexOf(b.reason)),
		currencies: context.currencies.length > 1 ? context.currencies : [],
		scoredCurrency: context.scoredCurrency,
		ordersByFallback: report.fallback
	};
}
