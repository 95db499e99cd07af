/**
 * Every supported file format through `prepareFile` and the pipeline on DuckDB-WASM (Node build),
 * checked against the figures computed from the fixture's orders (tests/fixtures/orders-data.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquet } from 'parquet-wasm';
import { prepareFile, checkSize, IN_MEMORY_LIMITS, type PrepareHost } from '../../src/lib/ingest/formats/prepare';
import { detectEncoding, recogniseFile } from '../../src/lib/ingest/formats/recognise';
import { cellText, csvField } from '../../src/lib/ingest/formats/csv-writer';
import { jsonRecords, NdjsonReader } from '../../src/lib/ingest/formats/json';
import { oneColumnProblem } from '../../src/lib/ingest/formats/messages';
import { formatLabel, progressAmount } from '../../src/lib/ingest/formats/labels';
import { inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import { FileProblem } from '../../src/lib/errors';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { expectedFigures, FIXTURE_ORDERS } from '../fixtures/orders-data';
import { openWasmDb, testPrepareHost, type WasmTestDb } from './duckdb-wasm-node';

// The Node build writes COPY … TO files to disk (the browser's stay in memory): keep them out of the repo.
const scratch = mkdtempSync(resolve(tmpdir(), 'rfm-formats-'));
const base = () => resolve(scratch, `f-${++counter}`);

const fixture = (name: string) => new File([readFileSync(resolve(import.meta.dirname, '../fixtures/formats', name))], name);

let db: WasmTestDb;
let host: PrepareHost;
let counter = 0;

beforeAll(async () => {
	db = await openWasmDb();
	host = testPrepareHost(db, (bytes) => readParquet(bytes).intoIPCStream());
	// Starting DuckDB-WASM takes seconds on a busy machine.
}, 60_000);
afterAll(() => {
	db.close();
	rmSync(scratch, { recursive: true, force: true });
});

/** Prepares, inspects, loads with the detected mapping and scores: what the engine does for a dropped file. */
async function analyse(file: File, sheet?: string) {
	const prepared = await prepareFile(file, host, { baseName: base(), sheet });
	const inspection = await inspectCsv(db, prepared.name);
	expect(inspection.detection.missing).toEqual([]);
	const ingest = await loadCsv(db, prepared.name, inspection.dialect, inspection.detection.plan);
	const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
	return { prepared, inspection, ingest, headline: rfm.headline };
}

const expected = expectedFigures();

