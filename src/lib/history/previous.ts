/**
 * Where customers were: every customer's RFM segment some days before the analysis date (default
 * 90), scored with the page's settings and rules as of that date (as-of.ts), in `previous_scores`,
 * and since when they have been in today's segment. The builder offers the first as a field, so
 * "was Champions, now At Risk" is two conditions; the exports and the profile carry both.
 */
import type { SqlRunner } from '../db/runner';
import { CUSTOMER_PAST, CUSTOMER_SCORES, ORDERS } from '../db/tables';
import { addDays, addMonths } from '../dates';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import { date } from '../sql';
import { asOfTables, scoreAsOf, stateName } from './as-of';

/** Days before the analysis date at which the previous segment is taken. */
export const PREVIOUS_DAYS = 90;

/** The tables of the previous scoring (`previous_scores` and its helpers). */
export const PREVIOUS_TABLES = asOfTables('previous');

/** Scores every customer as of `PREVIOUS_DAYS` before the analysis date; returns that date. */
export async function scorePrevious(db: SqlRunner, settings: ScoringSettings, ruleSet: RuleSet, analysisDate: string): Promise<string> {
	const asOf = addDays(analysisDate, -PREVIOUS_DAYS);
	await scoreAsOf(db, settings, ruleSet, asOf, PREVIOUS_TABLES);
	return asOf;
}

/**
 * The previous segment of customer `customerColumn` as SQL (a scalar over `previous_scores`): the
 * segment as of `asOf`, else "Not yet customers" when they had not ordered by then, else "Outside
 * the look-back window" (they had, but not inside the window as of that date) — History's words.
 */
export function previousSegmentSql(customerColumn: string, asOf: string): string {
	return `coalesce((SELECT p.segment FROM ${PREVIOUS_TABLES.scores} p WHERE p.customer_id = ${customerColumn}),
	CASE WHEN EXISTS (SELECT 1 FROM ${ORDERS} o WHERE o.customer_id = ${customerColumn} AND o.ordered_at <= ${date(asOf)})
		THEN '${stateName({ kind: 'outside' })}' ELSE '${stateName({ kind: 'not-yet' })}' END)`;
}

/** Snapshots looked back on for `segment_since`: the month ends of the last 12 months. */
export const SINCE_MONTHS = 12;

/**
 * The snapshot dates for `segment_since`, newest first: the same day of each of the last `months`
 * months before the analysis date (2025-03-31 → 2025-02-28, 2025-01-31, …).
 */
export function sinceSnapshots(analysisDate: string, months = SINCE_MONTHS): string[] {
	return Array.from({ length: months }, (_, k) => addMonths(analysisDate, -(k + 1)));
}

/**
 * `customer_past`: per scored customer, the segment `PREVIOUS_DAYS` before the analysis date
 * (`previous_segment`) and `segment_since`: the earliest monthly snapshot from which they have been
 * in today's segment at every snapshot up to the analysis date (the analysis date itself when they
 * were elsewhere a month ago; the oldest snapshot when they never left it in `months`). The
 * snapshots are History's as-of scorings; the look back stops as soon as every customer's run has
 * ended, so a base that moves costs few scorings.
 */
export async function computeCustomerPast(
	db: SqlRunner,
	settings: ScoringSettings,
	ruleSet: RuleSet,
	analysisDate: string,
	months = SINCE_MONTHS
): Promise<{ previousAsOf: string; snapshots: number }> {
	const previousAsOf = await scorePrevious(db, settings, ruleSet, analysisDate);
	await db.run(`CREATE OR REPLACE TABLE ${CUSTOMER_PAST} AS
SELECT s.customer_id, s.segment, ${previousSegmentSql('s.customer_id', previousAsOf)} AS previous_segment,
	${date(analysisDate)} AS segment_since, true AS unbroken
FROM ${CUSTOMER_SCORES} s`);
	const tables = asOfTables('since');
	let snapshots = 0;
	for (const asOf of sinceSnapshots(analysisDate, months)) {
		const [open] = await db.rows<{ n: number }>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM ${CUSTOMER_PAST} WHERE unbroken`);
		if (!open || open.n === 0) break;
		await scoreAsOf(db, settings, ruleSet, asOf, tables);
		snapshots++;
		await db.run(`UPDATE ${CUSTOMER_PAST} SET segment_since = ${date(asOf)}
WHERE unbroken AND EXISTS (SELECT 1 FROM ${tables.scores} t WHERE t.customer_id = ${CUSTOMER_PAST}.customer_id AND t.segment = ${CUSTOMER_PAST}.segment)`);
		await db.run(`UPDATE ${CUSTOMER_PAST} SET unbroken = false WHERE unbroken AND segment_since <> ${date(asOf)}`);
	}
	return { previousAsOf, snapshots };
}

/** The customer export `sql` (rows with `customer_id`) with `previous_segment` and `segment_since` from `customer_past`. */
export function withCustomerPastSql(sql: string): string {
	return `SELECT e.*, p.previous_segment, strftime(p.segment_since, '%Y-%m-%d') AS segment_since
FROM (${sql}) e LEFT JOIN ${CUSTOMER_PAST} p ON p.customer_id = e.customer_id ORDER BY e.customer_id`;
}
