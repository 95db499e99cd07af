/**
 * A corpus of bad order files, each run through what the engine runs for a dropped file
 * (prepareFile → sniffSource → inspectSources → loadOrders → scoring, see engine.worker.ts) on
 * DuckDB-WASM's Node build. Each case asserts the merchant's message or the exclusion counts.
 * The six kinds follow issue 14: wrong numbers, formula injection, stray lines, the engine's words,
 * wrong diagnosis, messages that stop short. The last test greps every message for DuckDB's words.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { gzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFile, type PrepareHost } from '../../src/lib/ingest/formats/prepare';
import { oneColumnProblem } from '../../src/lib/ingest/formats/messages';
import { planForMapping, type ColumnMapping } from '../../src/lib/ingest/columns';
import { dateSql } from '../../src/lib/ingest/ingest-sql';
import { parseDate, type DateFormat } from '../../src/lib/ingest/values';
import { engineProblem, excludedRowsQuery, loadOrders } from '../../src/lib/ingest/pipeline';
import { FileProblem } from '../../src/lib/errors';
import { inspectSources, sniffSource, type FileSource } from '../../src/lib/ingest/sources';
import { nothingToScoreMessage } from '../../src/lib/ingest/messages';
import type { IngestReport } from '../../src/lib/ingest/report';
import { copyToCsvSql, customersExportSql, scoreCustomers } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { splitProblem } from '../../src/lib/problem';
import { str } from '../../src/lib/sql';
import { openWasmDb, testPrepareHost, type WasmTestDb } from './duckdb-wasm-node';

const scratch = mkdtempSync(resolve(tmpdir(), 'rfm-bad-input-'));
let db: WasmTestDb;
let host: PrepareHost;
let counter = 0;

beforeAll(async () => {
	db = await openWasmDb();
	host = testPrepareHost(db);
}, 60_000);
afterAll(() => {
	db.close();
	rmSync(scratch, { recursive: true, force: true });
});

interface Excluded {
	file: string;
	row_number: number;
	reason: string;
	customer_id: string | null;
	order_date: string | null;
	amount: string | null;
	line: string | null;
}

type Outcome =
	| { refused: true; message: string; details: string | null }
	| {
			refused: false;
			report: IngestReport;
			excluded: Excluded[];
			notes: string[];
			lastOrder: string;
			customers: { customer_id: string; frequency: number; revenue: number }[];
	  };

/** Every message a refused case produced, for the last test. */
const messages: { name: string; message: string }[] = [];

/** What the engine does with dropped files, up to the scored customers (or the merchant's message). */
async function drop(name: string, files: File[], chosen?: Partial<ColumnMapping>): Promise<Outcome> {
	try {
		const sources: FileSource[] = [];
		const notes: string[] = [];
		for (const file of files) {
			const prepared = await prepareFile(file, host, { baseName: resolve(scratch, `orders-${++counter}`) });
			notes.push(...prepared.notes);
			sources.push({ ...(await sniffSource(db, file.name, prepared.name, prepared.head)), skipped: prepared.skipped ?? [] });
		}
		const inspection = await inspectSources(db, sources);
		const first = sources[0]!;
		const oneColumn = first.kind === 'csv' ? oneColumnProblem(first.dialect, inspection.preview[0]) : null;
		if (oneColumn) throw new FileProblem(oneColumn);
		// As the worker does when the merchant chooses a column the detector left empty.
		const plan = chosen
			? planForMapping({ ...inspection.detection.plan.mapping, ...chosen }, inspection.sample, inspection.detection.plan.options)
			: inspection.detection.plan;
		if (!chosen && inspection.detection.missing.length > 0) throw new FileProblem(`Missing: ${inspection.detection.missing.join(', ')}`);
		const report = await loadOrders(db, inspection.relations, plan, {
			layout: inspection.layout,
			files: inspection.files,
			rejects: inspection.rejects
		});
		const excluded = await db.rows<Excluded>(excludedRowsQuery(inspection.relations, plan, inspection.files, report.passes ?? 1));
		if (report.orders === 0) throw new FileProblem(nothingToScoreMessage(report));
		const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
		const customers = await db.rows<{ customer_id: string; frequency: number; revenue: number }>(
			'SELECT customer_id, frequency, revenue FROM customer_scores ORDER BY customer_id'
		);
		return { refused: false, report, excluded, notes, lastOrder: rfm.headline.lastOrder, customers };
	} catch (e) {
		if (!(e instanceof FileProblem)) throw e;
		const { message, details } = splitProblem(e.message);
		messages.push({ name, message });
		return { refused: true, message, details };
	}
}

