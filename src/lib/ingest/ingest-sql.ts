/**
 * From a read plan to the `input_rows` table: one row per file row with the parsed customer,
 * order reference, date and amount, and the raw text kept only where parsing failed (for the
 * excluded-rows download).
 */
import { DEFAULT_READ_OPTIONS, type ReadOptions, type ReadPlan } from './columns';
import { dateSeparator, DAY_MONTH_REGEX, MONTH_DAY_REGEX, SERIAL_RANGE, UNIX_RANGE, type AmountFormat, type DateFormat } from './values';
import { REJECT_LABELS, rowNumberSql, type RejectReason } from './rejects';
import { ident, str } from '../sql';

/**
 * Why a row was not used. Row reasons are decided per row; the others per order (every row of
 * the order gets the order's reason). The order of checks gives each excluded row one reason.
 */
export type ExclusionReason =
	| 'duplicate'
	| 'no_customer'
	| 'unreadable_date'
	| 'unreadable_amount'
	| 'other_currency'
	| 'cancelled'
	| 'refunded'
	| 'test_order'
	| 'not_a_sale'
	| 'zero_amount'
	| 'implausible_date'
	| 'implausible_amount'
	| RejectReason;

export const EXCLUSION_LABELS: Record<ExclusionReason, string> = {
	duplicate: 'Already in an earlier file (same order)',
	no_customer: 'No customer (guest order)',
	unreadable_date: 'Missing or unreadable order date',
	unreadable_amount: 'Missing or unreadable amount',
	other_currency: 'Another currency than the one scored',
	cancelled: 'Cancelled order',
	refunded: 'Refunded order',
	test_order: 'Test order',
	not_a_sale: 'Status is not a sale (failed, pending…)',
	zero_amount: 'Zero order total',
	implausible_date: 'Implausible date (before 1990, in the future, or a lone year far from the others)',
	implausible_amount: 'Implausible amount (not a finite number, or above 1 trillion)',
	...REJECT_LABELS
};

/** Dates before this are placeholders or typos (`1900-01-01`), not orders of an online shop. */
export const EARLIEST_PLAUSIBLE_DATE = '1990-01-01';
/** Amounts at or above this are typos or overflow (`1.7e308`), not orders. */
export const AMOUNT_BOUND = 1e12;

/** The latest plausible order date: tomorrow in UTC (a file exported in a time zone ahead of UTC has today's orders). */
export function latestPlausibleDate(now = new Date()): string {
	return new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
}

/**
 * SQL: true when a DATE is not a plausible order date (before 1990, after tomorrow). Today comes
 * from the page's clock: DuckDB-WASM's `current_date` needs the ICU extension, which we do not load.
 */
export function implausibleDateSql(column: string, latest = latestPlausibleDate()): string {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(latest)) throw new Error(`Not an ISO date: ${latest}`);
	return `(${column} < DATE '${EARLIEST_PLAUSIBLE_DATE}' OR ${column} > DATE '${latest}')`;
}

/** SQL: true when an amount is not a number an order can have (infinite, NaN, or beyond AMOUNT_BOUND). */
export function implausibleAmountSql(column: string): string {
	return `(NOT isfinite(${column}) OR abs(${column}) >= ${AMOUNT_BOUND})`;
}

/** SQL: a number, or NULL when it is implausible (an infinite refund must not poison a total). */
export function saneNumberSql(expression: string): string {
	// DuckDB evaluates a repeated subexpression once (common subexpression elimination).
	return expression === 'NULL::DOUBLE' ? expression : `CASE WHEN NOT ${implausibleAmountSql(`(${expression})`)} THEN ${expression} END`;
}

/**
 * Marks as implausible the rows of a lone year: under 1% of the dated rows, with no other dated
 * row within five years of it (a `2014` typo in a 2022–2024 file). A shop whose early years were
 * small keeps them: consecutive years are not alone; nor is one early order three years before
 * the rest (the R rfm package's published data has one, and its results count it).
 */
