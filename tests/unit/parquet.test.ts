/**
 * The scored customer table as Parquet, written without DuckDB's parquet extension and read back
 * with hyparquet: every value and type survives.
 */
import { describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { customersExportSql } from '../../src/lib/rfm/analysis';
import { scoredCustomersParquet, scoredCustomersSql } from '../../src/lib/builder/parquet';
import { openWasmDb } from './duckdb-wasm-node';

describe('Parquet export', () => {
	it('holds every scored customer with the CSV export’s values and typed columns', async () => {
		const db = await openWasmDb();
		try {
			await db.run(`CREATE TABLE orders AS SELECT 'C' || (i % 37) AS customer_id, 'O' || i AS order_id,
				DATE '2024-01-01' + CAST(i * 7 % 300 AS INTEGER) AS ordered_at, CAST(5 + i % 50 AS DOUBLE) + 0.25 AS amount,
				1 AS lines, CAST(NULL AS DATE) AS engaged_at FROM range(200) t(i)`);
			await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
			const bytes = scoredCustomersParquet(await db.arrow(scoredCustomersSql(GRID_MAP)));
			expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('PAR1');
			const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
			const schema = parquetMetadata(buffer).schema.slice(1);
			expect(schema.find((s) => s.name === 'first_order')).toMatchObject({ type: 'INT32', converted_type: 'DATE' });
			expect(schema.find((s) => s.name === 'revenue')).toMatchObject({ type: 'DOUBLE' });
			const rows = await parquetReadObjects({ file: buffer });
			const csv = await db.rows<Record<string, unknown>>(customersExportSql(GRID_MAP));
			expect(rows).toHaveLength(37);
			rows.forEach((row, i) => {
				const want = csv[i]!;
				expect({
					...row,
					first_order: (row.first_order as Date).toISOString().slice(0, 10),
					last_order: (row.last_order as Date).toISOString().slice(0, 10),
					monetary: Math.round((row.monetary as number) * 1e4) / 1e4,
					revenue: Math.round((row.revenue as number) * 1e4) / 1e4
				}).toEqual(want);
			});
		} finally {
			db.close();
		}
	}, 60_000);
});