const read = async (name: string, ...files: File[]) => {
	const outcome = await drop(name, files);
	if (outcome.refused) throw new Error(`${name} was refused: ${outcome.message}`);
	return outcome;
};
const refused = async (name: string, file: File, chosen?: Partial<ColumnMapping>) => {
	const outcome = await drop(name, [file], chosen);
	if (!outcome.refused) throw new Error(`${name} was read (${outcome.report.orders} orders)`);
	return outcome;
};
const excludedBy = (report: IngestReport, reason: string) => report.excluded.find((e) => e.reason === reason)?.rows ?? 0;

const HEADER = 'order_id,customer_email,order_date,total';
/** `n` plausible orders: ids 1001…, 7 customers, dates through 2024, amounts with cents. */
function orderLines(n: number, start = 0): string[] {
	return Array.from({ length: n }, (_, k) => {
		const i = start + k;
		const day = new Date(Date.UTC(2023, 0, 1) + ((i * 37) % 700) * 86_400_000).toISOString().slice(0, 10);
		return `${1001 + i},c${i % 7}@example.com,${day},${(10 + ((i * 13) % 90) + 0.5).toFixed(2)}`;
	});
}
const csv = (name: string, lines: string[], header = HEADER) => new File([[header, ...lines].join('\n') + '\n'], name);
const text = (name: string, body: string | Uint8Array) => new File([body as BlobPart], name);

