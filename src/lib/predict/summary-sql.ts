/**
 * SQL that turns `orders` into what the purchase models read: one transaction per customer-day, the
 * calibration summary per customer (x, t_x, T, mean repeat spend, holdout purchases) and the daily
 * counts behind the cumulative-purchases curve. Pure text: the engine runs it.
 */
import { date, num } from '../sql';

/** The clock the models count in. Weeks are the literature's unit (CDNOW); days suit fast-moving stores. */
export type TimeUnit = 'days' | 'weeks';

export const DAYS_PER_UNIT: Record<TimeUnit, number> = { days: 1, weeks: 7 };

export interface SummaryPeriod {
	/** Last day (inclusive, ISO) of the calibration period: the models see orders up to here. */
	calibrationEnd: string;
	/** Last day (inclusive, ISO) of the holdout period; equal to `calibrationEnd` when there is none. */
	holdoutEnd: string;
	unit: TimeUnit;
}

/** One row per customer-day with an order up to `lastDay`: the models count days, not orders. */
function purchaseDaysSql(lastDay: string): string {
	return `SELECT customer_id, ordered_at AS day, sum(amount) AS spend
	FROM orders WHERE ordered_at IS NOT NULL AND customer_id IS NOT NULL AND ordered_at <= ${date(lastDay)}
	GROUP BY customer_id, ordered_at`;
}

/**
 * Per customer whose first purchase is on or before the calibration end: `x` repeat purchase days
 * in calibration, `t_x` (last − first purchase) and `T` (calibration end − first purchase) in the
 * unit, `mean_spend` the mean spend of the x repeat days (NULL when x = 0: the first purchase is
 * left out, as the Gamma-Gamma model expects), `holdout` purchase days after the calibration end,
 * and `first_day` days from the earliest first purchase (for the cumulative curve). Ordered by id.
 */
export function customerSummarySql(period: SummaryPeriod): string {
	const cal = date(period.calibrationEnd);
	const unit = num(DAYS_PER_UNIT[period.unit]);
	return `WITH days AS (${purchaseDaysSql(period.holdoutEnd)}),
firsts AS (SELECT customer_id, min(day) AS first_day, arg_min(spend, day) AS first_spend FROM days GROUP BY customer_id HAVING min(day) <= ${cal}),
start AS (SELECT min(first_day) AS d0 FROM firsts)
SELECT d.customer_id,
	CAST(count(*) FILTER (WHERE d.day <= ${cal}) - 1 AS DOUBLE) AS x,
	CAST(max(d.day) FILTER (WHERE d.day <= ${cal}) - f.first_day AS DOUBLE) / ${unit} AS t_x,
	CAST(${cal} - f.first_day AS DOUBLE) / ${unit} AS "T",
	CASE WHEN count(*) FILTER (WHERE d.day <= ${cal}) > 1
		THEN CAST((sum(d.spend) FILTER (WHERE d.day <= ${cal}) - f.first_spend) / (count(*) FILTER (WHERE d.day <= ${cal}) - 1) AS DOUBLE) END AS mean_spend,
	CAST(count(*) FILTER (WHERE d.day > ${cal}) AS DOUBLE) AS holdout,
	CAST(f.first_day - (SELECT d0 FROM start) AS DOUBLE) AS first_day
FROM days d JOIN firsts f USING (customer_id)
GROUP BY d.customer_id, f.first_day, f.first_spend
ORDER BY d.customer_id`;
}

/**
 * Per day from the earliest first purchase (`day` = 0) to the holdout end: `first_purchases`
 * (customers whose first purchase day it is, calibration cohort only) and `repeat_purchases`
 * (their purchase days that are not their first). Days with neither are absent.
 */
export function dailyPurchasesSql(period: SummaryPeriod): string {
	const cal = date(period.calibrationEnd);
	return `WITH days AS (${purchaseDaysSql(period.holdoutEnd)}),
firsts AS (SELECT customer_id, min(day) AS first_day FROM days GROUP BY customer_id HAVING min(day) <= ${cal}),
start AS (SELECT min(first_day) AS d0 FROM firsts)
SELECT CAST(d.day - (SELECT d0 FROM start) AS DOUBLE) AS day,
	CAST(count(*) FILTER (WHERE d.day = f.first_day) AS DOUBLE) AS first_purchases,
	CAST(count(*) FILTER (WHERE d.day > f.first_day) AS DOUBLE) AS repeat_purchases
FROM days d JOIN firsts f USING (customer_id)
GROUP BY d.day ORDER BY d.day`;
}

/** The first and last order dates (ISO) and the number of customers, to choose and check periods. */
export const ORDER_SPAN_SQL = `SELECT strftime(min(ordered_at), '%Y-%m-%d') AS first_day, strftime(max(ordered_at), '%Y-%m-%d') AS last_day,
	CAST(count(DISTINCT customer_id) AS DOUBLE) AS customers,
	CAST(count(*) FILTER (WHERE amount <= 0) AS DOUBLE) AS non_positive_orders
FROM orders WHERE ordered_at IS NOT NULL AND customer_id IS NOT NULL`;
