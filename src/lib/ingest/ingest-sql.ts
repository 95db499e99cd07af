/**
 * From a read plan to the `input_rows` table: one row per file row with the parsed customer,
 * order reference, date and amount, and the raw text kept only where parsing failed (for the
 * excluded-rows download).
 */
import type { ReadPlan } from './columns';
import { dateSeparator, type AmountFormat, type DateFormat } from './values';
import { ident } from '../sql';

/** Why a row was not used. The order of checks gives each excluded row one reason. */
export type ExclusionReason = 'no_customer' | 'unreadable_date' | 'unreadable_amount';

export const EXCLUSION_LABELS: Record<ExclusionReason, string> = {
	no_customer: 'No customer',
	unreadable_date: 'Missing or unreadable order date',
	unreadable_amount: 'Missing or unreadable amount'
};

/**
 * SQL reading the date part of a text column as written (no time-zone shift) into a DATE. It reads
 * exactly what `parseDate` reads: the regular expressions here mirror `values.ts`.
 */
export function dateSql(column: string, format: DateFormat): string {
	const c = ident(column);
	// What may follow the date part: nothing, or a time after a space, `T` or comma.
	const end = `($|[ T,])`;
	// strptime on the date part only. NULLIF: a failed strptime costs microseconds (an exception inside
	// DuckDB), so rows the regular expression did not match never reach it.
	const read = (regex: string, pattern: string) => `try_strptime(NULLIF(regexp_extract(${c}, '${regex}', 1), ''), '${pattern}')`;
	switch (format.order) {
		case 'iso':
			// A cast reads `2024-03-01`, `2024-03-01 10:00:00` and `2024-03-01T10:00:00-04:00` as the written day,
			// but also `24-03-01` (as year 24), `2024 03 01` and `2024-03-01abc`: the guard keeps it to what
			// parseDate reads (four-digit year, one separator `-` or `/`, then the end, a space, `T` or comma).
			return `CASE WHEN regexp_matches(${c}, '^[ \\t]*[0-9]{4}(-[0-9]{1,2}-|/[0-9]{1,2}/)[0-9]{1,2}${end}') THEN TRY_CAST(${c} AS DATE) END`;
		case 'compact':
			// strptime alone would read seven digits (`2006123`) as a date.
			return `CAST(${read('^[ \\t]*([0-9]{8})[ \\t]*$', '%Y%m%d')} AS DATE)`;
		default: {
			const sep = dateSeparator(format);
			const s = sep === '.' ? '\\.' : sep;
			if (format.order === 'ymd')
				return `CAST(${read(`^[ \\t]*([0-9]{4}${s}[0-9]{1,2}${s}[0-9]{1,2})${end}`, `%Y${sep}%m${sep}%d`)} AS DATE)`;
			// Two- and four-digit years both read, as in parseDate; the sample's more common one is tried first.
			const [p1, p2] = format.order === 'mdy' ? ['%m', '%d'] : ['%d', '%m'];
			const year = (digits: 2 | 4) =>
				read(`^[ \\t]*([0-9]{1,2}${s}[0-9]{1,2}${s}[0-9]{${digits}})${end}`, `${p1}${sep}${p2}${sep}${digits === 2 ? '%y' : '%Y'}`);
			const [first, second] = format.pattern.includes('%y') ? [year(2), year(4)] : [year(4), year(2)];
			return `CAST(coalesce(${first}, ${second}) AS DATE)`;
		}
	}
}

/** SQL reading money as written (symbols, codes, thousands separators, `(12.00)` or `-12` negatives). */
export function amountSql(column: string, format: AmountFormat): string {
	const c = ident(column);
	// As parseAmount: a minus before the first digit or at the end, or the number inside parentheses.
	const sign = `(CASE WHEN regexp_matches(${c}, '^[^0-9]*[-−]|[-−]\\s*$|^[^0-9]*\\(.*\\)[^0-9]*$') THEN -1 ELSE 1 END)`;
	const digits =
		format.decimal === ',' ? `replace(regexp_replace(${c}, '[^0-9,]', '', 'g'), ',', '.')` : `regexp_replace(${c}, '[^0-9.]', '', 'g')`;
	const cleaned = `${sign} * TRY_CAST(NULLIF(${digits}, '') AS DOUBLE)`;
	// CASE evaluates the regex cleaning only for rows the plain cast cannot read (COALESCE evaluated it
	// for every row: 3× slower on clean files). The cast also reads `nan` and `inf`, which are not
	// amounts (a NaN would poison the customer's total), so those rows are cleaned to NULL too.
	const plain = `TRY_CAST(${c} AS DOUBLE)`;
	return format.decimal === '.' ? `CASE WHEN isfinite(${plain}) THEN ${plain} ELSE ${cleaned} END` : cleaned;
}

/**
 * Creates `input_rows(customer_id, order_ref, order_date, amount, engaged_at, date_text, amount_text)`
 * from `source` (a `read_csv(...)` call or a table name). Its `rowid` is the data row's position in
 * the file (0-based), since DuckDB keeps insertion order. `engaged_at` is the last-engagement date
 * read like the order date (NULL without that column, or where it is empty or unreadable: an
 * engagement date is optional, so it never excludes a row).
 */
export function inputRowsSql(source: string, plan: ReadPlan): string {
	const { mapping, dateFormat, amountFormat } = plan;
	if (!mapping.customerId || !mapping.orderDate || !mapping.amount || !dateFormat || !amountFormat) {
		throw new Error('A customer, an order date and an amount column are needed');
	}
	const orderRef = mapping.orderId ? `NULLIF(trim(${ident(mapping.orderId)}), '')` : 'NULL::VARCHAR';
	const engaged = mapping.lastEngaged ? dateSql(mapping.lastEngaged, plan.engagedFormat ?? { order: 'iso', pattern: '' }) : 'NULL::DATE';
	return `CREATE OR REPLACE TABLE input_rows AS
SELECT customer_id, order_ref, order_date, amount, engaged_at,
	CASE WHEN order_date IS NULL THEN date_text END AS date_text,
	CASE WHEN amount IS NULL THEN amount_text END AS amount_text
FROM (
	SELECT NULLIF(trim(${ident(mapping.customerId)}), '') AS customer_id,
		${orderRef} AS order_ref,
		${dateSql(mapping.orderDate, dateFormat)} AS order_date,
		${amountSql(mapping.amount, amountFormat)} AS amount,
		${engaged} AS engaged_at,
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
