/**
 * The one place where text becomes SQL.
 *
 * Identifiers (column names from a merchant's file) are always quoted; values are written as
 * literals by these helpers. We inline literals rather than bind parameters because most of our
 * statements are DDL (`CREATE TABLE … AS`, `COPY … TO`) or table-function arguments
 * (`read_csv('…')`), where DuckDB does not accept prepared-statement parameters.
 */

/** Quotes an identifier: `Order #` → `"Order #"`, doubling any inner quote. */
export function ident(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A SQL string literal. DuckDB's standard strings have no backslash escapes, so doubling `'` is
 * complete, except for NUL: the query text is a C string that would end there, so a NUL is
 * written as `chr(0)` between literals.
 */
export function str(value: string): string {
	const literal = (part: string) => `'${part.replaceAll("'", "''")}'`;
	if (!value.includes('\0')) return literal(value);
	return `(${value.split('\0').map(literal).join(' || chr(0) || ')})`;
}

/**
 * A numeric literal that DuckDB reads back as exactly the same double.
 * Non-integers use exponent notation, which DuckDB types as DOUBLE (a plain `0.1` would be a
 * DECIMAL, and comparing a DOUBLE column with a DECIMAL widens in ways we do not want).
 */
export function num(value: number): string {
	if (!Number.isFinite(value)) throw new Error(`Not a finite number: ${value}`);
	if (Number.isSafeInteger(value)) return String(value);
	return `${value.toExponential()}`;
}

/** A DATE literal from an ISO `YYYY-MM-DD` string (validated, so it cannot carry SQL). */
export function date(iso: string): string {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`Not an ISO date: ${iso}`);
	return `DATE '${iso}'`;
}