export const ISOLATED_YEARS_SQL = `UPDATE input_rows SET row_reason = 'implausible_date'
WHERE row_reason IS NULL AND year(order_date) IN (
	WITH years AS (SELECT year(order_date) AS y, count(*) AS n FROM input_rows WHERE row_reason IS NULL AND order_date IS NOT NULL GROUP BY 1)
	SELECT a.y FROM years a
	WHERE a.n < 0.01 * (SELECT sum(n) FROM years)
		AND NOT EXISTS (SELECT 1 FROM years b WHERE b.y <> a.y AND abs(b.y - a.y) <= 5)
)`;

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
		case 'serial':
			// Excel's day numbers count from 1899-12-30; the fraction is the time of day.
			return `CASE WHEN regexp_matches(${c}, '^[ \\t]*[0-9]{5}(\\.[0-9]+)?[ \\t]*$')
	AND TRY_CAST(trim(${c}) AS DOUBLE) BETWEEN ${SERIAL_RANGE[0]} AND ${SERIAL_RANGE[1]} + 0.99999
	THEN CAST(DATE '1899-12-30' + CAST(floor(TRY_CAST(trim(${c}) AS DOUBLE)) AS INTEGER) AS DATE) END`;
		case 'month_day':
		case 'day_month': {
			// strptime's %b reads the first three letters of an English month name, in any case.
			const regex = str(`(?i)${format.order === 'month_day' ? MONTH_DAY_REGEX : DAY_MONTH_REGEX}`);
			const [month, day] = format.order === 'month_day' ? [1, 2] : [2, 1];
			const part = (i: number) => `regexp_extract(${c}, ${regex}, ${i})`;
			return `CASE WHEN regexp_matches(${c}, ${regex}) THEN CAST(try_strptime(left(${part(month)}, 3) || ' ' || ${part(day)} || ' ' || ${part(3)}, '%b %d %Y') AS DATE) END`;
		}
		case 'unix':
		case 'unix_ms': {
			// The UTC day, as parseDate reads it: whole days since 1970 (no time-zone extension needed).
			const digits = format.order === 'unix' ? '9,10' : '12,13';
			const seconds = `(TRY_CAST(trim(${c}) AS DOUBLE)${format.order === 'unix' ? '' : ' / 1000'})`;
			return `CASE WHEN regexp_matches(${c}, '^[ \\t]*[0-9]{${digits}}[ \\t]*$') AND ${seconds} >= ${UNIX_RANGE[0]} AND ${seconds} < ${UNIX_RANGE[1]}
	THEN CAST(DATE '1970-01-01' + CAST(floor(${seconds} / 86400) AS INTEGER) AS DATE) END`;
		}
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
	// `1e999` is beyond any double (the cast gives infinity), not the digits 1999: it stays infinite,
	// which the import excludes as an implausible amount.
	const overflow = `WHEN regexp_matches(${c}, '^[ \\t]*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)[eE][+-]?[0-9]+[ \\t]*$') AND NOT isfinite(${plain}) THEN CAST('inf' AS DOUBLE)`;
	return format.decimal === '.'
		? `CASE WHEN isfinite(${plain}) THEN ${plain} ${overflow} ELSE ${cleaned} END`
		: `CASE ${overflow} ELSE ${cleaned} END`;
}

const NULL_TEXT = 'NULL::VARCHAR';

/** Currency symbols written with amounts, most specific first (`R$` before `$`). */
const AMOUNT_SYMBOLS: [string, string][] = [
	['€', 'EUR'],
	['£', 'GBP'],
	['¥', 'JPY'],
	['₹', 'INR'],
	['₩', 'KRW'],
	['₺', 'TRY'],
	['₽', 'RUB'],
	['zł', 'PLN'],
	['R$', 'BRL'],
	['C$', 'CAD'],
	['A$', 'AUD'],
	['CA$', 'CAD'],
	['AU$', 'AUD'],
	['US$', 'USD'],
	['$', 'USD']
];

