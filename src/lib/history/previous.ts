/**
 * Where customers were: every customer's RFM segment some days before the analysis date (default
 * 90), scored with the page's settings and rules as of that date (as-of.ts), in `previous_scores`.
 * The builder offers it as a field, so "was Champions, now At Risk" is two conditions.
 */
import type { SqlRunner } from '../db/runner';
import { ORDERS } from '../db/tables';
import { addDays } from '../dates';
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