describe('each format loads the same orders', () => {
	const cases: { file: string; format: string; encoding: string | null; name?: string }[] = [
		{ file: 'orders-bom-multiline.csv', format: 'csv', encoding: 'utf-8' },
		{ file: 'orders.tsv', format: 'csv', encoding: 'utf-8' },
		{ file: 'orders-pipe.txt', format: 'csv', encoding: 'utf-8' },
		{ file: 'orders-decimal-comma.csv', format: 'csv', encoding: 'utf-8' },
		{ file: 'orders-latin1.csv', format: 'csv', encoding: 'windows-1252', name: 'Nom' },
		{ file: 'orders-cp1252.csv', format: 'csv', encoding: 'windows-1252', name: 'Name' },
		{ file: 'orders-utf16.txt', format: 'csv', encoding: 'utf-16le', name: 'name' },
		{ file: 'orders.csv.gz', format: 'csv-gzip', encoding: 'utf-8', name: 'name' },
		{ file: 'orders-cp1252.csv.gz', format: 'csv-gzip', encoding: 'windows-1252', name: 'name' },
		{ file: 'orders.xlsx', format: 'xlsx', encoding: null, name: 'Name' },
		{ file: 'orders.parquet', format: 'parquet', encoding: null, name: 'name' },
		{ file: 'orders.json', format: 'json', encoding: 'utf-8', name: 'customer.name' },
		{ file: 'orders.ndjson', format: 'ndjson', encoding: 'utf-8', name: 'customer.name' }
	];
	for (const c of cases) {
		it(`${c.file}: ${expected.orders} orders, ${expected.customers} customers, the fixture's revenue`, async () => {
			const { prepared, inspection, ingest, headline } = await analyse(fixture(c.file));
			expect(prepared.format).toBe(c.format);
			// The head is the UTF-8 text DuckDB reads: its first line is the header the sniffer found.
			const firstLine = prepared.head.replace(/^\uFEFF/, '').split(/\r?\n/)[0]!;
			expect(firstLine.split(inspection.dialect.delimiter).map((h) => h.replace(/^"|"$/g, ''))).toEqual(inspection.dialect.columns);
			expect(prepared.encoding).toBe(c.encoding);
			expect(ingest).toMatchObject({ rowsRead: FIXTURE_ORDERS.length, rowsUsed: FIXTURE_ORDERS.length, excluded: [] });
			expect(headline).toMatchObject({ orders: expected.orders, customers: expected.customers, lastOrder: expected.lastOrder });
			expect(headline.revenue).toBeCloseTo(expected.revenue, 6);
			if (c.name) {
				// Accents come through whatever the encoding: the names are in the preview as written.
				const i = inspection.dialect.columns.indexOf(c.name);
				expect(i).toBeGreaterThanOrEqual(0);
				const names = inspection.preview.map((r) => r[i]!.replace(/[“”]/g, ''));
				expect(names).toEqual(FIXTURE_ORDERS.slice(0, names.length).map((o) => o.name));
				if (c.file === 'orders-cp1252.csv') expect(inspection.preview[0]![i]).toBe(`“${FIXTURE_ORDERS[0]!.name}”`);
			}
		});
	}

	it('keeps a quoted field over several lines as one value, and the BOM out of the first header', async () => {
		const { inspection } = await analyse(fixture('orders-bom-multiline.csv'));
		expect(inspection.dialect.columns).toEqual(['order_id', 'customer_id', 'name', 'ordered_at', 'amount', 'note']);
		expect(inspection.preview[0]![5]).toBe('Gift wrap, please.\nLeave at the "back door"\n– thanks');
	});

	it('reads the Euro sign of a Windows-1252 file (0x80), which Latin-1 does not have', async () => {
		const { inspection, prepared } = await analyse(fixture('orders-cp1252.csv'));
		expect(inspection.preview[0]![4]).toMatch(/^€\d/);
		expect(prepared.notes.join(' ')).toContain('Windows-1252');
	});

	it('writes Excel date cells as ISO dates and picks the sheet with the orders; another sheet on request', async () => {
		const { prepared, inspection } = await analyse(fixture('orders.xlsx'));
		expect(prepared.sheets).toEqual([
			{ name: 'Summary', usable: true },
			{ name: 'Orders', usable: true }
		]);
		expect(prepared.sheet).toBe('Orders');
		expect(inspection.preview[0]).toEqual([
			FIXTURE_ORDERS[0]!.orderId,
			'cust-1',
			FIXTURE_ORDERS[0]!.name,
			FIXTURE_ORDERS[0]!.orderedAt,
			String(FIXTURE_ORDERS[0]!.amount)
		]);
		const summary = await prepareFile(fixture('orders.xlsx'), host, { baseName: base(), sheet: 'Summary' });
		expect(summary.sheet).toBe('Summary');
		expect((await inspectCsv(db, summary.name)).dialect.columns).toEqual(['Month', 'Revenue']);
	});

	it('reads Parquet typed columns as text: integer ids, timestamps, doubles', async () => {
		const { inspection } = await analyse(fixture('orders.parquet'));
		expect(inspection.dialect.columns).toEqual(['order_id', 'customer_id', 'name', 'ordered_at', 'amount']);
		expect(inspection.preview[0]!.slice(0, 2)).toEqual([FIXTURE_ORDERS[0]!.orderId, 'cust-1']);
		expect(inspection.preview[0]![3]).toBe(FIXTURE_ORDERS[0]!.orderedAt);
	});

	it('flattens nested JSON one level and says where the records were', async () => {
		const { prepared, inspection } = await analyse(fixture('orders.json'));
		expect(inspection.dialect.columns).toEqual(['order_id', 'ordered_at', 'total', 'customer.id', 'customer.name', 'lines']);
		expect(inspection.preview[0]![5]).toBe('[{"sku":"A"}]');
		expect(prepared.notes).toContain('Read the records in the JSON file\'s "orders" list.');
	});
});