/**
 * SQL: the currency an amount is written in (`€12.50` → EUR, `12.50 GBP` → GBP, `$5` → USD), or
 * NULL for a plain number. Used when the file has no currency column: amounts written in several
 * currencies are then split by currency, as a currency column splits them, instead of being added up.
 */
export function amountCurrencySql(column: string): string {
	const c = ident(column);
	const code = `regexp_extract(${c}, '(?:^|[^A-Za-z])([A-Z]{3})(?:[^A-Za-z]|$)', 1)`;
	const symbols = [...AMOUNT_SYMBOLS]
		.sort((a, b) => b[0].length - a[0].length)
		.map(([symbol, iso]) => `WHEN contains(${c}, ${str(symbol)}) THEN ${str(iso)}`)
		.join(' ');
	// Plain numbers (most files) skip the rest at the cost of one regular expression.
	return `CASE WHEN NOT regexp_matches(${c}, '[^0-9.,()+\\s-]') THEN NULL WHEN ${code} IN (${KNOWN_CODES}) THEN ${code} ${symbols} END`;
}

/** ISO codes read from amount text (a three-letter word that is not a currency, such as `TBD`, is not one). */
const KNOWN_CODES = [
	'EUR',
	'USD',
	'GBP',
	'JPY',
	'CAD',
	'AUD',
	'NZD',
	'CHF',
	'SEK',
	'NOK',
	'DKK',
	'PLN',
	'CZK',
	'HUF',
	'BRL',
	'MXN',
	'INR',
	'CNY',
	'HKD',
	'SGD',
	'ZAR',
	'TRY',
	'RUB',
	'KRW',
	'ILS',
	'AED',
	'RON',
	'BGN'
]
	.map((code) => `'${code}'`)
	.join(', ');

/** A text column as a trimmed value, NULL when empty or when the mapping has no such column. */
function text(column: string | null | undefined): string {
	return column ? `NULLIF(trim(${ident(column)}), '')` : NULL_TEXT;
}

/** Spaces of every kind, the no-break ones too (RE2's \\s is ASCII only). */
const ANY_SPACE = '[\\s\\x{00A0}\\x{1680}\\x{2000}-\\x{200B}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]';

/**
 * A customer key as written, with a spreadsheet's `17850.0` read as `17850` (UCI's ids went
 * through a float column). An e-mail address is one customer however it is written: lower case,
 * without spaces of any kind (`Anna@Shop.com`, `anna@shop.com `, `anna@shop.com` with a no-break
 * space). Other keys keep their case and inner spaces.
 */
export function customerKeySql(column: string): string {
	const key = `regexp_replace(${text(column)}, '^([0-9]+)\\.0+$', '\\1')`;
	const email = `lower(regexp_replace(${ident(column)}, '${ANY_SPACE}+', '', 'g'))`;
	// `contains` first: the regular expressions run only on values with an @ (DuckDB evaluates `email` once).
	return `CASE WHEN contains(${ident(column)}, '@') AND regexp_full_match(${email}, '[^@]+@[^@]+\\.[a-z]{2,}') THEN ${email} ELSE ${key} END`;
}

/** Reads yes/no, true/false, 1/0, subscribed… into a BOOLEAN (NULL when unknown). */
function booleanSql(column: string | null | undefined): string {
	if (!column) return 'NULL::BOOLEAN';
	const v = `lower(trim(${ident(column)}))`;
	return `CASE WHEN ${v} IN ('yes', 'y', 'true', 't', '1', 'subscribed', 'opt-in', 'opted in') THEN true
		WHEN ${v} IN ('no', 'n', 'false', 'f', '0', 'unsubscribed', 'not subscribed', 'opt-out', 'opted out') THEN false END`;
}

/** The input of `inputRowsSql`: one relation per file (a `read_csv(...)` call, a table or a subquery). */
export type Sources = string | readonly string[];