describe('1. wrong numbers, silently', () => {
	it('amounts written in €, $ and £ in one column are split by currency, not added up', async () => {
		const lines = orderLines(30).map((l, i) => {
			const parts = l.split(',');
			const symbol = i % 3 === 0 ? '$' : i % 5 === 0 ? '£' : '€';
			return [...parts.slice(0, 3), `${symbol}${parts[3]}`].join(',');
		});
		const { report } = await read('mixed symbols', csv('mixed.csv', lines));
		expect(report.currencies.map((c) => c.currency)).toEqual(['EUR', 'USD', 'GBP']);
		expect(report.scoredCurrency).toBe('EUR');
		expect(excludedBy(report, 'other_currency')).toBe(10 + 4);
		expect(report.orders).toBe(16);
	});
	it('amounts with currency codes (12.50 EUR, 9.99 USD) are split by currency', async () => {
		const lines = orderLines(10).map((l, i) => `${l} ${i < 7 ? 'EUR' : 'USD'}`);
		const { report } = await read('mixed codes', csv('codes.csv', lines));
		expect(report.currencies).toEqual([
			{ currency: 'EUR', orders: 7 },
			{ currency: 'USD', orders: 3 }
		]);
	});
	it('one currency symbol throughout is one currency, nothing excluded', async () => {
		const lines = orderLines(10).map((l) => l.replace(/,([\d.]+)$/, ',€$1'));
		const { report } = await read('one symbol', csv('euro.csv', lines));
		expect(report).toMatchObject({ orders: 10, currencies: [], excluded: [] });
	});
	it('an order dated 2099 is excluded as an implausible date and does not move the analysis date', async () => {
		const lines = [...orderLines(20), '2001,typo@example.com,2099-10-26,50.00'];
		const { report, lastOrder, excluded } = await read('2099', csv('future.csv', lines));
		expect(excludedBy(report, 'implausible_date')).toBe(1);
		expect(lastOrder < '2025-01-01').toBe(true);
		expect(excluded).toContainEqual(expect.objectContaining({ row_number: 21, reason: 'implausible_date', order_date: '2099-10-26' }));
	});
	it('placeholder dates of 1900-01-01 are excluded as implausible', async () => {
		const lines = [...orderLines(20), '2001,a@example.com,1900-01-01,5.00', '2002,b@example.com,1900-01-01,6.00'];
		const { report } = await read('1900', csv('placeholder.csv', lines));
		expect(excludedBy(report, 'implausible_date')).toBe(2);
		expect(report.orders).toBe(20);
	});
	it('a lone year far from the others (2014 in a 2023–2024 file) is excluded as implausible', async () => {
		const lines = [...orderLines(150), '2001,a@example.com,2014-05-02,5.00'];
		const { report } = await read('lone year', csv('lone.csv', lines));
		expect(excludedBy(report, 'implausible_date')).toBe(1);
	});
	it("one early order three years before the rest is kept (the R rfm package's data has one in 2001)", async () => {
		const { report } = await read('early order', csv('early1.csv', ['3001,e@example.com,2020-03-01,20.00', ...orderLines(300)]));
		expect(excludedBy(report, 'implausible_date')).toBe(0);
	});
	it('a shop whose early years were small keeps them (consecutive years are not alone)', async () => {
		const early = ['2018', '2019', '2020', '2021', '2022'].map((y, i) => `${3001 + i},e${i}@example.com,${y}-06-01,20.00`);
		const { report } = await read('early years', csv('early.csv', [...early, ...orderLines(600)]));
		expect(excludedBy(report, 'implausible_date')).toBe(0);
		expect(report.orders).toBe(605);
	});
	it('1e999 is not read as 1999: excluded as an implausible amount', async () => {
		const { report, excluded } = await read('1e999', csv('exp.csv', [...orderLines(10), '2001,a@example.com,2024-01-05,1e999']));
		expect(excludedBy(report, 'implausible_amount')).toBe(1);
		expect(report.revenue).toBeLessThan(1e6);
		expect(excluded).toContainEqual(expect.objectContaining({ reason: 'implausible_amount', amount: '1e999' }));
	});
	it('two amounts of 1.7e308 are excluded, and the revenue stays a finite number', async () => {
		const lines = [...orderLines(10), '2001,a@example.com,2024-01-05,1.7e308', '2002,b@example.com,2024-01-06,1.7e308'];
		const { report } = await read('1.7e308', csv('huge.csv', lines));
		expect(excludedBy(report, 'implausible_amount')).toBe(2);
		expect(Number.isFinite(report.revenue)).toBe(true);
	});
	it('an amount of a trillion or more is implausible, 999 billion is not', async () => {
		const lines = [...orderLines(5), '2001,a@example.com,2024-01-05,1000000000000', '2002,b@example.com,2024-01-06,999000000000'];
		const { report } = await read('bound', csv('bound.csv', lines));
		expect(excludedBy(report, 'implausible_amount')).toBe(1);
		expect(report.orders).toBe(6);
	});
	it('a .csv.gz cut short is refused, saying so, instead of losing its end silently', async () => {
		const whole = gzipSync(new TextEncoder().encode([HEADER, ...orderLines(5000)].join('\n') + '\n'));
		const { message } = await refused('truncated gz', text('orders.csv.gz', whole.subarray(0, Math.floor(whole.length * 0.6))));
		expect(message).toMatch(/^This \.gz file could not be unpacked because it is damaged or incomplete \(cut short/);
		expect(message).toMatch(/Download or export it again/);
	});
	it('a whole .csv.gz still reads every row', async () => {
		const whole = gzipSync(new TextEncoder().encode([HEADER, ...orderLines(500)].join('\n') + '\n'));
		const { report } = await read('whole gz', text('orders.csv.gz', whole));
		expect(report.rowsRead).toBe(500);
	});
	it('the same e-mail in different case is one customer', async () => {
		const lines = ['1,Anna@Shop.com,2024-01-01,10.00', '2,anna@shop.com,2024-02-01,20.00', '3,ANNA@SHOP.COM,2024-03-01,30.00'];
		const { customers } = await read('case', csv('case.csv', [...lines, ...orderLines(5)]));
		expect(customers.find((c) => c.customer_id === 'anna@shop.com')).toMatchObject({ frequency: 3, revenue: 60 });
	});
	it('an e-mail with a no-break space or spaces around it is the same customer', async () => {
		const lines = ['1,"bob@shop.com\u00a0",2024-01-01,10.00', '2," bob@shop.com",2024-02-01,20.00', '3,bob@shop.com,2024-03-01,30.00'];
		const { customers } = await read('nbsp', csv('nbsp.csv', [...lines, ...orderLines(5)]));
		expect(customers.filter((c) => c.customer_id.startsWith('bob'))).toEqual([{ customer_id: 'bob@shop.com', frequency: 3, revenue: 60 }]);
	});
	it('ids that are not e-mails keep their case (C-1 and c-1 are two customers)', async () => {
		const lines = ['1,C-1,2024-01-01,10.00', '2,c-1,2024-02-01,20.00'];
		const { customers } = await read('ids', csv('ids.csv', lines, 'order_id,customer_id,order_date,total'));
		expect(customers.map((c) => c.customer_id)).toEqual(['C-1', 'c-1']);
	});
	it('"nan" and "inf" amounts are unreadable, not numbers', async () => {
		const lines = [...orderLines(20), '2001,a@example.com,2024-01-05,nan', '2002,b@example.com,2024-01-06,inf'];
		const { report } = await read('nan', csv('nan.csv', lines));
		expect(excludedBy(report, 'unreadable_amount')).toBe(2);
		expect(Number.isFinite(report.revenue)).toBe(true);
	});
});

describe('2. formula injection in exports', () => {
	const hostile = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", '@SUM(1+1)', '-2+3', '\t=1+1'];
	for (const id of hostile) {
		it(`a customer id ${JSON.stringify(id)} is written with a leading quote in the customer export`, async () => {
			const quoted = `"${id.replaceAll('"', '""')}"`;
			await read(
				`injection ${id}`,
				csv(
					'inject.csv',
					[`1,${quoted},2024-01-01,10.00`, `2,${quoted},2024-02-01,-4.50`, ...orderLines(4)],
					'order_id,customer_id,order_date,total'
				)
			);
			const file = resolve(scratch, `export-${++counter}.csv`);
			await db.run(copyToCsvSql(customersExportSql(GRID_MAP), file));
			const rows = await db.rows<{ customer_id: string; revenue: string }>(
				`SELECT customer_id, revenue FROM read_csv(${str(file)}, header = true, all_varchar = true)`
			);
			expect(rows.map((r) => r.customer_id)).toContain(`'${id}`);
			expect(rows.filter((r) => /^[=+\-@\t\r]/.test(r.customer_id))).toEqual([]);
		});
	}
});

describe('3. stray lines are excluded and counted, not the whole file', () => {
	it('a few short rows: read, excluded by row number', async () => {
		const lines = orderLines(50);
		lines[9] = '1010,c3@example.com,2024-01-02';
		lines[29] = '1030,c1@example.com';
		const { report, excluded } = await read('short rows', csv('short.csv', lines));
		expect(report.rowsRead).toBe(50);
		expect(report.orders).toBe(48);
		expect(excluded.map((r) => r.row_number)).toEqual([10, 30]);
	});
	it('a totals footer and an "Exported by" line are excluded, the orders read', async () => {
		const { report, excluded } = await read(
			'footer',
			csv('footer.csv', [...orderLines(40), 'Total,,,12345', 'Exported by MyShop on 2024-06-01'])
		);
		expect(report.orders).toBe(40);
		expect(report.rowsRead).toBe(42);
		expect(excluded.map((r) => r.row_number)).toEqual([41, 42]);
	});
	it('five unquoted 1,234.50 amounts: those five rows are excluded with their row numbers and reason', async () => {
		const lines = orderLines(60);
		for (const i of [4, 11, 22, 33, 44]) lines[i] = `${1001 + i},c2@example.com,2024-02-0${(i % 9) + 1},1,234.50`;
		const { report, excluded } = await read('unquoted thousands', csv('thousands.csv', lines));
		expect(report.rowsRead).toBe(60);
		expect(excludedBy(report, 'too_many_fields')).toBe(5);
		expect(report.orders).toBe(55);
		expect(excluded.filter((r) => r.reason === 'too_many_fields').map((r) => r.row_number)).toEqual([5, 12, 23, 34, 45]);
		expect(excluded.find((r) => r.row_number === 5)?.line).toBe('1005,c2@example.com,2024-02-05,1,234.50');
	});
	it('rows after a rejected line keep their own row numbers in the excluded rows', async () => {
		const lines = orderLines(20);
		lines[2] = '1003,c2@example.com,2024-02-01,1,234.50';
		lines[7] = '1008,c1@example.com,not a date,5.00';
		const { excluded } = await read('row numbers', csv('numbers.csv', lines));
		expect(excluded.map((r) => [r.row_number, r.reason])).toEqual([
			[3, 'too_many_fields'],
			[8, 'unreadable_date']
		]);
	});
	it('a repeated header line in the middle (two exports pasted together) is excluded', async () => {
		const { report } = await read('repeated header', csv('twice.csv', [...orderLines(20), HEADER, ...orderLines(20, 20)]));
		expect(report.rowsRead).toBe(41);
		expect(report.orders).toBe(40);
	});
	it('3 odd lines in 5,000: read, 3 excluded', async () => {
		const lines = orderLines(5000);
		lines[100] = 'oops';
		lines[2500] = '3501,c1@example.com,2024-01-01,1,5,7';
		lines[4999] = '';
		const { report } = await read('3 in 5000', csv('big.csv', lines));
		expect(report.orders).toBeGreaterThanOrEqual(4997);
		expect(report.rowsRead - report.rowsUsed).toBeLessThanOrEqual(3);
	});
	it('a semicolon file with a footer is read with its separator', async () => {
		const lines = orderLines(30).map((l) => l.replaceAll(',', ';'));
		const { report } = await read('semicolons', csv('semi.csv', [...lines, 'Summe;;;999'], HEADER.replaceAll(',', ';')));
		expect(report.orders).toBe(30);
	});
	it('a tab-separated file with short rows is read', async () => {
		const lines = orderLines(30).map((l) => l.replaceAll(',', '\t'));
		lines[3] = '1004\tc3@example.com';
		const { report } = await read('tabs', csv('tabs.tsv', lines, HEADER.replaceAll(',', '\t')));
		expect(report.orders).toBe(29);
	});
	it('when most lines cannot be split, the file is refused naming the first bad row and what is wrong', async () => {
		const lines = orderLines(40).map((l, i) => (i >= 3 ? l.replace(/,([\d.]+)$/, ',1,$1') : l));
		const { message } = await refused('mostly bad', csv('mostly.csv', lines));
		expect(message).toMatch(/^37 of the 40 rows could not be read, starting at row 4 \("1004,/);
		expect(message).toMatch(/more fields than the header/);
		expect(message).toMatch(/save it as "CSV UTF-8"/);
	});
	it('an unclosed quote near the end: the rows it swallows are counted, the rest read', async () => {
		const lines = orderLines(60);
		lines[57] = '1058,"c1@example.com,2024-01-01,5.00';
		const { report, excluded } = await read('unclosed quote', csv('quote.csv', lines));
		expect(excludedBy(report, 'unclosed_quote')).toBe(3);
		expect(report.rowsRead).toBe(60);
		expect(excluded.find((r) => r.reason === 'unclosed_quote')?.row_number).toBe(58);
	});
	it('an unclosed quote early on refuses the file, naming its row', async () => {
		const lines = orderLines(30);
		lines[1] = '1002,"c1@example.com,2024-01-01,5.00';
		const { message } = await refused('early quote', csv('quote2.csv', lines));
		expect(message).toMatch(/starting at row 2 .*a quote \("\) that is never closed\. .*close or remove that quote/);
	});
	it('a Latin-1 byte at row 2,600 of a UTF-8 file: that row is excluded as not UTF-8, the rest read', async () => {
		const enc = new TextEncoder();
		const lines = orderLines(3000);
		const before = enc.encode([HEADER, ...lines.slice(0, 2599)].join('\n') + '\n3600,caf');
		const after = enc.encode('@example.com,2024-01-01,5.00\n' + lines.slice(2600).join('\n') + '\n');
		const { report, excluded } = await read('latin1 byte', text('late.csv', new Uint8Array([...before, 0xe9, ...after])));
		expect(excludedBy(report, 'not_utf8')).toBe(1);
		expect(excluded.find((r) => r.reason === 'not_utf8')?.row_number).toBe(2600);
		expect(report.rowsRead).toBe(3000);
	});
	it('a 3 MB field on row 51: that row is excluded as a line over 2 MB', async () => {
		const lines = orderLines(100);
		lines[50] = `1051,c1@example.com,2024-01-01,"${'x'.repeat(3_000_000)}"`;
		const { report, excluded } = await read('3 MB field', csv('long.csv', lines));
		expect(excludedBy(report, 'line_too_long')).toBe(1);
		expect(excluded.find((r) => r.reason === 'line_too_long')?.row_number).toBe(51);
	});
	it('mixed CRLF and LF line endings are read, with a note', async () => {
		const body = [HEADER, ...orderLines(40)].map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join('');
		const { report, notes } = await read('mixed endings', text('mixed-eol.csv', body));
		expect(report.orders).toBe(40);
		expect(notes.join(' ')).toMatch(/both Windows and Unix line breaks/);
	});
	it('an export whose line breaks were lost is refused, saying so', async () => {
		const { message } = await refused('no line breaks', text('oneline.csv', [HEADER, ...orderLines(3000)].join(' ')));
		expect(message).toMatch(/^This file has no line breaks in its first 64 KB/);
	});
	it('preamble lines above the header are skipped', async () => {
		const { report } = await read('preamble', csv('pre.csv', orderLines(30), `Orders report\nGenerated 2024-06-01\n\n${HEADER}`));
		expect(report.orders).toBe(30);
	});
});

describe("4. the engine's words stay in the technical details", () => {
	const engineErrors = [
		"Out of Memory Error: failed to allocate data of size 32.0 KiB (3.1 GiB/3.1 GiB used)\nPossible solutions: SET temp_directory='/path/to/tmp.tmp'",
		'Invalid Input Error: Error when sniffing file "orders-1.csv".\nIt was not possible to automatically detect the CSV parsing dialect',
		'Invalid Input Error: CSV Error on Line: 1\nMaximum line size of 2000000 bytes exceeded.',
		'Invalid Input Error: CSV Error on Line: 2601\nInvalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded.',
		'Invalid Input Error: The CSV Parser state machine reached an invalid state.',
		'Conversion Error: Could not convert string "abc" to INT32',
		'IO Error: Cannot open file "orders-3.csv": NotReadableError'
	];
	for (const text of engineErrors) {
		it(`"${text.split('\n')[0]!.slice(0, 60)}" becomes our words, the original in details`, () => {
			const problem = engineProblem(new Error(text), 'Reading the file stopped before its end. Drop it again.');
			const { message, details } = splitProblem(problem.message);
			messages.push({ name: text.slice(0, 40), message });
			expect(details).toBe(text.split('\n').slice(0, 6).join('\n'));
			expect(message).toMatch(/drop|Drop|split/);
		});
	}
	it('the line of a CSV error is named in our words', () => {
		const { message } = splitProblem(
			engineProblem(new Error('Invalid Input Error: CSV Error on Line: 2601\nInvalid unicode detected.'), '').message
		);
		expect(message).toBe(
			'This file has characters that are not UTF-8 text (around line 2,601). In your spreadsheet app choose "Save as" → "CSV UTF-8", and drop that file here.'
		);
	});
});

describe('5. each file is named as what it is', () => {
	const zip = (files: Record<string, string | Uint8Array>) =>
		zipSync(Object.fromEntries(Object.entries(files).map(([n, v]) => [n, typeof v === 'string' ? new TextEncoder().encode(v) : v])));
	it('a ZIP renamed .csv holding one CSV is unpacked and read', async () => {
		const { report, notes } = await read(
			'zip csv',
			text('orders.csv', zip({ 'orders_export_1.csv': [HEADER, ...orderLines(25)].join('\n') }))
		);
		expect(report.orders).toBe(25);
		expect(notes[0]).toBe('Unpacked "orders_export_1.csv" from the ZIP archive.');
	});
	it('a .zip holding one workbook is unpacked and read', async () => {
		const xlsx = readFileSync(resolve(import.meta.dirname, '../fixtures/formats/orders.xlsx'));
		const { report } = await read('zip xlsx', text('export.zip', zip({ 'export/orders.xlsx': new Uint8Array(xlsx) })));
		expect(report.orders).toBeGreaterThan(0);
	});
	it('a ZIP with macOS metadata beside the CSV reads the CSV', async () => {
		const { report } = await read(
			'zip macos',
			text('o.zip', zip({ 'o.csv': [HEADER, ...orderLines(5)].join('\n'), '__MACOSX/._o.csv': 'x' }))
		);
		expect(report.orders).toBe(5);
	});
	it('a ZIP holding several order files names them', async () => {
		const body = [HEADER, ...orderLines(3)].join('\n');
		const { message } = await refused('zip two', text('orders.csv', zip({ 'a.csv': body, 'b.csv': body })));
		expect(message).toBe(
			'This ZIP archive holds 2 files ("a.csv", "b.csv"). Unpack it and drop the order file, or all the parts of one export together, here.'
		);
	});
	it('a ZIP holding no order file says what it holds', async () => {
		const { message } = await refused('zip none', text('orders.zip', zip({ 'readme.pdf': 'x' })));
		expect(message).toMatch(/^This ZIP archive holds no CSV, Excel or JSON file \(it holds "readme\.pdf"\)\./);
	});
	it('a LibreOffice .ods is named as an OpenDocument spreadsheet, not a damaged workbook', async () => {
		const ods = zipSync({
			mimetype: [new TextEncoder().encode('application/vnd.oasis.opendocument.spreadsheet'), { level: 0 }],
			'content.xml': new TextEncoder().encode('<x/>')
		});
		const { message } = await refused('ods', text('orders.ods', ods));
		expect(message).toMatch(/^This is an OpenDocument spreadsheet \(\.ods/);
		expect(message).toMatch(/Save As → "Text CSV"/);
	});
	it('an HTML sign-in page saved as .csv (an expired export link) is named as such', async () => {
		const { message } = await refused(
			'html',
			text('orders.csv', '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Log in</body></html>')
		);
		expect(message).toMatch(/^This is a web page \(HTML\), not an order export: .*export link has expired/);
	});
	it('an HTML page without a doctype is named too', async () => {
		const { message } = await refused('html2', text('export.csv', '\n  <html lang="en"><body>Session expired</body></html>'));
		expect(message).toMatch(/^This is a web page \(HTML\)/);
	});
	const utf16 = (body: string, littleEndian: boolean) => {
		const out = new Uint8Array(body.length * 2);
		for (let i = 0; i < body.length; i++) {
			const c = body.charCodeAt(i);
			out[i * 2 + (littleEndian ? 0 : 1)] = c & 0xff;
			out[i * 2 + (littleEndian ? 1 : 0)] = c >> 8;
		}
		return out;
	};
	it('UTF-16 (little-endian) without a byte-order mark is read, not called binary', async () => {
		const { report } = await read('utf16le', text('o.csv', utf16([HEADER, ...orderLines(20)].join('\r\n') + '\r\n', true)));
		expect(report.orders).toBe(20);
	});
	it('UTF-16 (big-endian) without a byte-order mark is read', async () => {
		const { report } = await read('utf16be', text('o.txt', utf16([HEADER, ...orderLines(20)].join('\n') + '\n', false)));
		expect(report.orders).toBe(20);
	});
	const records = (n: number) =>
		orderLines(n).map((l) => {
			const [order_id, email, date, total] = l.split(',');
			return { order_id, email, date, total: Number(total) };
		});
	it('{"data":{"orders":[…]}} reads the orders two levels down', async () => {
		const { report, notes } = await read(
			'nested json',
			text('o.json', JSON.stringify({ data: { orders: records(12) }, meta: { page: 1 } }))
		);
		expect(report.orders).toBe(12);
		expect(notes).toContain('Read the records in the JSON file\'s "data.orders" list.');
	});
	it('JSON with several lists reads the largest list of records', async () => {
		const doc = { refunds: records(2), shop: { name: 'x' }, orders: records(9) };
		const { report } = await read('largest list', text('o.json', JSON.stringify(doc)));
		expect(report.orders).toBe(9);
	});
	it('a JSON string is refused clearly, not read as CSV', async () => {
		const { message } = await refused('json string', text('orders.json', '"orders exported on 2024-06-01"'));
		expect(message).toMatch(
			/^This JSON file holds the text "orders exported on 2024-06-01", not a list of orders\. Export your orders as JSON records/
		);
	});
	it('a JSON number is refused clearly', async () => {
		const { message } = await refused('json number', text('orders.json', '42'));
		expect(message).toMatch(/^This JSON file holds the number 42, not a list of orders/);
	});
	it('a refunds-only file says what it is and what to do, with no empty reasons', async () => {
		const lines = orderLines(12).map((l) => l.replace(/,([\d.]+)$/, ',-$1'));
		const { message } = await refused('refunds only', csv('refunds.csv', lines));
		expect(message).toBe(
			"All 12 rows of this file are refunds, cancellations or credits (negative amounts), which only net out of customers' revenue: there are no orders to score. Drop your orders export (the one with the sales), or both files together."
		);
		expect(message).not.toContain('()');
	});
	const dated = (format: (iso: string) => string, header = HEADER) =>
		csv(
			'dates.csv',
			orderLines(20).map((l) => l.replace(/(\d{4}-\d{2}-\d{2})/, (d) => format(d))),
			header
		);
	const monthName = (iso: string, long = false) =>
		new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-US', { month: long ? 'long' : 'short', timeZone: 'UTC' });
	const dayOf = (iso: string) => Number(iso.slice(8));
	it('dates like "Mar 3, 2024" are read', async () => {
		const { report, lastOrder } = await read(
			'Mar 3, 2024',
			dated((d) => `"${monthName(d)} ${dayOf(d)}, ${d.slice(0, 4)}"`)
		);
		expect(report.orders).toBe(20);
		expect(lastOrder).toMatch(/^202[34]-/);
	});
	it('dates like "3 March 2024" are read', async () => {
		const { report } = await read(
			'3 March 2024',
			dated((d) => `${dayOf(d)} ${monthName(d, true)} ${d.slice(0, 4)}`)
		);
		expect(report.orders).toBe(20);
	});
	it('dates like "03-Mar-2024" are read', async () => {
		const { report } = await read(
			'03-Mar-2024',
			dated((d) => `${d.slice(8)}-${monthName(d)}-${d.slice(0, 4)}`)
		);
		expect(report.orders).toBe(20);
	});
	it('dates like "Sunday, March 3, 2024 10:15" are read', async () => {
		const weekday = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
		const { report } = await read(
			'weekday',
			dated((d) => `"${weekday(d)}, ${monthName(d, true)} ${dayOf(d)}, ${d.slice(0, 4)} 10:15"`)
		);
		expect(report.orders).toBe(20);
	});
	it('Unix timestamps in seconds are read as the UTC day', async () => {
		const { report, lastOrder } = await read(
			'unix seconds',
			dated((d) => String(Date.parse(`${d}T12:00:00Z`) / 1000), 'order_id,customer_email,created_at,total')
		);
		expect(report.orders).toBe(20);
		expect(lastOrder).toMatch(/^202[34]-\d\d-\d\d$/);
	});
	it('Unix timestamps in milliseconds are read', async () => {
		const { report } = await read(
			'unix ms',
			dated((d) => String(Date.parse(`${d}T12:00:00Z`)), 'order_id,customer_email,order_date,total')
		);
		expect(report.orders).toBe(20);
	});
	it('month names and Unix times: the SQL reads what the TypeScript parser reads, near misses included', async () => {
		const values = [
			'Mar 3, 2024',
			'Mar. 3, 2024',
			'march 3rd 2024',
			'Sept 30, 2024',
			'Feb 30, 2024',
			'Marc 3, 2024',
			'Mar 3 24',
			'Mar3, 2024',
			'3 March 2024',
			'3rd Mar. 2024',
			'03-Mar-2024',
			'31-Apr-2024',
			'Sun, 03 Mar 2024 10:00',
			'1709424000',
			' 1709424000 ',
			'631151999',
			'1709424000123',
			'17094240001',
			'12345'
		];
		const formats: DateFormat[] = ['month_day', 'day_month', 'unix', 'unix_ms'].map((order) => ({ order, pattern: '' }) as DateFormat);
		for (const format of formats) {
			const rows = await db.rows<{ v: string; d: string | null }>(
				`SELECT v, CAST(${dateSql('v', format)} AS VARCHAR) AS d FROM (VALUES ${values.map((v) => `(${str(v)})`).join(', ')}) t(v)`
			);
			expect(
				rows.map((r) => [r.v, r.d]),
				format.order
			).toEqual(values.map((v) => [v, parseDate(v, format)]));
		}
		expect(parseDate('Mar. 3, 2024', { order: 'month_day', pattern: '' })).toBe('2024-03-03');
		expect(parseDate('Marx 3, 2024', { order: 'month_day', pattern: '' })).toBeNull();
		expect(parseDate('1709424000', { order: 'unix', pattern: '' })).toBe('2024-03-03');
		expect(parseDate('1709424000123', { order: 'unix_ms', pattern: '' })).toBe('2024-03-03');
	});
	it('dates in no format we read: the message names the formats we read', async () => {
		// The merchant picked the column in the mapping panel (no date was detected in it).
		const { message } = await refused(
			'odd dates',
			dated(() => 'sometime'),
			{ orderDate: 'order_date' }
		);
		expect(message).toMatch(
			/None of the 20 rows could be used \(missing or unreadable order date: 20 rows\)\. The order date column holds no date we read \(we read 2024-03-01.*Mar 3, 2024.*Unix timestamps\)/
		);
	});
});

describe('6. messages say what to do', () => {
	it('a header without rows', async () => {
		const { message } = await refused('header only', text('empty.csv', `${HEADER}\n`));
		expect(message).toMatch(
			/but no rows of orders\. Export the orders again \(check the date range or filters of the export\) and drop the new file here\.$/
		);
	});
	it('a JSON file with an empty list', async () => {
		const { message } = await refused('empty json', text('o.json', '{"orders": []}'));
		expect(message).toMatch(/^This JSON file holds no records .*Export the orders again/);
	});
	it('an empty JSON list', async () => {
		const { message } = await refused('empty list', text('o.json', '[]'));
		expect(message).toMatch(/^This JSON file holds no records .*drop the new file here\.$/);
	});
	it('a broken NDJSON line is excluded and counted like a bad CSV row', async () => {
		const lines = records(10).map((r) => JSON.stringify(r));
		lines.splice(4, 0, '{"order_id": "x", "email": ');
		const { report, excluded, notes } = await read('ndjson line', text('o.ndjson', lines.join('\n') + '\n'));
		expect(report.rowsRead).toBe(11);
		expect(excludedBy(report, 'broken_json')).toBe(1);
		expect(report.orders).toBe(10);
		expect(excluded.find((r) => r.reason === 'broken_json')).toMatchObject({ row_number: 5, line: '{"order_id": "x", "email":' });
		expect(notes).toContain('1 line is not a JSON record: excluded and listed in the excluded rows.');
	});
	it('an NDJSON file of broken lines is refused, naming the first', async () => {
		const { message } = await refused('ndjson broken', text('o.ndjson', '{"a": 1}\nnot json\nnor this\n'));
		expect(message).toMatch(
			/^2 of the 3 lines of this NDJSON file are not JSON records, starting at row 2 \("not json"\)\. .*export the orders again/
		);
	});
	it("a damaged JSON file says what to do, the parser's words in details", async () => {
		const outcome = await refused('damaged json', text('o.json', '[{"order_id": 1, "total": '));
		expect(outcome.message).toBe(
			'This JSON file could not be read: it may be cut short or damaged. Download or export it again and drop the new file here.'
		);
		expect(outcome.details).toBeTruthy();
	});
	it('a file with no amount column says which column is missing', async () => {
		const { message } = await refused(
			'no amount',
			csv(
				'noamount.csv',
				orderLines(5).map((l) => l.replace(/,[\d.]+$/, '')),
				'order_id,customer_email,order_date'
			)
		);
		expect(message).toMatch(/amount/);
	});
	function records(n: number) {
		return orderLines(n).map((l) => {
			const [order_id, email, date, total] = l.split(',');
			return { order_id, email, date, total: Number(total) };
		});
	}
});

describe("no message shows DuckDB's own words", () => {
	/** Words of DuckDB's errors that must never reach the page outside the technical details. */
	const ENGINE_WORDS =
		/Error:|CSV Error|sniffing|Out of Memory|Conversion Error|Binder Error|Parser Error|Invalid Input|Catalog Error|IO Error|state machine|temp_directory|failed to allocate|strict_mode|store_rejects|read_csv|GiB|KiB|Unexpected token|JSON\.parse|at position \d/;
	it('greps every message of the corpus', () => {
		expect(messages.length).toBeGreaterThanOrEqual(25);
		for (const { name, message } of messages) expect(message, name).not.toMatch(ENGINE_WORDS);
	});
});