describe('unusable files get a message for the merchant', () => {
	const problem = async (file: File) => {
		const e = await prepareFile(file, host, { baseName: base() }).then(
			() => null,
			(err: unknown) => err
		);
		expect(e).toBeInstanceOf(FileProblem);
		return (e as Error).message;
	};
	it('a damaged .gz, Parquet or workbook, and a workbook with no table', async () => {
		expect(await problem(fixture('corrupt.csv.gz'))).toMatch(/^This \.gz file could not be unpacked .*damaged or incomplete/);
		expect(await problem(fixture('corrupt.parquet'))).toMatch(/^This Parquet file could not be read .*damaged or incomplete/);
		expect(await problem(fixture('corrupt.xlsx'))).toMatch(/^This Excel workbook could not be opened/);
		expect(await problem(fixture('no-table.xlsx'))).toMatch(
			/^None of the sheets in this workbook \("Cover", "Empty"\) holds a table of orders/
		);
	});
	it('JSON that is not a list of records', async () => {
		expect(await problem(new File(['[1, 2, 3]'], 'x.json'))).toMatch(/Item 1 of the JSON list is the number 1, not a record/);
		// One broken line is excluded and counted (see bad-input.test.ts); most lines broken refuse the file, naming the first.
		expect(await problem(new File(['{"a": 1}\n{"a": \n{"b"'], 'x.ndjson'))).toMatch(
			/^2 of the 3 lines of this NDJSON file are not JSON records, starting at row 2 \("\{"a":"\)/
		);
		expect(await problem(new File(['[{"a": 1}, '], 'x.json'))).toMatch(/This JSON file could not be read/);
	});
	it('a file larger than the browser can hold: the limit and what to do', async () => {
		const big = { size: 150 * 2 ** 20 };
		expect(() => checkSize('xlsx', big.size)).toThrow(
			'This file is 150 MB: too large for this browser to hold in memory, which it must do for Excel workbooks (up to 100 MB). Save the sheet as "CSV UTF-8"'
		);
		expect(() => checkSize('parquet', IN_MEMORY_LIMITS.parquet.bytes)).not.toThrow();
		expect(() => checkSize('transcode', 3 * 2 ** 30)).toThrow(/3\.0 GB: .*text files that are not UTF-8 \(up to 1\.0 GB\)/);
		// A Blob that says it is huge is refused before a byte of it is read.
		const workbook = fixture('orders.xlsx');
		const fake = Object.assign(workbook.slice(), { name: 'huge.xlsx' });
		Object.defineProperty(fake, 'size', { value: 400 * 2 ** 20 });
		expect(await problem(fake as File)).toMatch(/^This file is 400 MB: too large/);
	});
	it('an image keeps its own message (regression: a PNG was called binary data, not an image)', () => {
		const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
		expect(recogniseFile('orders.png', png.length, png)).toMatchObject({
			ok: false,
			message: expect.stringContaining('This is a PNG image')
		});
		expect(recogniseFile('orders.csv', 0, new Uint8Array())).toMatchObject({
			ok: false,
			message: expect.stringContaining('empty (0 bytes)')
		});
	});
	it('UTF-8 text whose first 64 KiB end inside a character is UTF-8 (regression: a € before the cut made it "not UTF-8")', () => {
		const euro = new TextEncoder().encode('€');
		const head = Uint8Array.from([...new TextEncoder().encode('a,b\n1,'), ...euro, ...euro.subarray(0, 2)]);
		expect(recogniseFile('orders.csv', 100_000, head)).toEqual({ ok: true, format: 'csv', encoding: 'utf-8' });
	});
	it('a ZIP archive, and a binary file that is not valid UTF-8', () => {
		const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]);
		expect(recogniseFile('orders.zip', 6, zip)).toMatchObject({ ok: false, message: expect.stringContaining('ZIP archive') });
		const binary = Uint8Array.from({ length: 600 }, (_, i) => (i * 97 + 1) % 256 || 1);
		expect(recogniseFile('orders.csv', 600, binary)).toMatchObject({ ok: false, message: expect.stringContaining('not a text file') });
	});
});

describe('pieces', () => {
	it('detects UTF-8 even when the head cuts a character, else Windows-1252', () => {
		const text = new TextEncoder().encode('name\nJosé');
		expect(detectEncoding(text.subarray(0, text.length - 1))).toBe('utf-8');
		expect(detectEncoding(new Uint8Array([0x4a, 0x6f, 0x73, 0xe9, 0x0a]))).toBe('windows-1252');
	});
	it('writes cells: dates as ISO (rounded to the second), quotes when needed', () => {
		expect(cellText(new Date(Date.UTC(2024, 2, 4)))).toBe('2024-03-04');
		expect(cellText(new Date(Date.UTC(2024, 2, 4, 14, 21, 59, 999)))).toBe('2024-03-04 14:22:00');
		expect(cellText(12.5)).toBe('12.5');
		expect(cellText(null)).toBe('');
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('plain')).toBe('plain');
	});
	it('NDJSON arriving in pieces, with columns in first-seen order', () => {
		const r = new NdjsonReader();
		r.push('{"a":1,"b":{"c":2}}\n{"d":');
		r.push('true,"a":3}\n\n');
		const t = r.end();
		expect(t.columns).toEqual(['a', 'b.c', 'd']);
		expect(t.rows).toEqual([
			[1, 2],
			[3, undefined, true]
		]);
		expect(jsonRecords('{"x": 1}').table.rows).toEqual([[1]]);
	});
	it('explains a file read as one column', () => {
		const dialect = { delimiter: ',', quote: '"', escape: '"', hasHeader: true, skipRows: 0, columns: ['order;customer;date;amount'] };
		expect(oneColumnProblem(dialect, ['1;a;2024-01-01;5'])).toMatch(
			/^Only one column was found in this file \(its first line is "order;customer;date;amount"\).*holds semicolons \(;\)/
		);
		expect(oneColumnProblem({ ...dialect, columns: ['a', 'b'] }, [])).toBeNull();
	});
	it('names the format for the merchant, and how far a conversion has come', () => {
		expect(formatLabel({ format: 'csv', encoding: 'windows-1252' })).toBe('Delimited text, Windows-1252 / Latin-1');
		expect(formatLabel({ format: 'xlsx', encoding: null })).toBe('Excel workbook');
		expect(formatLabel({ format: 'csv-gzip', encoding: 'utf-8' })).toBe('Compressed text (.gz), UTF-8');
		expect(progressAmount(12.5 * 2 ** 20, 80 * 2 ** 20)).toBe('12.5 MB of 80.0 MB');
	});
});