/**
 * The order a row of `input_rows` belongs to: its order reference, or the row alone (`rowid` is
 * the row's position, so the key is stable across queries).
 */
export const ORDER_KEY = `coalesce(order_ref, '#row ' || CAST(rowid AS VARCHAR))`;

/**
 * Creates `input_rows`: one row per file row (its `rowid` is the row's position across the files,
 * in file order), with `file_index`, the parsed customer, order reference, date, amount and every
 * optional field, and `row_reason` (why the row itself
 * cannot be used, or NULL; reasons of whole orders come later, in `order_candidates`). The raw
 * date and amount text is kept only where parsing failed (for the excluded-rows download). An
 * engagement date is optional, so an empty or unreadable one never excludes a row.
 */
export function inputRowsSql(sources: Sources, plan: ReadPlan): string {
	const { mapping, dateFormat, amountFormat } = plan;
	const options = plan.options ?? DEFAULT_READ_OPTIONS;
	const built = !mapping.amount && mapping.quantity && mapping.unitPrice;
	if (!mapping.customerId || !mapping.orderDate || !(mapping.amount || built) || !dateFormat || !amountFormat) {
		throw new Error('A customer, an order date and an amount (or a quantity and a unit price) are needed');
	}
	const list = typeof sources === 'string' ? [sources] : sources;
	const from =
		list.length === 1
			? `(SELECT *, 0 AS file_index FROM ${list[0]})`
			: `(${list.map((s, i) => `SELECT *, ${i} AS file_index FROM ${s}`).join('\nUNION ALL BY NAME\n')})`;
	const number = (column: string | null | undefined) => (column ? amountSql(column, amountFormat) : 'NULL::DOUBLE');
	const amount = built ? `${number(mapping.quantity)} * ${number(mapping.unitPrice)}` : number(mapping.amount);
	const amountText = built ? `concat_ws(' × ', ${ident(mapping.quantity!)}, ${ident(mapping.unitPrice!)})` : ident(mapping.amount!);
	const customer = [customerKeySql(mapping.customerId), ...options.customerFallbacks.map(customerKeySql)];
	const fallbackUsed = options.customerFallbacks.length > 0 ? `${customerKeySql(mapping.customerId)} IS NULL` : 'false';
	const engaged = mapping.lastEngaged ? dateSql(mapping.lastEngaged, plan.engagedFormat ?? { order: 'iso', pattern: '' }) : 'NULL::DATE';
	const status = mapping.status ? `regexp_replace(lower(${text(mapping.status)}), '^wc-', '')` : NULL_TEXT;
	// Row-level amounts: a row whose amount cannot be read is excluded on its own. Order-level
	// totals appear on one row of the order only, so an empty amount is that order's business.
	// Implausible dates and amounts are flagged, not guessed at: the row is excluded and shown.
	const rowReason = `CASE WHEN ${implausibleDateSql('order_date')} THEN 'implausible_date' WHEN ${implausibleAmountSql('amount')} THEN 'implausible_amount'
		${options.amountLevel === 'row' ? `WHEN amount IS NULL THEN 'unreadable_amount'` : ''} END`;
	return `CREATE OR REPLACE TABLE input_rows AS
SELECT file_index, customer_id, customer_fallback, order_ref, order_date,
	CASE WHEN ${implausibleAmountSql('amount')} THEN NULL ELSE amount END AS amount, unit_price, quantity, refund, status, cancelled, currency, engaged_at,
	email, first_name, last_name, full_name, phone, country, city, channel, coupon, payment_method, accepts_marketing, tags,
	sku, product, category,
	CASE WHEN order_date IS NULL THEN date_text END AS date_text,
	CASE WHEN amount IS NULL OR ${implausibleAmountSql('amount')} THEN amount_text END AS amount_text,
	${rowReason} AS row_reason
FROM (
	SELECT file_index,
		coalesce(${customer.join(', ')}) AS customer_id,
		${fallbackUsed} AS customer_fallback,
		${text(mapping.orderId)} AS order_ref,
		${dateSql(mapping.orderDate, dateFormat)} AS order_date,
		${amount} AS amount,
		${saneNumberSql(number(mapping.unitPrice))} AS unit_price,
		${saneNumberSql(number(mapping.quantity))} AS quantity,
		${saneNumberSql(number(mapping.refunded))} AS refund,
		${status} AS status,
		${mapping.cancelledAt ? `${text(mapping.cancelledAt)} IS NOT NULL` : 'false'} AS cancelled,
		${mapping.currency ? `upper(${text(mapping.currency)})` : mapping.amount ? amountCurrencySql(mapping.amount) : NULL_TEXT} AS currency,
		${engaged} AS engaged_at,
		${mapping.email ? `lower(${text(mapping.email)})` : NULL_TEXT} AS email,
		${text(mapping.firstName)} AS first_name, ${text(mapping.lastName)} AS last_name, ${text(mapping.fullName)} AS full_name,
		${text(mapping.phone)} AS phone, ${text(mapping.country)} AS country, ${text(mapping.city)} AS city,
		${text(mapping.channel)} AS channel, ${text(mapping.coupon)} AS coupon, ${text(mapping.paymentMethod)} AS payment_method,
		${booleanSql(mapping.acceptsMarketing)} AS accepts_marketing, ${text(mapping.tags)} AS tags,
		${text(mapping.sku)} AS sku, ${text(mapping.product)} AS product, ${text(mapping.category)} AS category,
		${ident(mapping.orderDate)} AS date_text,
		${amountText} AS amount_text
	FROM ${from}
)`;
}

