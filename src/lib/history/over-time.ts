/**
 * Segment sizes over time: the base scored as of the end of each week, month or quarter (the same
 * settings and rules as the page), with customers and revenue per segment.
 */
import { date } from '../sql';
import type { SqlRunner } from '../db/runner';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import { segmentInfo } from '../rfm/segments';
import { asOfTables, scoreAsOf } from './as-of';
import { periodsUpTo, type Grain, type Period } from './periods';

/** The most recent periods scored (a snapshot each): two years of months, a year of weeks, four years of quarters. */
export const MAX_PERIODS: Record<Grain, number> = { week: 52, month: 24, quarter: 16 };

export interface PeriodSegment {
	segment: string;
	customers: number;
	/** Revenue of the segment's customers from orders dated in the period (inside the look-back window). */
	revenue: number;
}

export interface PeriodSnapshot extends Period {
	customers: number;
	segments: PeriodSegment[];
}

export interface OverTimeResult {
	grain: Grain;
	/** Segment names in rule order (the fallback last), each present in at least one period. */
	segments: string[];
	periods: PeriodSnapshot[];
	/** True when older periods were left out (more than MAX_PERIODS of the grain). */
	truncated: boolean;
}

const TABLES = asOfTables('history_period');

/** Customers and in-period revenue per segment of the snapshot in `history_period_scores`. */
export function periodSegmentsSql(period: Pick<Period, 'start' | 'asOf'>): string {
	return `SELECT s.segment, CAST(count(*) AS DOUBLE) AS customers, CAST(coalesce(sum(p.revenue), 0) AS DOUBLE) AS revenue
FROM ${TABLES.scores} s
LEFT JOIN (
	-- Net of the period's returns, like every other revenue figure.
	SELECT customer_id, sum(amount) AS revenue FROM (
		SELECT customer_id, amount FROM ${TABLES.window} WHERE ordered_at >= ${date(period.start)}
		UNION ALL SELECT customer_id, amount FROM ${TABLES.returns}_rows WHERE returned_at >= ${date(period.start)}
	) GROUP BY customer_id
) p
	ON p.customer_id = s.customer_id
GROUP BY s.segment`;
}

/**
 * Scores the base as of every period from the first order to the analysis date (the most recent
 * `max`), one snapshot after another on the same tables. `onPeriod` reports progress.
 */
export async function segmentsOverTime(
	db: SqlRunner,
	settings: ScoringSettings,
	ruleSet: RuleSet,
	bounds: { firstOrder: string; analysisDate: string },
	grain: Grain,
	max = MAX_PERIODS[grain],
	onPeriod?: (done: number, total: number) => void
): Promise<OverTimeResult> {
	const all = periodsUpTo(bounds.firstOrder, bounds.analysisDate, grain, Number.MAX_SAFE_INTEGER);
	const periods = all.slice(-max);
	const out: PeriodSnapshot[] = [];
	for (const [i, period] of periods.entries()) {
		onPeriod?.(i, periods.length);
		const { customers } = await scoreAsOf(db, settings, ruleSet, period.asOf, TABLES);
		const segments = customers === 0 ? [] : await db.rows<PeriodSegment>(periodSegmentsSql(period));
		out.push({ ...period, customers, segments });
	}
	const present = new Set(out.flatMap((p) => p.segments.map((s) => s.segment)));
	const order = segmentInfo(ruleSet).map((s) => s.segment);
	const names = [...order.filter((n) => present.has(n)), ...[...present].filter((n) => !order.includes(n))];
	for (const p of out) p.segments.sort((a, b) => names.indexOf(a.segment) - names.indexOf(b.segment));
	return { grain, segments: names, periods: out, truncated: all.length > periods.length };
}
