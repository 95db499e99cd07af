/**
 * From a read plan to the `input_rows` table: one row per file row with the parsed customer,
 * order reference, date and amount, and the raw text kept only where parsing failed (for the
 * excluded-rows download).
 */
import type { ReadPlan } from './columns';
import type { AmountFormat, DateFormat } from './values';
import { ident } from '../sql';

/** Why a row was not used. The order of checks gives each excluded row one reason. */
export type ExclusionReason = 'no_customer' | 'unreadable_date' | 'unreadable_amount';

export const EXCLUSION_LABELS: Record<ExclusionReason, string> = {
	no_customer: 'No customer',
	unreadable_date: 'Missing or unreadable order date',
	unreadable_amount: 'Missing or unreadable amount'
};

/** SQL reading the date part of a text column as written (no time-zone shift) into a DATE. */
export function dateSql(column: string, format: DateFormat): string {
	const c = ident(column);
	switch (format.order) {
		case 'iso':
			// A cast reads `2024-03-01`, `2024-03-01 10:00:00` and `2024-03-01T10:00:00-04:00` as the written day.
			return `TRY_CAST(${c} AS DATE)`;
		case 'compact':
			return `CAST(try_strptime(trim(${c}), '${format.pattern}') AS DATE)`;
		default:
			return `CAST(try_strptime(regexp_extract(${c}, '^\\s*([0-9]+[-/.][0-9]+[-/.][0-9]+)', 1), '${format.pattern.replaceAll("'", "''")}') AS DATE)`;
	}
}

/** SQL reading money as written (symbols, codes, thousands separators, `(12.00)` or `-12` negatives). */
export function amountSql(column: string, format: AmountFormat): string {
	const c = ident(column);
	const sign = `(CASE WHEN regexp_matches(${c}, '^[^0-9]*[-−(]|[-−)]\\s*$') THEN -1 ELSE 1 END)`;
	const digits =
		format.decimal === ','
			? `replace(regexp_replace(${c}, '[^0-9,]', '', 'g'), ',', '.')`
			: `regexp_replace(${c}, '[^0-9.]', '', 'g')`;
	const cleaned = `${sign} * TRY_CAST(NULLIF(${digits}, '') AS DOUBLE)`;
	// COALESCE only evaluates the cleaning for rows the plain cast could not read.
	return format.decimal === '.' ? `COALESCE(TRY_CAST(${c} AS DOUBLE), ${cleaned})` : cleaned;
}

/**
 * Creates `input_rows(customer_id, order_ref, order_date, amount, date_text, amount_text)` from
 * `source` (a `read_csv(...)` call or a table name). Its `rowid` is the data row's position in
 * the file (0-based), since DuckDB keeps insertion order.
 */
export function inputRowsSql(source: string, plan: ReadPlan): string {
	const { mapping, dateFormat, amountFormat } = plan;
	if (!mapping.customerId || !mapping.orderDate || !mapping.amount || !dateFormat || !amountFormat) {
		throw new Error('A customer, an order date and an amount column are needed');
	}
	const orderRef = mapping.orderId ? `NULLIF(trim(${ident(mapping.orderId)}), '')` : 'NULL::VARCHAR';
	return `CREATE OR REPLACE TABLE input_rows AS
SELECT customer_id, order_ref, order_date, amount,
	CASE WHEN order_date IS NULL THEN date_text END AS date_text,
	CASE WHEN amount IS NULL THEN amount_text END AS amount_text
FROM (
	SELECT NULLIF(trim(${ident(mapping.customerId)}), '') AS customer_id,
		${orderRef} AS order_ref,
		${dateSql(mapping.orderDate, dateFormat)} AS order_date,
		${amountSql(mapping.amount, amountFormat)} AS amount,
		${ident(mapping.orderDate)} AS date_text,
		${ident(mapping.amount)} AS amount_text
	FROM ${source}
)`;
}

/** The reason expression over `input_rows`, NULL for a used row. */
export const REASON_SQL = `CASE WHEN customer_id IS NULL THEN 'no_customer'
	WHEN order_date IS NULL THEN 'unreadable_date'
	WHEN amount IS NULL THEN 'unreadable_amount' END`;

/** Rows per exclusion reason (used rows have reason NULL). */
export const EXCLUSION_COUNTS_SQL = `SELECT ${REASON_SQL} AS reason, CAST(count(*) AS DOUBLE) AS rows
FROM input_rows GROUP BY reason`;

/** Every excluded row with its row number (1 = first data row), reason and the values as written. */
export const EXCLUDED_ROWS_SQL = `SELECT CAST(rowid + 1 AS BIGINT) AS row_number, ${REASON_SQL} AS reason,
	customer_id, order_ref AS order_id, coalesce(date_text, CAST(order_date AS VARCHAR)) AS order_date,
	coalesce(amount_text, CAST(amount AS VARCHAR)) AS amount
FROM input_rows WHERE customer_id IS NULL OR order_date IS NULL OR amount IS NULL ORDER BY rowid`;