/**
 * Marks rows of an order (or, without order ids, an identical row) that an earlier file already
 * had: overlapping monthly exports count each order once. Only needed with several files.
 */
export function duplicateRowsSql(hasOrderRef: boolean): string {
	const key = hasOrderRef
		? 'order_ref'
		: `concat_ws('|', customer_id, CAST(order_date AS VARCHAR), CAST(amount AS VARCHAR), date_text, amount_text)`;
	return `UPDATE input_rows SET row_reason = 'duplicate'
FROM (SELECT ${key} AS k, min(file_index) AS first_file FROM input_rows GROUP BY ALL) AS firsts
WHERE ${key} IS NOT DISTINCT FROM firsts.k AND input_rows.file_index > firsts.first_file`;
}

/**
 * SQL of the status checks: which reason an order's status gives (NULL: a sale). Cancelled and
 * refunded statuses get their own reasons; other excluded statuses are "not a sale".
 */
function statusReasonSql(options: ReadOptions): string {
	if (options.excludedStatuses.length === 0) return 'NULL';
	const list = options.excludedStatuses.map((s) => str(s)).join(', ');
	return `CASE WHEN status IN (${list}) THEN CASE WHEN status LIKE '%cancel%' THEN 'cancelled' WHEN status LIKE '%refund%' THEN 'refunded'
		WHEN status LIKE '%test%' THEN 'test_order' ELSE 'not_a_sale' END END`;
}

/**
 * Creates `order_candidates`: the usable rows grouped into orders, each with `reason` (NULL for a
 * counted order, `return` for a cancellation or credit that nets out of its customer's revenue,
 * or why the whole order is excluded). With order-level amounts the group is the order alone and
 * its customer, status and currency are read from whichever row has them; otherwise the group is
 * (customer, order), as before.
 */
