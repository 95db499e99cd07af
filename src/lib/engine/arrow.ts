/**
 * Arrow results as plain rows. Our SQL casts counts to DOUBLE and dates to text where the main
 * thread needs them, so the conversion only has to turn BigInt into number and Arrow vectors
 * (lists) into arrays.
 */
import type { Table } from 'apache-arrow';

function plain(value: unknown): unknown {
	if (typeof value === 'bigint') return Number(value);
	if (value !== null && typeof value === 'object' && 'toArray' in value && typeof value.toArray === 'function') {
		return Array.from(value.toArray() as ArrayLike<unknown>, plain);
	}
	return value;
}

/** Rows of an Arrow table as plain objects keyed by column name. */
export function rowsOf<T>(table: Table): T[] {
	const names = table.schema.fields.map((f) => f.name);
	const columns = names.map((n) => table.getChild(n));
	const rows: T[] = [];
	for (let i = 0; i < table.numRows; i++) {
		const row: Record<string, unknown> = {};
		names.forEach((name, j) => (row[name] = plain(columns[j]?.get(i) ?? null)));
		rows.push(row as T);
	}
	return rows;
}
