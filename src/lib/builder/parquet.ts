/**
 * The scored customer table as Parquet. DuckDB-WASM's core build has no parquet extension offline
 * (`COPY … (FORMAT parquet)` would autoload it from the internet, which we forbid), so the table is
 * read from DuckDB as Arrow columns and written by hyparquet-writer: plain JavaScript, no wasm or
 * network, Snappy-compressed, readable by DuckDB, pandas, Spark and BigQuery.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Table } from 'apache-arrow';
import { segmentInfoSql } from '../rfm/segments';
import type { RuleSet } from '../rfm/types';
import { CUSTOMER_SCORES } from '../db/tables';

/** Columns, types and nullability: a DATE column is INT32 days since 1970-01-01. */
const COLUMNS = [
	['customer_id', 'STRING'],
	['first_order', 'DATE'],
	['last_order', 'DATE'],
	['recency_days', 'INT32'],
	['frequency', 'INT32'],
	['monetary', 'DOUBLE'],
	['revenue', 'DOUBLE'],
	['r', 'INT32'],
	['f', 'INT32'],
	['m', 'INT32'],
	['rfm', 'INT32'],
	['segment', 'STRING'],
	['segment_description', 'STRING'],
	['suggested_action', 'STRING']
] as const;

/** The scored customers with the column types above (dates as day numbers), ordered by customer id. */
export function scoredCustomersSql(ruleSet: RuleSet): string {
	return `SELECT customer_id, CAST(first_order - DATE '1970-01-01' AS INTEGER) AS first_order,
	CAST(last_order - DATE '1970-01-01' AS INTEGER) AS last_order, CAST(recency_days AS INTEGER) AS recency_days,
	CAST(frequency AS INTEGER) AS frequency, CAST(monetary AS DOUBLE) AS monetary, CAST(revenue AS DOUBLE) AS revenue,
	CAST(r AS INTEGER) AS r, CAST(f AS INTEGER) AS f, CAST(m AS INTEGER) AS m, CAST(rfm AS INTEGER) AS rfm, segment,
	segment_info.description AS segment_description, segment_info.action AS suggested_action
FROM ${CUSTOMER_SCORES} LEFT JOIN (${segmentInfoSql(ruleSet)}) AS segment_info USING (segment)
ORDER BY customer_id`;
}

/** Parquet bytes of an Arrow table made by `scoredCustomersSql`. */
export function scoredCustomersParquet(table: Table): Uint8Array {
	const schema = [
		{ name: 'root', num_children: COLUMNS.length },
		...COLUMNS.map(([name, type]) => {
			const repetition_type = 'OPTIONAL' as const;
			if (type === 'STRING') return { name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type };
			if (type === 'DATE') return { name, type: 'INT32' as const, converted_type: 'DATE' as const, repetition_type };
			return { name, type, repetition_type };
		})
	];
	const columnData = COLUMNS.map(([name]) => {
		const column = table.getChild(name);
		if (!column) throw new Error(`The scored table has no column ${name}.`);
		// toArray() of a column with nulls gives its values without them: read values one by one instead.
		return { name, data: Array.from({ length: table.numRows }, (_, i) => column.get(i) ?? null) };
	});
	return new Uint8Array(parquetWriteBuffer({ columnData, schema }));
}