export function orderCandidatesSql(plan: ReadPlan): string {
	const options = plan.options ?? DEFAULT_READ_OPTIONS;
	const orderLevel = options.amountLevel === 'order';
	const customer = orderLevel ? 'max(customer_id)' : 'customer_id';
	const amount = orderLevel ? 'max(amount)' : 'sum(amount)';
	const cancelReturn = options.cancelPrefix ? `starts_with(order_id, ${str(options.cancelPrefix)})` : 'false';
	return `CREATE OR REPLACE TABLE order_candidates AS
SELECT *,
	CASE WHEN customer_id IS NULL THEN 'no_customer'
		WHEN ordered_at IS NULL THEN 'unreadable_date'
		WHEN gross IS NULL THEN 'unreadable_amount'
		WHEN cancelled AND NOT ${cancelReturn} THEN 'cancelled'
		ELSE coalesce(${statusReasonSql(options)},
			CASE WHEN ${cancelReturn} OR amount < 0 THEN 'return'
				WHEN amount = 0 AND refunded > 0 THEN 'refunded'
				${options.zeroOrders === 'counted' ? '' : `WHEN amount = 0 THEN 'zero_amount'`} END)
	END AS reason
FROM (
	SELECT ${customer} AS customer_id, ${ORDER_KEY} AS order_id, min(order_date) AS ordered_at,
		${amount} AS gross, ${amount} - coalesce(max(refund), 0) AS amount, max(refund) AS refunded,
		CAST(count(*) AS INTEGER) AS lines, sum(quantity) AS items, max(status) AS status, bool_or(cancelled) AS cancelled,
		max(currency) AS currency, max(engaged_at) AS engaged_at, bool_or(customer_fallback) AS customer_fallback,
		max(email) AS email, max(first_name) AS first_name, max(last_name) AS last_name, max(full_name) AS full_name,
		max(phone) AS phone, max(country) AS country, max(city) AS city, max(channel) AS channel, max(coupon) AS coupon,
		max(payment_method) AS payment_method, bool_or(accepts_marketing) AS accepts_marketing, max(tags) AS tags
	FROM input_rows WHERE row_reason IS NULL
	GROUP BY ${orderLevel ? ORDER_KEY : `customer_id, ${ORDER_KEY}`}
)`;
}

/** Currencies of the orders that would be counted, most orders first. */
export const CURRENCIES_SQL = `SELECT currency, CAST(count(*) AS DOUBLE) AS orders FROM order_candidates
WHERE reason IS NULL AND currency IS NOT NULL GROUP BY currency ORDER BY orders DESC, currency`;

/** Excludes orders in other currencies than `currency`. */
export function otherCurrencySql(currency: string): string {
	return `UPDATE order_candidates SET reason = 'other_currency' WHERE reason IS NULL AND currency IS DISTINCT FROM ${str(currency)}`;
}

/**
 * The canonical tables from `order_candidates`: `orders` (counted orders), `returns` (credits
 * netting out of revenue), `order_lines` (the counted orders' lines) and `customers` (one row per
 * customer with orders, the latest known contact details).
 */
export function canonicalTablesSql(plan: ReadPlan): string[] {
	const options = plan.options ?? DEFAULT_READ_OPTIONS;
	const orderLevel = options.amountLevel === 'order';
	const hasLines = Boolean(plan.mapping.sku || plan.mapping.product || plan.mapping.category);
	// Order-level files read a line's worth from its quantity and price; row-level lines are the amounts.
	const lineAmount = orderLevel ? 'i.quantity * i.unit_price' : 'i.amount';
	return [
		`CREATE OR REPLACE TABLE orders AS
SELECT customer_id, order_id, ordered_at, amount, lines, engaged_at, items, status, currency, channel, coupon, country, city, payment_method
FROM order_candidates WHERE reason IS NULL`,
		`CREATE OR REPLACE TABLE returns AS
SELECT customer_id, order_id, ordered_at AS returned_at, amount FROM order_candidates WHERE reason = 'return'`,
		hasLines
			? `CREATE OR REPLACE TABLE order_lines AS
SELECT o.customer_id, o.order_id, i.sku, i.product, i.category, i.quantity, ${lineAmount} AS line_amount
FROM (SELECT *, ${ORDER_KEY} AS order_key FROM input_rows WHERE row_reason IS NULL) AS i
JOIN orders o ON o.order_id = i.order_key ${orderLevel ? '' : 'AND o.customer_id = i.customer_id'}`
			: `CREATE OR REPLACE TABLE order_lines (customer_id VARCHAR, order_id VARCHAR, sku VARCHAR, product VARCHAR, category VARCHAR,
	quantity DOUBLE, line_amount DOUBLE)`,
		`CREATE OR REPLACE TABLE customers AS
SELECT customer_id, arg_max(email, ordered_at) FILTER (WHERE email IS NOT NULL) AS email,
	arg_max(first_name, ordered_at) FILTER (WHERE first_name IS NOT NULL) AS first_name,
	arg_max(last_name, ordered_at) FILTER (WHERE last_name IS NOT NULL) AS last_name,
	arg_max(full_name, ordered_at) FILTER (WHERE full_name IS NOT NULL) AS name,
	arg_max(phone, ordered_at) FILTER (WHERE phone IS NOT NULL) AS phone,
	arg_max(country, ordered_at) FILTER (WHERE country IS NOT NULL) AS country,
	arg_max(city, ordered_at) FILTER (WHERE city IS NOT NULL) AS city,
	arg_max(accepts_marketing, ordered_at) FILTER (WHERE accepts_marketing IS NOT NULL) AS accepts_marketing,
	arg_max(tags, ordered_at) FILTER (WHERE tags IS NOT NULL) AS tags
FROM order_candidates WHERE reason IS NULL GROUP BY customer_id`
	];
}

