/**
 * Reading dates and amounts the way merchants write them.
 *
 * Detection runs in TypeScript on a sample of rows (the first few hundred, as text) and yields a
 * format; the format is then turned into a SQL expression (see `ingest-sql.ts`) so the whole file
 * is parsed inside DuckDB. The TypeScript parsers here exist for the preview and for tests that
 * check the SQL against them.
 */
import { DAY_MS, isoDate } from '../dates';

/** Day/month order of a written date. `iso` also covers ISO timestamps with a time or offset. */
/** `serial`: a spreadsheet's day number (Excel's 45292 is 2024-01-01), from a CSV saved without date formatting. */
/**
 * `month_day` / `day_month`: English month names ("Mar 3, 2024", "March 3 2024" / "3 March 2024",
 * "03-Mar-2024"); `unix` / `unix_ms`: seconds or milliseconds since 1970 (the UTC day).
 */
export type DateOrder = 'iso' | 'ymd' | 'mdy' | 'dmy' | 'compact' | 'serial' | 'month_day' | 'day_month' | 'unix' | 'unix_ms';

/** Serial day numbers read as dates: 20000 (1954-10-03) to 80000 (2119-01-10); others are ids or amounts. */
export const SERIAL_RANGE = [20000, 80000] as const;
const SERIAL = /^[ \t]*(\d{5})(\.\d+)?[ \t]*$/;
const SERIAL_EPOCH = Date.UTC(1899, 11, 30);

export interface DateFormat {
	order: DateOrder;
	/** DuckDB strptime pattern for the date part (empty for `iso`, which a cast reads). */
	pattern: string;
}

/** How an amount column writes its numbers. */
export interface AmountFormat {
	/** Decimal mark; the other of `.`/`,` (and spaces, apostrophes) is a thousands separator. */
	decimal: '.' | ',';
	/** True when plain numbers are enough (no symbols, no separators seen in the sample). */
	plain: boolean;
}

/**
 * English month names and their usual abbreviations, as one alternation. `ingest-sql.ts` uses the
 * same text in RE2 (case-insensitive), so both read the same values.
 */
export const MONTH_NAME =
	'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
/** An optional weekday before the date ("Sunday, ", "Sun "). */
const WEEKDAY = '(?:[A-Za-z]+,?[ \t]+)?';
/** "Mar 3, 2024", "March 3rd 2024", "Sun, Mar 3, 2024" (then the end, or a time). Groups: month, day, year. */
export const MONTH_DAY_REGEX = `^[ \t]*${WEEKDAY}(${MONTH_NAME})\\.?[ \t]+([0-9]{1,2})(?:st|nd|rd|th)?,?[ \t]+([0-9]{4})(?:$|[ T,])`;
/** "3 March 2024", "03-Mar-2024", "3rd Mar. 2024". Groups: day, month, year. */
export const DAY_MONTH_REGEX = `^[ \t]*${WEEKDAY}([0-9]{1,2})(?:st|nd|rd|th)?[ \t-](${MONTH_NAME})\\.?[ \t,-]+([0-9]{4})(?:$|[ T,])`;
const MONTH_DAY = new RegExp(MONTH_DAY_REGEX, 'i');
const DAY_MONTH = new RegExp(DAY_MONTH_REGEX, 'i');
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Unix times read as dates: 1990-01-01 to 2100-01-01, in seconds (10 digits) or milliseconds (13). */
export const UNIX_RANGE = [631_152_000, 4_102_444_800] as const;
const UNIX = /^[ \t]*(\d{9,10})[ \t]*$/;
const UNIX_MS = /^[ \t]*(\d{12,13})[ \t]*$/;

// Leading blanks are spaces and tabs only (not \s): `ingest-sql.ts` uses the same class in RE2.
const DATE_PART = /^[ \t]*(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?:$|[ T,])/;
const COMPACT = /^[ \t]*(\d{4})(\d{2})(\d{2})[ \t]*$/;

function validYmd(y: number, m: number, d: number): boolean {
	if (m < 1 || m > 12 || d < 1) return false;
	const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
	return d <= days;
}

