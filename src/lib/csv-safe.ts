/**
 * One rule for every CSV we write (OWASP's CSV-injection advice): a text cell starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet app shows it as
 * text instead of running it as a formula (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`, `@SUM(…)`).
 * Numbers are not text: a negative amount stays `-12.5`.
 *
 * Two forms of the same rule: `neutraliseCell` for CSV built in TypeScript (the builder's
 * audiences), `neutraliseSql` / `csvSafeQuerySql` for CSV written by DuckDB's `COPY` (customer,
 * selection, excluded-row and prediction exports). Tests check that both agree.
 */

/** The characters a spreadsheet reads as the start of a formula. */
export const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell as it is safe to write (prefixed with `'` when it would start a formula). */
export function neutraliseCell(text: string): string {
	return FORMULA_START.test(text) ? `'${text}` : text;
}

// RE2 (DuckDB) reads `\t` and `\r` in a class; `-` last in the class is literal.
const SQL_FORMULA_START = `'^[=+@\\t\\r-]'`;

/** SQL of the same rule on a VARCHAR expression (NULL stays NULL). */
export function neutraliseSql(expression: string): string {
	return `CASE WHEN regexp_matches(${expression}, ${SQL_FORMULA_START}) THEN '''' || ${expression} ELSE ${expression} END`;
}

/**
 * `query` with every VARCHAR column neutralised and every other column unchanged in what a CSV
 * shows: `COLUMNS(*)` keeps the column names and order, and `typeof` (decided per column, not per
 * row) leaves numbers, dates and booleans alone. The result columns are text, which is how COPY
 * writes every column anyway.
 */
export function csvSafeQuerySql(query: string): string {
	const value = 'CAST(COLUMNS(*) AS VARCHAR)';
	return `SELECT CASE WHEN typeof(COLUMNS(*)) = 'VARCHAR' THEN ${neutraliseSql(value)} ELSE ${value} END FROM (${query})`;
}

/**
 * A CSV cell: quoted when it holds a comma, quote or line break; text is neutralised against
 * formula injection by the rule every export shares (`neutraliseCell`).
 */
export function csvCell(value: string | number | boolean | null): string {
	if (value === null) return '';
	let text = String(value);
	if (typeof value === 'string') text = neutraliseCell(text);
	return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line of cells written by `csvCell`. */
export const csvLine = (cells: (string | number | boolean | null)[]) => cells.map(csvCell).join(',');