/** Rows and revenue per exclusion reason, and the rows and amount netted out as returns. */
export const EXCLUSION_COUNTS_SQL = `SELECT row_reason AS reason, CAST(count(*) AS DOUBLE) AS rows, CAST(sum(amount) AS DOUBLE) AS revenue
FROM input_rows WHERE row_reason IS NOT NULL GROUP BY row_reason
UNION ALL
SELECT reason, CAST(sum(lines) AS DOUBLE) AS rows, CAST(sum(gross) AS DOUBLE) AS revenue
FROM order_candidates WHERE reason IS NOT NULL GROUP BY reason`;

/**
 * Every excluded row with its file, row number (1 = the file's first data row), reason and the
 * values as written. Rows of an excluded order carry the order's reason. Lines that never became
 * rows (`rejected_rows`) come with the line as written in `line`.
 */
export function excludedRowsSql(plan: ReadPlan, fileNames: readonly string[]): string {
	const orderLevel = (plan.options ?? DEFAULT_READ_OPTIONS).amountLevel === 'order';
	const files = fileNames.map((n, i) => `(${i}, ${str(n)})`).join(', ');
	return `WITH numbered AS (
	SELECT *, rowid AS position, ${ORDER_KEY} AS order_key, rowid - min(rowid) OVER (PARTITION BY file_index) + 1 AS row_number FROM input_rows
), reasons AS (
	SELECT n.*, coalesce(n.row_reason, c.reason) AS reason
	FROM numbered n LEFT JOIN order_candidates c
		ON n.row_reason IS NULL AND c.order_id = n.order_key ${orderLevel ? '' : 'AND c.customer_id IS NOT DISTINCT FROM n.customer_id'}
), excluded AS (
	SELECT file_index, ${rowNumberSql('reasons.file_index', 'reasons.row_number')} AS row_number, reason, customer_id, order_ref AS order_id,
		coalesce(date_text, CAST(order_date AS VARCHAR)) AS order_date, coalesce(amount_text, CAST(amount AS VARCHAR)) AS amount, status,
		NULL::VARCHAR AS line
	FROM reasons WHERE reason IS NOT NULL AND reason <> 'return'
	UNION ALL
	-- Lines that never became rows (rejects.ts), with the line as written.
	SELECT file_index, row_number, reason, NULL, NULL, NULL, NULL, NULL, line FROM rejected_rows
)
SELECT f.name AS file, CAST(row_number AS BIGINT) AS row_number, reason, customer_id, order_id, order_date, amount, status, line
FROM excluded JOIN (VALUES ${files}) AS f(i, name) ON f.i = excluded.file_index
ORDER BY file_index, row_number`;
}