function iso(y: number, m: number, d: number): string {
	return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function fullYear(y: string): number {
	const n = Number(y);
	// Two-digit years: 69–99 are 19xx, 00–68 are 20xx, as POSIX and DuckDB's strptime `%y` read them.
	return y.length <= 2 ? (n < 69 ? 2000 + n : 1900 + n) : n;
}

/** The separator of a day-month-year format's pattern (`/` in `%m/%d/%Y`); `-` when it names none. */
export function dateSeparator(format: DateFormat): string {
	return /[-/.]/.exec(format.pattern)?.[0] ?? '-';
}

/** Parses the date part of `text` as written (no time-zone shifting) to `YYYY-MM-DD`, or null. */
export function parseDate(text: string, format: DateFormat): string | null {
	if (format.order === 'serial') {
		const m = SERIAL.exec(text);
		const n = m ? Number(m[1]) : NaN;
		if (!(n >= SERIAL_RANGE[0] && n <= SERIAL_RANGE[1])) return null;
		return isoDate(SERIAL_EPOCH + n * DAY_MS);
	}
	if (format.order === 'month_day' || format.order === 'day_month') {
		const m = (format.order === 'month_day' ? MONTH_DAY : DAY_MONTH).exec(text);
		if (!m) return null;
		const [name, day] = format.order === 'month_day' ? [m[1]!, m[2]!] : [m[2]!, m[1]!];
		const [y, mo, d] = [Number(m[3]), MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1, Number(day)];
		return validYmd(y, mo, d) ? iso(y, mo, d) : null;
	}
	if (format.order === 'unix' || format.order === 'unix_ms') {
		const m = (format.order === 'unix' ? UNIX : UNIX_MS).exec(text);
		const seconds = m ? Number(m[1]) / (format.order === 'unix' ? 1 : 1000) : NaN;
		if (!(seconds >= UNIX_RANGE[0] && seconds < UNIX_RANGE[1])) return null;
		return isoDate(Math.floor(seconds / 86_400) * DAY_MS);
	}
	if (format.order === 'compact') {
		const c = COMPACT.exec(text);
		if (!c) return null;
		const [y, m, d] = [Number(c[1]), Number(c[2]), Number(c[3])];
		return validYmd(y, m, d) ? iso(y, m, d) : null;
	}
	const p = DATE_PART.exec(text);
	if (!p) return null;
	const [a, sep, b, c] = [p[1]!, p[2]!, p[3]!, p[4]!];
	// `iso` is what DuckDB's cast reads (`-` or `/`); the other orders use their pattern's separator.
	if (format.order === 'iso' ? sep === '.' : sep !== dateSeparator(format)) return null;
	let y: number, m: number, d: number;
	if (format.order === 'iso' || format.order === 'ymd') {
		if (a.length !== 4 || c.length > 2) return null;
		[y, m, d] = [Number(a), Number(b), Number(c)];
	} else if (a.length > 2 || (c.length !== 2 && c.length !== 4)) {
		return null;
	} else if (format.order === 'mdy') {
		[y, m, d] = [fullYear(c), Number(a), Number(b)];
	} else {
		[y, m, d] = [fullYear(c), Number(b), Number(a)];
	}
	return validYmd(y, m, d) ? iso(y, m, d) : null;
}

/**
 * Chooses the date format that reads the most sample values, or null when fewer than `minShare`
 * of the non-empty values read as dates under any format. Day-first and month-first are told
 * apart by values with a first or second part above 12; when the sample never shows one we
 * prefer month-first only if the separator is `/` (the US habit), day-first otherwise.
 */
export function detectDateFormat(samples: readonly string[], minShare = 0.8, allowSerial = false): DateFormat | null {
	const values = samples.map((s) => s.trim()).filter((s) => s !== '');
	if (values.length === 0) return null;
	const separators = new Map<string, number>();
	let yearLen2 = 0;
	for (const v of values) {
		const p = DATE_PART.exec(v);
		if (p) {
			separators.set(p[2]!, (separators.get(p[2]!) ?? 0) + 1);
			if (p[4]!.length <= 2 && p[1]!.length <= 2) yearLen2++;
		}
	}
	const sep = [...separators.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? '-';
	const yy = yearLen2 > values.length / 2 ? 'y' : 'Y';
	const candidates: DateFormat[] = [
		{ order: 'iso', pattern: '' },
		{ order: 'ymd', pattern: `%Y${sep}%m${sep}%d` },
		{ order: 'mdy', pattern: `%m${sep}%d${sep}%${yy}` },
		{ order: 'dmy', pattern: `%d${sep}%m${sep}%${yy}` },
		{ order: 'compact', pattern: '%Y%m%d' },
		{ order: 'month_day', pattern: '' },
		{ order: 'day_month', pattern: '' },
		// Only for a column the merchant or its header calls a date: five-, ten- and thirteen-digit
		// numbers are often ids, zip codes or phone numbers.
		...(allowSerial
			? ([
					{ order: 'serial', pattern: '' },
					{ order: 'unix', pattern: '' },
					{ order: 'unix_ms', pattern: '' }
				] as DateFormat[])
			: [])
	];
	// On a tie the earlier candidate wins, so order the ambiguous pair by habit.
	if (sep !== '/') candidates.splice(2, 2, candidates[3]!, candidates[2]!);
	let best: DateFormat | null = null;
	let bestCount = 0;
	for (const f of candidates) {
		const count = values.reduce((n, v) => n + (parseDate(v, f) !== null ? 1 : 0), 0);
		if (count > bestCount) [best, bestCount] = [f, count];
	}
	if (best === null || bestCount < values.length * minShare) return null;
	// A bare ISO date that DuckDB can cast is the fast path; `ymd` with other separators is not.
	if (best.order === 'ymd' && sep === '-') return { order: 'iso', pattern: '' };
	return best;
}

/**
 * True when the values read as dates both day-first and month-first and read the same count
 * either way: no value shows a day above 12, so only the merchant knows (`03/04/2024`).
 */
export function dayMonthAmbiguous(samples: readonly string[], format: DateFormat | null): boolean {
	if (!format || (format.order !== 'dmy' && format.order !== 'mdy')) return false;
	const other = swapDayMonth(format);
	const values = samples.map((s) => s.trim()).filter((s) => s !== '');
	return values.length > 0 && values.every((v) => (parseDate(v, format) === null) === (parseDate(v, other) === null));
}

/** The same format with day and month swapped (`%d/%m/%Y` ↔ `%m/%d/%Y`). */
export function swapDayMonth(format: DateFormat): DateFormat {
	if (format.order !== 'dmy' && format.order !== 'mdy') return format;
	return {
		order: format.order === 'dmy' ? 'mdy' : 'dmy',
		pattern: format.pattern.replace('%d', '\u0000').replace('%m', '%d').replace('\u0000', '%m')
	};
}

const CURRENCY_NOISE = /[^\d.,\-−()]/g;
/** A number DuckDB's DOUBLE cast reads as is (the fast path of `amountSql` with a decimal point). */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses an amount as written: currency symbols and codes (`€`, `$`, `EUR`), spaces and
 * thousands separators are dropped, `(12.50)` and a leading or trailing minus are negative.
 */
export function parseAmount(text: string, format: AmountFormat): number | null {
	const trimmed = text.trim();
	if (trimmed === '') return null;
	if (PLAIN_NUMBER.test(trimmed)) {
		// `1e5` and `5e-05` (as spreadsheets and pandas write them) are numbers, not the digits 1 and 5.
		const value = Number(trimmed);
		if (format.decimal === '.' && Number.isFinite(value)) return value;
		// `1e999` is beyond any number, not the digits 1999: the import excludes it as implausible.
		if (/e/i.test(trimmed) && !Number.isFinite(value)) return value;
	}
	// Negative: a minus before the first digit or at the end, or the number inside parentheses
	// (`(12.00)`, `€(12.00)`, `(12.00) EUR`, but not `12.00 (EUR)`).
	const negative = /^[^\d]*[-−]/.test(trimmed) || /[-−]$/.test(trimmed) || (/^[^\d]*\(/.test(trimmed) && /\)[^\d]*$/.test(trimmed));
	let digits = trimmed.replace(CURRENCY_NOISE, '').replace(/[-−()]/g, '');
	if (!/\d/.test(digits)) return null;
	if (format.decimal === ',') digits = digits.replaceAll('.', '').replace(',', '.');
	else digits = digits.replaceAll(',', '');
	if (!/^\d*\.?\d*$/.test(digits)) return null;
	const value = Number(digits);
	if (!Number.isFinite(value)) return null;
	return negative ? -value : value;
}

/**
 * Decides the decimal mark from sample values: a value with both marks shows it (the last one is
 * decimal); `12,50` (one comma, 1–2 digits after) means decimal comma; `1.234.567` means dot
 * thousands. Returns null when fewer than `minShare` of non-empty values read as amounts.
 */
export function detectAmountFormat(samples: readonly string[], minShare = 0.8): AmountFormat | null {
	const values = samples.map((s) => s.trim()).filter((s) => s !== '');
	if (values.length === 0) return null;
	let commaDecimal = 0;
	let dotDecimal = 0;
	let plain = true;
	for (const v of values) {
		const cleaned = v.replace(CURRENCY_NOISE, '');
		if (cleaned !== v.replace(/\s/g, '') || /[,()]/.test(v)) plain = false;
		const lastDot = cleaned.lastIndexOf('.');
		const lastComma = cleaned.lastIndexOf(',');
		if (lastDot >= 0 && lastComma >= 0) {
			if (lastComma > lastDot) commaDecimal++;
			else dotDecimal++;
		} else if (lastComma >= 0) {
			if (/,\d{1,2}$/.test(cleaned) || ((cleaned.match(/,/g) ?? []).length === 1 && !/,\d{3}$/.test(cleaned))) commaDecimal++;
		} else if ((cleaned.match(/\./g) ?? []).length > 1) {
			commaDecimal++;
		} else if (/\.\d{1,2}$/.test(cleaned)) {
			dotDecimal++;
		}
	}
	const format: AmountFormat = { decimal: commaDecimal > dotDecimal ? ',' : '.', plain };
	if (format.decimal === ',') format.plain = false;
	const readable = values.filter((v) => parseAmount(v, format) !== null).length;
	return readable >= values.length * minShare ? format : null;
}
