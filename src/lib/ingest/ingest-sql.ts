/**
 * From a read plan to the `input_rows` table: one row per file row with the parsed customer,
 * order reference, date and amount, and the raw text kept only where parsing failed (for the
 * excluded-rows download).
 */
import { DEFAULT_READ_OPTIONS, type ReadOptions, type ReadPlan } from './columns';
import { dateSeparator, DAY_MONTH_REGEX, MONTH_DAY_REGEX, SERIAL_RANGE, UNIX_RANGE, type AmountFormat, type DateFormat } from './values';
import { REJECT_LABELS, rowNumberSql, type RejectReason } from './rejects';
import { ident, str } from '../sql';
import { DAY_MS, isoDate } from '../dates';
import { CUSTOMERS, INPUT_ROWS, ORDER_CANDIDATES, ORDER_LINES, ORDERS, REJECTED_ROWS, RETURNS } from '../db/tables';

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
	return isoDate(now.getTime() + DAY_MS);
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
 * Marks as implausible the orders of a lone year: under 1% of the rows of counted orders, with no
 * other counted order within five years of it (a `2014` typo in a 2022–2024 file). A shop whose early years were
 * small keeps them: consecutive years are not alone; nor is one early order three years before
 * the rest (the R rfm package's published data has one, and its results count it).
 */
export const ISOLATED_YEARS_SQL = `UPDATE ${ORDER_CANDIDATES} SET reason = 'implausible_date'
WHERE reason IS NULL AND year(ordered_at) IN (
	WITH years AS (SELECT year(ordered_at) AS y, sum(lines) AS n FROM ${ORDER_CANDIDATES} WHERE reason IS NULL AND ordered_at IS NOT NULL GROUP BY 1)
	SELECT a.y FROM years a
	WHERE a.n < 0.01 * (SELECT sum(n) FROM years)
		AND NOT EXISTS (SELECT 1 FROM years b WHERE b.y <> a.y AND abs(b.y - a.y) <= 5)
)`;

/** `YYYY-MM-DD` as a GLOB pattern. */
const ISO_DAY_GLOB = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';

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
			// The GLOBs first: they match the common `2024-03-01` and `2024-03-01 10:00…` at a fraction of the
			// regular expression's cost (a third of the read of a plain file), and only values it matches too.
			return `CASE WHEN ${c} GLOB '${ISO_DAY_GLOB}' OR ${c} GLOB '${ISO_DAY_GLOB}[ T,]*'
		OR regexp_matches(${c}, '^[ \\t]*[0-9]{4}(-[0-9]{1,2}-|/[0-9]{1,2}/)[0-9]{1,2}${end}') THEN TRY_CAST(${c} AS DATE) END`;
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
	const key = text(column);
	// The regular expression only where a dot is: it doubled the cost of reading ids that have none.
	const id = `CASE WHEN contains(${ident(column)}, '.') THEN regexp_replace(${key}, '^([0-9]+)\\.0+$', '\\1') ELSE ${key} END`;
	const email = `lower(regexp_replace(${ident(column)}, '${ANY_SPACE}+', '', 'g'))`;
	// `contains` first: the regular expressions run only on values with an @ (DuckDB evaluates `email` once).
	return `CASE WHEN contains(${ident(column)}, '@') AND regexp_full_match(${email}, '[^@]+@[^@]+\\.[a-z]{2,}') THEN ${email} ELSE ${id} END`;
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

/** Numbers the rows without an order id when the file is read in one pass (`readsInOnePass`). */
export const ROW_SEQUENCE_SQL = 'CREATE OR REPLACE TEMP SEQUENCE file_row START 1';

/**
 * The order a file row belongs to: its order reference, or the row alone. In `input_rows` a row
 * is known by its `rowid` (its position, so the key is stable across queries); read in one pass,
 * by a number from the `file_row` sequence (`ROW_SEQUENCE_SQL`), drawn in file order for exactly
 * the rows without an order id, so a second read after resetting the sequence draws the same.
 */
export function orderKeySql(columns: Set<string>, rows: 'table' | 'pass' = 'table'): string {
	const row = rows === 'table' ? `'#row ' || CAST(rowid AS VARCHAR)` : `'#row ' || CAST(nextval('file_row') AS VARCHAR)`;
	return columns.has('order_ref') ? `CASE WHEN order_ref IS NULL THEN ${row} ELSE order_ref END` : row;
}

/**
 * The columns of `input_rows` a plan fills, each with the SQL reading it from the file's text. Only
 * mapped columns are read and stored: a column the file lacks costs nothing per row (a 4-column
 * export used to carry 25 columns of NULLs through every step, which at 5M rows alone exhausted
 * the browser's memory). Downstream tables give absent columns as typed NULL constants.
 */
function rowColumns(plan: ReadPlan): [name: string, sql: string][] {
	const { mapping, dateFormat, amountFormat } = plan;
	const options = plan.options ?? DEFAULT_READ_OPTIONS;
	const built = !mapping.amount && mapping.quantity && mapping.unitPrice;
	if (!mapping.customerId || !mapping.orderDate || !(mapping.amount || built) || !dateFormat || !amountFormat) {
		throw new Error('A customer, an order date and an amount (or a quantity and a unit price) are needed');
	}
	const number = (column: string) => amountSql(column, amountFormat);
	const amount = built ? `${number(mapping.quantity!)} * ${number(mapping.unitPrice!)}` : number(mapping.amount!);
	const customer = [customerKeySql(mapping.customerId), ...options.customerFallbacks.map(customerKeySql)];
	// An implausible price, quantity or refund is no number at all (an infinite refund would poison a total).
	const sane = (column: string) => saneNumberSql(number(column));
	// Without a currency column, amounts written with symbols or codes say their currency (not for
	// plain numbers: a file the sample shows without symbols pays nothing for it).
	const currency: [string | null, (c: string) => string] = mapping.currency
		? [mapping.currency, (c) => `upper(${text(c)})`]
		: [mapping.amount && !amountFormat.plain ? mapping.amount : null, amountCurrencySql];
	const columns: [string, string | null | undefined, (c: string) => string][] = [
		['order_ref', mapping.orderId, text],
		['unit_price', mapping.unitPrice, sane],
		['quantity', mapping.quantity, sane],
		['refund', mapping.refunded, sane],
		['status', mapping.status, (c) => `regexp_replace(lower(${text(c)}), '^wc-', '')`],
		['cancelled', mapping.cancelledAt, (c) => `${text(c)} IS NOT NULL`],
		['currency', ...currency],
		['engaged_at', mapping.lastEngaged, (c) => dateSql(c, plan.engagedFormat ?? { order: 'iso', pattern: '' })],
		['email', mapping.email, (c) => `lower(${text(c)})`],
		['first_name', mapping.firstName, text],
		['last_name', mapping.lastName, text],
		['full_name', mapping.fullName, text],
		['phone', mapping.phone, text],
		['country', mapping.country, text],
		['city', mapping.city, text],
		['channel', mapping.channel, text],
		['coupon', mapping.coupon, text],
		['payment_method', mapping.paymentMethod, text],
		['accepts_marketing', mapping.acceptsMarketing, booleanSql],
		['tags', mapping.tags, text],
		['sku', mapping.sku, text],
		['product', mapping.product, text],
		['category', mapping.category, text]
	];
	return [
		['customer_id', `coalesce(${customer.join(', ')})`],
		...(options.customerFallbacks.length > 0 ? [['customer_fallback', `${customer[0]} IS NULL`] as [string, string]] : []),
		['order_date', dateSql(mapping.orderDate, dateFormat)],
		['amount', amount],
		...columns.filter(([, column]) => column).map(([name, column, read]) => [name, read(column!)] as [string, string]),
		['date_text', ident(mapping.orderDate)],
		['amount_text', built ? `concat_ws(' × ', ${ident(mapping.quantity!)}, ${ident(mapping.unitPrice!)})` : ident(mapping.amount!)]
	];
}

/** Types of the optional columns, for the typed NULL that stands in when the file lacks one. */
const OPTIONAL_TYPES: Record<string, string> = {
	order_ref: 'VARCHAR',
	customer_fallback: 'BOOLEAN',
	unit_price: 'DOUBLE',
	quantity: 'DOUBLE',
	refund: 'DOUBLE',
	status: 'VARCHAR',
	cancelled: 'BOOLEAN',
	currency: 'VARCHAR',
	engaged_at: 'DATE',
	accepts_marketing: 'BOOLEAN'
};

/**
 * The columns the file rows (and `input_rows`) have for a plan (see `rowColumns`): SQL reading them
 * uses a typed NULL (`OPTIONAL_TYPES`) for a column the plan does not read.
 */
export function inputColumns(plan: ReadPlan): Set<string> {
	return new Set(rowColumns(plan).map(([name]) => name));
}

/**
 * The file rows as the pipeline reads them: one row per file row with `file_index`, the parsed
 * customer, date, amount, the optional fields the plan maps (and only those), and `row_reason`
 * (why the row itself cannot be used, or NULL; reasons of whole orders come later, in
 * `order_candidates`). The raw date and amount text is kept only where parsing failed (for the
 * excluded-rows download). An engagement date is optional, so an empty or unreadable one never
 * excludes a row.
 */
export function fileRowsSql(sources: Sources, plan: ReadPlan): string {
	const options = plan.options ?? DEFAULT_READ_OPTIONS;
	const list = typeof sources === 'string' ? [sources] : sources;
	const from =
		list.length === 1
			? `(SELECT *, 0 AS file_index FROM ${list[0]})`
			: `(${list.map((s, i) => `SELECT *, ${i} AS file_index FROM ${s}`).join('\nUNION ALL BY NAME\n')})`;
	const columns = rowColumns(plan);
	const names = columns
		.map(([name]) => name)
		.filter((n) => n !== 'date_text' && n !== 'amount_text')
		// An implausible amount is kept out of every sum (the excluded rows show it as written).
		.map((n) => (n === 'amount' ? `CASE WHEN ${implausibleAmountSql('amount')} THEN NULL ELSE amount END AS amount` : n));
	// Row-level amounts: a row whose amount cannot be read is excluded on its own. Order-level
	// totals appear on one row of the order only, so an empty amount is that order's business.
	// Implausible dates and amounts are flagged, not guessed at: the row is excluded and shown.
	const rowReason = `CASE WHEN ${implausibleDateSql('order_date')} THEN 'implausible_date' WHEN ${implausibleAmountSql('amount')} THEN 'implausible_amount'
		${options.amountLevel === 'row' ? `WHEN amount IS NULL THEN 'unreadable_amount'` : ''} END`;
	return `SELECT file_index, ${names.join(', ')},
	CASE WHEN order_date IS NULL THEN date_text END AS date_text,
	CASE WHEN amount IS NULL OR ${implausibleAmountSql('amount')} THEN amount_text END AS amount_text,
	${rowReason} AS row_reason
FROM (
	SELECT file_index, ${columns.map(([name, sql]) => `${sql} AS ${name}`).join(',\n\t\t')}
	FROM ${from}
)`;
}

/**
 * Creates `input_rows`: the file rows (`fileRowsSql`) as a table, whose `rowid` is the row's
 * position across the files. `database`: where to create it (see `ingestDatabase`); null: the default.
 */
export function inputRowsSql(sources: Sources, plan: ReadPlan, database: string | null = null): string {
	return `CREATE OR REPLACE TABLE ${database ? `${ident(database)}.main.` : ''}${INPUT_ROWS} AS\n${fileRowsSql(sources, plan)}`;
}

/** The tables the ingest creates per row, line or order of the file (the rest is per customer, or views). */
export const INGEST_TABLES = [INPUT_ROWS, ORDER_CANDIDATES, ORDER_LINES] as const;

/** Drops the ingest tables from every database that has them (a file goes to one database or the other). */
export const INGEST_TABLES_SQL = `SELECT database_name AS database, table_name AS name FROM duckdb_tables()
WHERE schema_name = 'main' AND table_name IN (${INGEST_TABLES.map((t) => str(t)).join(', ')})`;

/**
 * Whether the file rows can go straight into `order_candidates` in one pass, with no `input_rows`
 * table: one file (several need the earlier-file check) with order ids (without them every row is
 * an order, keyed by its position). That skips writing the whole file into memory, the costliest
 * step of a large export; its line items, if any, come from a second read (`orderLinesSql`).
 */
export function readsInOnePass(plan: ReadPlan, fileCount: number): boolean {
	return fileCount === 1 && Boolean(plan.mapping.orderId);
}

/** Whether the plan reads line items (a product, SKU or category): `order_lines` then holds them. */
export function hasLineItems(plan: ReadPlan): boolean {
	return Boolean(plan.mapping.sku || plan.mapping.product || plan.mapping.category);
}

/**
 * Marks rows of an order (or, without order ids, an identical row) that an earlier file already
 * had: overlapping monthly exports count each order once. Only needed with several files.
 */
export function duplicateRowsSql(hasOrderRef: boolean): string {
	const key = hasOrderRef
		? 'order_ref'
		: `concat_ws('|', customer_id, CAST(order_date AS VARCHAR), CAST(amount AS VARCHAR), date_text, amount_text)`;
	return `UPDATE ${INPUT_ROWS} SET row_reason = 'duplicate'
FROM (SELECT ${key} AS k, min(file_index) AS first_file FROM ${INPUT_ROWS} GROUP BY ALL) AS firsts
WHERE ${key} IS NOT DISTINCT FROM firsts.k AND ${INPUT_ROWS}.file_index > firsts.first_file`;
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
 * One of `count` parts of the file's orders, grouped in a pass of its own. Grouping a file's
 * orders holds every order in a hash table at once (about 140 bytes each): past some 5 million
 * orders that alone would exhaust a browser tab's memory, which cannot spill to disk. In parts,
 * each pass reads the file again but holds only its part's orders.
 */
export interface OrderPart {
	index: number;
	count: number;
}

/**
 * The part a file row's order falls in: by customer when orders are (customer, order) groups, by
 * order id when the order alone is the group (its customer may be on one row only). Rows excluded
 * on their own are all in part 0, as are rows without the key.
 */
function partSql(plan: ReadPlan, count: number): string {
	const orderLevel = (plan.options ?? DEFAULT_READ_OPTIONS).amountLevel === 'order';
	const key = orderLevel ? (inputColumns(plan).has('order_ref') ? 'order_ref' : 'NULL') : 'customer_id';
	return `CASE WHEN row_reason IS NOT NULL OR ${key} IS NULL THEN 0 ELSE hash(${key}) % ${count} END`;
}

/**
 * Creates `order_candidates`: the usable rows grouped into orders, each with `reason` (NULL for a
 * counted order, `return` for a cancellation or credit that nets out of its customer's revenue,
 * or why the whole order is excluded). With order-level amounts the group is the order alone and
 * its customer, status and currency are read from whichever row has them; otherwise the group is
 * (customer, order), as before. Only the columns the plan reads are aggregated; the others are
 * typed NULL constants, so every later query sees one shape. `rows`: `input_rows` (null) or, read
 * in one pass, the file rows' SQL (`fileRowsSql`, after `ROW_SEQUENCE_SQL`). `database`: as for `inputRowsSql`.
 */
export function orderCandidatesSql(
	plan: ReadPlan,
	rows: string | null = null,
	database: string | null = null,
	part: OrderPart = { index: 0, count: 1 }
): string {
	const options = plan.options ?? DEFAULT_READ_OPTIONS;
	const columns = inputColumns(plan);
	const orderLevel = options.amountLevel === 'order';
	const key = orderKeySql(columns, rows === null ? 'table' : 'pass');
	const amount = orderLevel ? 'max(amount)' : 'sum(amount)';
	const cancelReturn = options.cancelPrefix ? `starts_with(order_id, ${str(options.cancelPrefix)})` : 'false';
	// Only the optional columns the plan reads are aggregated and stored: `orders` and `customers`
	// give the others as typed NULLs, so a column the file lacks costs nothing per order.
	const optional = OPTIONAL_ORDER_FIELDS.filter(([name]) => columns.has(name)).map(
		([name, fn, alias]) => `, ${fn}(${name}) AS ${alias ?? name}`
	);
	const refund = columns.has('refund') ? 'max(refund)' : 'NULL::DOUBLE';
	// Rows excluded on their own are grouped by reason alone (one group each), so that the report
	// counts every row from this one table, whether or not the rows were kept.
	const usable = (sql: string) => `CASE WHEN row_reason IS NULL THEN ${sql} END`;
	const table = `${database ? `${ident(database)}.main.` : ''}${ORDER_CANDIDATES}`;
	const from = rows === null ? INPUT_ROWS : `(${rows})`;
	const filtered = part.count === 1 ? from : `(SELECT * FROM ${from} WHERE ${partSql(plan, part.count)} = ${part.index})`;
	return `${part.index === 0 ? `CREATE OR REPLACE TABLE ${table} AS` : `INSERT INTO ${table}`}
SELECT * EXCLUDE (row_reason),
	CASE WHEN row_reason IS NOT NULL THEN row_reason
		WHEN customer_id IS NULL THEN 'no_customer'
		WHEN ordered_at IS NULL THEN 'unreadable_date'
		WHEN gross IS NULL THEN 'unreadable_amount'
		${columns.has('cancelled') ? `WHEN cancelled AND NOT ${cancelReturn} THEN 'cancelled'` : ''}
		ELSE coalesce(${columns.has('status') ? statusReasonSql(options) : 'NULL'},
			CASE WHEN ${cancelReturn} OR amount < 0 THEN 'return'
				${columns.has('refund') ? `WHEN amount = 0 AND refunded > 0 THEN 'refunded'` : ''}
				${options.zeroOrders === 'counted' ? '' : `WHEN amount = 0 THEN 'zero_amount'`} END)
	END AS reason
FROM (
	SELECT ${orderLevel ? 'max(customer_id)' : 'group_customer'} AS customer_id, group_order AS order_id, min(order_date) AS ordered_at,
		${amount} AS gross, ${columns.has('refund') ? `${amount} - coalesce(${refund}, 0) AS amount, ${refund} AS refunded` : `${amount} AS amount`},
		CAST(count(*) AS INTEGER) AS lines${optional.join('')}, row_reason
	FROM (SELECT *, ${orderLevel ? '' : `${usable('customer_id')} AS group_customer, `}${usable(key)} AS group_order FROM ${filtered})
	GROUP BY row_reason, ${orderLevel ? '' : 'group_customer, '}group_order
)`;
}

/**
 * Optional per-order fields `order_candidates` carries when the plan reads them: the input column,
 * its aggregate over the order's rows, and its name in `order_candidates` when another.
 */
const OPTIONAL_ORDER_FIELDS: [name: string, aggregate: 'max' | 'bool_or' | 'sum', alias?: string][] = [
	['quantity', 'sum', 'items'],
	['status', 'max'],
	['cancelled', 'bool_or'],
	['currency', 'max'],
	['engaged_at', 'max'],
	['customer_fallback', 'bool_or'],
	['email', 'max'],
	['first_name', 'max'],
	['last_name', 'max'],
	['full_name', 'max'],
	['phone', 'max'],
	['country', 'max'],
	['city', 'max'],
	['channel', 'max'],
	['coupon', 'max'],
	['payment_method', 'max'],
	['accepts_marketing', 'bool_or'],
	['tags', 'max']
];

/** How many optional fields `order_candidates` keeps per order for the plan (what grouping costs: `groupingBytesPerOrder`). */
export function optionalOrderFields(plan: ReadPlan): number {
	const columns = inputColumns(plan);
	return OPTIONAL_ORDER_FIELDS.filter(([name]) => columns.has(name)).length + (columns.has('refund') ? 1 : 0);
}

/** A column of `order_candidates`, or a typed NULL when the plan does not read it (see OPTIONAL_ORDER_FIELDS). */
function orderColumn(columns: Set<string>, name: string): string {
	const field = OPTIONAL_ORDER_FIELDS.find(([input, , alias]) => (alias ?? input) === name);
	if (!field || columns.has(field[0])) return name;
	return `NULL::${OPTIONAL_TYPES[field[0]] ?? 'VARCHAR'} AS ${name}`;
}

/** Contact fields of `customers`: the `order_candidates` column and its name in `customers`. */
const CONTACT_FIELDS: [name: string, alias: string][] = [
	['email', 'email'],
	['first_name', 'first_name'],
	['last_name', 'last_name'],
	['full_name', 'name'],
	['phone', 'phone'],
	['country', 'country'],
	['city', 'city'],
	['accepts_marketing', 'accepts_marketing'],
	['tags', 'tags']
];

/** Currencies of the orders that would be counted, most orders first (none when the plan reads no currency). */
export function currenciesSql(plan: ReadPlan): string | null {
	if (!inputColumns(plan).has('currency')) return null;
	return `SELECT currency, CAST(count(*) AS DOUBLE) AS orders FROM ${ORDER_CANDIDATES}
WHERE reason IS NULL AND currency IS NOT NULL GROUP BY currency ORDER BY orders DESC, currency`;
}

/** Excludes orders in other currencies than `currency`. */
export function otherCurrencySql(currency: string): string {
	return `UPDATE ${ORDER_CANDIDATES} SET reason = 'other_currency' WHERE reason IS NULL AND currency IS DISTINCT FROM ${str(currency)}`;
}

/**
 * The canonical relations from `order_candidates`: the views `orders` (counted orders) and `returns`
 * (credits netting out of revenue), which cost no copy of the orders, and the tables `order_lines`
 * and `customers` (one row per customer with orders, the latest known
 * contact details; contact fields the file lacks are NULL constants, not aggregates). `order_lines`
 * starts empty: `orderLinesSql` fills it when the file has line items.
 */
export function canonicalTablesSql(plan: ReadPlan): string[] {
	const columns = inputColumns(plan);
	const order = (name: string) => orderColumn(columns, name);
	const contacts = CONTACT_FIELDS.filter(([name]) => columns.has(name));
	return [
		`CREATE OR REPLACE VIEW ${ORDERS} AS
SELECT customer_id, order_id, ordered_at, amount, lines, ${['engaged_at', 'items', 'status', 'currency', 'channel', 'coupon', 'country', 'city', 'payment_method'].map(order).join(', ')}
FROM ${ORDER_CANDIDATES} WHERE reason IS NULL`,
		`CREATE OR REPLACE VIEW ${RETURNS} AS
SELECT customer_id, order_id, ordered_at AS returned_at, amount FROM ${ORDER_CANDIDATES} WHERE reason = 'return'`,
		// Line items are written by `orderLinesSql`, after this.
		`CREATE OR REPLACE TABLE ${ORDER_LINES} (customer_id VARCHAR, order_id VARCHAR, sku VARCHAR, product VARCHAR, category VARCHAR, quantity DOUBLE, line_amount DOUBLE)`,
		// Without contact details there is nothing to keep per customer: the views that show them
		// look for the table (a million customer ids alone cost a second to group).
		contacts.length === 0
			? 'DROP TABLE IF EXISTS customers'
			: `CREATE OR REPLACE TABLE ${CUSTOMERS} AS
SELECT customer_id, ${CONTACT_FIELDS.map(([name, alias]) =>
					columns.has(name)
						? `arg_max(${name}, ordered_at) FILTER (WHERE ${name} IS NOT NULL) AS ${alias}`
						: `NULL::${OPTIONAL_TYPES[name] ?? 'VARCHAR'} AS ${alias}`
				).join(', ')}
FROM ${ORDER_CANDIDATES} WHERE reason IS NULL GROUP BY customer_id`
	];
}

/**
 * Fills `order_lines` (created empty by `canonicalTablesSql`) with the counted orders' line items:
 * from `input_rows` (`rows` null), or, read in one pass, from the file rows again, for the rows with
 * an order id (`unkeyedLinesSql` adds the others), in the same `part`s as the grouping (the first
 * part creates the table). `database`: where the table goes (one row per line, like the file, so
 * compressed for large files).
 */
export function orderLinesSql(
	plan: ReadPlan,
	rows: string | null = null,
	database: string | null = null,
	part: OrderPart = { index: 0, count: 1 }
): string {
	const columns = inputColumns(plan);
	const from = rows === null ? INPUT_ROWS : `(${rows})`;
	// In parts, as the orders were grouped: joining 20M lines at once ran out of memory in the browser.
	const inPart = part.count === 1 ? '' : ` AND ${partSql(plan, part.count)} = ${part.index}`;
	const source =
		rows === null
			? `(SELECT *, ${orderKeySql(columns)} AS order_key FROM ${from} WHERE row_reason IS NULL${inPart})`
			: `(SELECT *, order_ref AS order_key FROM ${from} WHERE row_reason IS NULL AND order_ref IS NOT NULL${inPart})`;
	const table = `${database ? `${ident(database)}.main.` : ''}${ORDER_LINES}`;
	return `${part.index === 0 ? `CREATE OR REPLACE TABLE ${table} AS` : `INSERT INTO ${table}`}\n${linesFromSql(plan, source)}`;
}

/**
 * The line items of orders without an order id (each one row) in a file read in one pass: its rows
 * read again and keyed as the grouping keyed them (`onePassNumberingSql`, in `parts`). Only needed
 * when such orders exist: the numbering holds the whole file at once.
 */
export function unkeyedLinesSql(plan: ReadPlan, rows: string, parts: number): string {
	return `INSERT INTO ${ORDER_LINES}\n${linesFromSql(plan, `(SELECT * FROM (${onePassNumberingSql(plan, rows, parts)}) WHERE draws)`)}`;
}

/** Line items of the counted orders from `source`, rows with an `order_key`. */
function linesFromSql(plan: ReadPlan, source: string): string {
	const columns = inputColumns(plan);
	const orderLevel = (plan.options ?? DEFAULT_READ_OPTIONS).amountLevel === 'order';
	// Order-level files read a line's worth from its quantity and price; row-level lines are the amounts.
	const lineAmount = !orderLevel
		? 'i.amount'
		: columns.has('quantity') && columns.has('unit_price')
			? 'i.quantity * i.unit_price'
			: 'NULL::DOUBLE';
	const line = (name: string) => (columns.has(name) ? `i.${name}` : `NULL::${OPTIONAL_TYPES[name] ?? 'VARCHAR'} AS ${name}`);
	return `SELECT o.customer_id, o.order_id, ${line('sku')}, ${line('product')}, ${line('category')}, ${line('quantity')}, ${lineAmount} AS line_amount
FROM ${source} AS i
JOIN orders o ON o.order_id = i.order_key ${orderLevel ? '' : 'AND o.customer_id = i.customer_id'}`;
}

/** Whether `order_candidates` has orders without an order id (keyed `#row …`). */
export const UNKEYED_ORDERS_SQL = `SELECT count(*) > 0 AS any FROM ${ORDER_CANDIDATES} WHERE reason IS NULL AND starts_with(order_id, '#row ')`;

/**
 * The import report's counts in one pass over `order_candidates` (rows excluded on their own are
 * grouped there by reason): per reason (NULL: counted), the rows, orders and amounts as read.
 */
export function ingestCountsSql(plan: ReadPlan): string {
	return `SELECT reason, CAST(sum(lines) AS DOUBLE) AS rows, CAST(count(*) AS DOUBLE) AS orders,
	CAST(CASE WHEN reason IS NULL THEN sum(amount) ELSE sum(gross) END AS DOUBLE) AS revenue,
	CAST(CASE WHEN reason IS NULL THEN count(DISTINCT customer_id) ELSE 0 END AS DOUBLE) AS customers,
	CAST(${inputColumns(plan).has('customer_fallback') ? 'count(*) FILTER (WHERE customer_fallback)' : '0'} AS DOUBLE) AS fallback
FROM ${ORDER_CANDIDATES} GROUP BY reason`;
}

/**
 * The file rows of a one-pass read, numbered (`position`, `row_number`) and keyed (`order_key`) as
 * `orderCandidatesSql` keyed them in `parts` passes: there a row without an order id drew its
 * number from the `file_row` sequence in the pass of its part, in file order; here the same number
 * is counted with window functions (rows that drew in earlier parts, then this part's up to the row).
 */
function onePassNumberingSql(plan: ReadPlan, rows: string, parts: number): string {
	const columns = inputColumns(plan);
	const draws = columns.has('order_ref') ? 'row_reason IS NULL AND order_ref IS NULL' : 'row_reason IS NULL';
	const part = parts === 1 ? '0' : partSql(plan, parts);
	const number = `(SELECT count(*) FROM parted p WHERE p.draws AND p.part < n.part) + count(*) FILTER (WHERE draws) OVER (PARTITION BY part ORDER BY position ROWS UNBOUNDED PRECEDING)`;
	const key = `CASE WHEN draws THEN '#row ' || CAST(${number} AS VARCHAR) ${columns.has('order_ref') ? 'ELSE order_ref ' : ''}END`;
	return `WITH parted AS (SELECT *, row_number() OVER () AS position, ${draws} AS draws, ${part} AS part FROM (${rows}))
	SELECT n.*, ${key} AS order_key, position AS row_number FROM parted n`;
}

/**
 * Every excluded row with its file, row number (1 = the file's first data row), reason and the
 * values as written. Rows of an excluded order carry the order's reason. Lines that never became
 * rows (`rejected_rows`) come with the line as written in `line`.
 */
export function excludedRowsSql(plan: ReadPlan, fileNames: readonly string[], sources: Sources | null = null, parts = 1): string {
	const orderLevel = (plan.options ?? DEFAULT_READ_OPTIONS).amountLevel === 'order';
	const columns = inputColumns(plan);
	const files = fileNames.map((n, i) => `(${i}, ${str(n)})`).join(', ');
	// Without `input_rows` (read in one pass) the file is read again: a download is rare, and
	// numbering the rows there costs less than keeping them.
	const numbered =
		sources === null
			? `SELECT *, rowid AS position, ${orderKeySql(columns)} AS order_key, rowid - min(rowid) OVER (PARTITION BY file_index) + 1 AS row_number FROM ${INPUT_ROWS}`
			: onePassNumberingSql(plan, fileRowsSql(sources, plan), parts);
	return `WITH numbered AS (
	${numbered}
), reasons AS (
	SELECT n.*, coalesce(n.row_reason, c.reason) AS reason
	FROM numbered n LEFT JOIN ${ORDER_CANDIDATES} c
		ON n.row_reason IS NULL AND c.order_id = n.order_key ${orderLevel ? '' : 'AND c.customer_id IS NOT DISTINCT FROM n.customer_id'}
), excluded AS (
	SELECT file_index, ${rowNumberSql('reasons.file_index', 'reasons.row_number')} AS row_number, reason, customer_id,
		${columns.has('order_ref') ? 'order_ref' : 'NULL::VARCHAR'} AS order_id,
		coalesce(date_text, CAST(order_date AS VARCHAR)) AS order_date, coalesce(amount_text, CAST(amount AS VARCHAR)) AS amount,
		${columns.has('status') ? 'status' : 'NULL::VARCHAR'} AS status, NULL::VARCHAR AS line
	FROM reasons WHERE reason IS NOT NULL AND reason <> 'return'
	UNION ALL
	-- Lines that never became rows (rejects.ts), with the line as written.
	SELECT file_index, row_number, reason, NULL, NULL, NULL, NULL, NULL, line FROM ${REJECTED_ROWS}
)
SELECT f.name AS file, CAST(row_number AS BIGINT) AS row_number, reason, customer_id, order_id, order_date, amount, status, line
FROM excluded JOIN (VALUES ${files}) AS f(i, name) ON f.i = excluded.file_index
ORDER BY file_index, row_number`;
}
