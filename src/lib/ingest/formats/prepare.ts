/**
 * Getting one dropped file into DuckDB as UTF-8 delimited text, whatever its format, so the
 * pipeline (sniff → preview → detect → read_csv) reads it with the same mapping screen:
 * - UTF-8 CSV/TSV/…: registered as a file handle (no copy; read from disk on demand);
 * - gzip of UTF-8 text: registered as `….csv.gz`, which DuckDB's core unpacks as it reads;
 * - Windows-1252 / Latin-1 / UTF-16 text, gzip of those: decoded here into UTF-8 bytes;
 * - Excel (.xlsx): the chosen sheet written as CSV (the merchant picks when several hold a table);
 * - Parquet: parquet-wasm → Arrow IPC → a DuckDB table → CSV, every column as text;
 * - JSON / NDJSON: records flattened one level, written as CSV.
 * Called once per file, so several files can be prepared one after the other.
 */
import { CsvBuilder, type Cell } from './csv-writer';
import { JsonProblem, jsonRecords, NdjsonReader } from './json';
import { HEAD_BYTES, recogniseFile, textDecoder, type FileFormat, type TextEncoding } from './recognise';
import { gunzip, gunzipCheck, gunzipHead, readText, slices, transcodeToUtf8, type CheckCancelled } from './transcode';
import { pickSheet, readWorkbook, WorkbookProblem } from './xlsx';
import { FileProblem, isCancelled } from '../../errors';
import type { SkippedLine } from '../rejects';
import { technicalDetails } from '../../problem';
import { ident, str } from '../../sql';
import type { SqlRunner } from '../../db/runner';

/** What the engine lends `prepareFile`: DuckDB's file registry, Arrow import, SQL and the Parquet reader. */
export interface PrepareHost {
	db: SqlRunner;
	/** Registers a file DuckDB reads slice by slice from the Blob (no copy). */
	registerFileHandle(name: string, file: Blob): Promise<void>;
	/** Registers bytes as a file (the buffer may be transferred away: do not read it afterwards). */
	registerBuffer(name: string, bytes: Uint8Array): Promise<void>;
	/** Creates table `table` from an Arrow IPC stream. */
	insertArrowIpc(table: string, ipc: Uint8Array): Promise<void>;
	/** Reads a whole Parquet file into an Arrow IPC stream (parquet-wasm, loaded on first use). */
	parquetToIpc(bytes: Uint8Array): Promise<Uint8Array>;
}

/** What was read and how, for the merchant (shown above the mapping) and for the engine. */
export interface PreparedFormat {
	format: FileFormat;
	/** Text encoding of the source (null for workbooks and Parquet). */
	encoding: TextEncoding | null;
	/** Every sheet of a workbook and whether it holds a table; empty for other formats. */
	sheets: { name: string; usable: boolean }[];
	/** The sheet read, for a workbook. */
	sheet: string | null;
	/** What happened on the way, in the merchant's words ("Read as Windows-1252…"). */
	notes: string[];
}

export interface PreparedFile extends PreparedFormat {
	/** The name DuckDB reads it under (`read_csv(name)`). */
	name: string;
	/** Lines the conversion skipped (a broken NDJSON line), counted by the import report as excluded rows. */
	skipped?: SkippedLine[];
	/** The start of the text DuckDB reads (up to HEAD_BYTES of UTF-8), for sniffing a layout from its first lines. */
	head: string;
}

/** What the page is told about how a file was read (the prepared file without its DuckDB name and head). */
export function formatOf(prepared: PreparedFile): PreparedFormat {
	const { format, encoding, sheets, sheet, notes } = prepared;
	return { format, encoding, sheets, sheet, notes };
}

/** The first HEAD_BYTES of UTF-8 bytes as text (a character cut at the end is dropped). */
const textHead = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, HEAD_BYTES)).replace(/\uFFFD$/, '');

export interface PrepareOptions {
	/** Registered names start with this (unique per file), e.g. `orders-3`. */
	baseName: string;
	/** For a workbook: the sheet to read (default: the usable sheet with the most rows). */
	sheet?: string | null;
	/** Progress in bytes of the source, for the longer conversions. */
	onProgress?: (label: string, done: number, total: number) => void;
	checkCancelled?: CheckCancelled;
}

const MB = 1 << 20;

/**
 * Formats read whole into memory before DuckDB sees them, and how large a file of each the
 * browser holds with room to spare (a tab gets a few GB at most; a workbook's XML and a JSON
 * file's objects take several times the file's size once parsed). UTF-8 CSV has no limit here:
 * DuckDB reads it from disk.
 */
export const IN_MEMORY_LIMITS: Record<'transcode' | 'gunzip' | 'xlsx' | 'parquet' | 'json' | 'zip', { bytes: number; what: string }> = {
	transcode: { bytes: 1024 * MB, what: 'text files that are not UTF-8' },
	gunzip: { bytes: 1024 * MB, what: 'unpacked .gz files that are not UTF-8 CSV' },
	xlsx: { bytes: 100 * MB, what: 'Excel workbooks' },
	parquet: { bytes: 512 * MB, what: 'Parquet files' },
	json: { bytes: 300 * MB, what: 'JSON files' },
	zip: { bytes: 300 * MB, what: 'ZIP archives' }
};

const sizeText = (bytes: number) =>
	bytes >= 1024 * MB ? `${(bytes / 1024 / MB).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / MB))} MB`;

/** Refuses a file the browser cannot hold whole, saying the limit and what to do. */
export function checkSize(kind: keyof typeof IN_MEMORY_LIMITS, size: number): void {
	const limit = IN_MEMORY_LIMITS[kind];
	if (size <= limit.bytes) return;
	const advice =
		kind === 'xlsx'
			? 'Save the sheet as "CSV UTF-8" in your spreadsheet app (a CSV file is read from disk, with no such limit), or split the workbook, and drop that file here.'
			: kind === 'parquet'
				? 'Export the orders as CSV (a CSV file is read from disk, with no such limit), or split the Parquet file, and drop that here.'
				: 'Save or export it as a CSV file in UTF-8 (read from disk, with no such limit), or split it into smaller files, and drop that here.';
	throw new FileProblem(
		`This file is ${sizeText(size)}: too large for this browser to hold in memory, which it must do for ${limit.what} (up to ${sizeText(limit.bytes)}). ${advice}`
	);
}

const ENCODING_NAMES: Record<TextEncoding, string> = {
	'utf-8': 'UTF-8',
	'windows-1252': 'Windows-1252 (Latin-1)',
	'utf-16le': 'UTF-16',
	'utf-16be': 'UTF-16 (big-endian)'
};

/** Text whose lines end both in CRLF (Windows) and LF (Unix): DuckDB's reader refuses the mix. */
function mixedLineEndings(head: string): boolean {
	return /\r\n/.test(head) && /(^|[^\r])\n/.test(head);
}

/** Gets `file` into DuckDB as UTF-8 CSV and says how (see the module comment). */
export async function prepareFile(file: Blob & { name: string }, host: PrepareHost, options: PrepareOptions): Promise<PreparedFile> {
	const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
	const recognised = recogniseFile(file.name, file.size, head);
	if (!recognised.ok) throw new FileProblem(recognised.message);
	const { format, encoding } = recognised;
	const base = { format, encoding, sheets: [], sheet: null, notes: [] as string[] };
	const csvName = `${options.baseName}.csv`;
	const progress = (label: string) => (done: number, total: number) => options.onProgress?.(label, done, total);

	switch (format) {
		case 'csv': {
			const mixed = mixedLineEndings(textHead(head));
			if (encoding === 'utf-8' && !mixed) {
				await host.registerFileHandle(csvName, file);
				return { ...base, name: csvName, head: textHead(head) };
			}
			if (encoding === 'utf-8') {
				// Rewritten with one kind of line ending (a file pasted together from Windows and Unix parts).
				checkSize('transcode', file.size);
				const bytes = await transcodeToUtf8(file, 'utf-8', progress(`Reading ${file.name}`), options.checkCancelled, true);
				const text = textHead(bytes);
				await host.registerBuffer(csvName, bytes);
				return {
					...base,
					name: csvName,
					head: text,
					notes: ['Its lines end in both Windows and Unix line breaks: read them as one kind.']
				};
			}
			checkSize('transcode', file.size);
			const bytes = await transcodeToUtf8(
				file,
				encoding!,
				progress(`Converting ${file.name} from ${ENCODING_NAMES[encoding!]}`),
				options.checkCancelled,
				mixed
			);
			// Before registering: the engine transfers the buffer to DuckDB's worker, which detaches it here.
			const text = textHead(bytes);
			await host.registerBuffer(csvName, bytes);
			return {
				...base,
				name: csvName,
				head: text,
				notes: [`Read as ${ENCODING_NAMES[encoding!]} text (the file is not UTF-8).`]
			};
		}
		case 'csv-gzip':
			return prepareGzip(file, host, options);
		case 'xlsx': {
			checkSize('xlsx', file.size);
			options.onProgress?.(`Reading the workbook ${file.name}`, 0, file.size);
			try {
				const sheets = await readWorkbook(file);
				const sheet = pickSheet(sheets, options.sheet);
				const csv = new CsvBuilder();
				// A loop, not Math.max(...rows): a spread of 100,000 arguments overflows a worker's stack.
				const width = sheet.rows.reduce((w, r) => Math.max(w, r.length), 0);
				for (const row of sheet.rows) csv.row(Array.from({ length: width }, (_, i) => row[i]));
				const bytes = csv.bytes();
				const text = textHead(bytes);
				await host.registerBuffer(csvName, bytes);
				const usable = sheets.filter((s) => s.usable).length;
				return {
					...base,
					name: csvName,
					head: text,
					sheets: sheets.map((s) => ({ name: s.name, usable: s.usable })),
					sheet: sheet.name,
					notes: [
						usable > 1
							? `Read the sheet "${sheet.name}" (${usable} of the ${sheets.length} sheets hold a table: pick another one above if this is not your orders).`
							: `Read the sheet "${sheet.name}".`
					]
				};
			} catch (e) {
				if (e instanceof WorkbookProblem) throw new FileProblem(e.message, e.details);
				throw e;
			}
		}
		case 'parquet':
			return prepareParquet(file, host, options);
		case 'zip':
			return prepareZip(file, host, options);
		case 'json':
		case 'ndjson':
			return prepareJson(file, format, encoding ?? 'utf-8', host, options);
	}
}

async function prepareGzip(file: Blob & { name: string }, host: PrepareHost, options: PrepareOptions): Promise<PreparedFile> {
	const damaged = (e: unknown) =>
		new FileProblem(
			'This .gz file could not be unpacked because it is damaged or incomplete (cut short while downloading or copying), so some orders would be missing. Download or export it again, or unpack it yourself and drop the file inside.',
			technicalDetails(e)
		);
	let inner: Uint8Array;
	try {
		inner = await gunzipHead(file, HEAD_BYTES);
	} catch (e) {
		throw damaged(e);
	}
	const innerName = file.name.replace(/\.gz$/i, '');
	const recognised = recogniseFile(innerName, inner.length, inner);
	if (!recognised.ok)
		throw new FileProblem(`Inside this .gz file: ${recognised.message.charAt(0).toLowerCase()}${recognised.message.slice(1)}`);
	if (recognised.format === 'csv' && recognised.encoding === 'utf-8' && !mixedLineEndings(textHead(inner))) {
		// DuckDB's core unpacks gzip as it reads (the name tells it to): no copy in memory. It reads a
		// file cut short as far as it goes without a word, so the whole stream is checked first.
		options.onProgress?.(`Checking ${file.name}`, 0, file.size);
		try {
			await gunzipCheck(file, options.checkCancelled);
		} catch (e) {
			if (isCancelled(e)) throw e;
			throw damaged(e);
		}
		const name = `${options.baseName}.csv.gz`;
		await host.registerFileHandle(name, file);
		return {
			format: 'csv-gzip',
			encoding: 'utf-8',
			sheets: [],
			sheet: null,
			notes: ['Unpacked the .gz file while reading it.'],
			name,
			head: textHead(inner)
		};
	}
	// Anything else inside is unpacked whole (its size is only known once unpacked) and prepared as a file of its own.
	checkSize('gunzip', file.size);
	options.onProgress?.(`Unpacking ${file.name}`, 0, file.size);
	let bytes: Uint8Array;
	try {
		bytes = await gunzip(file, options.checkCancelled);
	} catch (e) {
		if (isCancelled(e)) throw e;
		throw damaged(e);
	}
	checkSize('gunzip', bytes.length);
	const unpacked = new File([bytes as Uint8Array<ArrayBuffer>], innerName);
	const prepared = await prepareFile(unpacked, host, options);
	return {
		...prepared,
		format: prepared.format === 'csv' ? 'csv-gzip' : prepared.format,
		notes: ['Unpacked the .gz file.', ...prepared.notes]
	};
}

let tableCounter = 0;

async function prepareParquet(file: Blob & { name: string }, host: PrepareHost, options: PrepareOptions): Promise<PreparedFile> {
	checkSize('parquet', file.size);
	options.onProgress?.(`Reading the Parquet file ${file.name}`, 0, file.size);
	const bytes = new Uint8Array(await file.arrayBuffer());
	options.checkCancelled?.();
	let ipc: Uint8Array;
	try {
		ipc = await host.parquetToIpc(bytes);
	} catch (e) {
		throw new FileProblem(
			'This Parquet file could not be read because it may be damaged or incomplete. Export it again, or export the orders as CSV, and drop that file here.',
			technicalDetails(e)
		);
	}
	const table = `parquet_input_${++tableCounter}`;
	const name = `${options.baseName}.csv`;
	await host.insertArrowIpc(table, ipc);
	const head = new CsvBuilder();
	try {
		const columns = await host.db.rows<{ column_name: string }>(
			`SELECT column_name FROM information_schema.columns WHERE table_name = ${str(table)} ORDER BY ordinal_position`
		);
		if (columns.length === 0)
			throw new FileProblem('This Parquet file has no columns. Export your orders again and drop the new file here.');
		// Every column as text: the pipeline parses dates and amounts itself, as for a CSV file.
		const list = columns.map((c) => `CAST(${ident(c.column_name)} AS VARCHAR) AS ${ident(c.column_name)}`).join(', ');
		await host.db.run(`COPY (SELECT ${list} FROM ${ident(table)}) TO ${str(name)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`);
		// The head as the CSV writer would write it: the header and the first rows.
		head.row(columns.map((c) => c.column_name));
		const first = await host.db.rows<Record<string, string | null>>(`SELECT ${list} FROM ${ident(table)} LIMIT 200`);
		for (const r of first) head.row(columns.map((c) => r[c.column_name]));
	} finally {
		await host.db.run(`DROP TABLE IF EXISTS ${ident(table)}`);
	}
	return { format: 'parquet', encoding: null, sheets: [], sheet: null, notes: [], name, head: textHead(head.bytes()) };
}

async function prepareJson(
	file: Blob & { name: string },
	format: 'json' | 'ndjson',
	encoding: TextEncoding,
	host: PrepareHost,
	options: PrepareOptions
): Promise<PreparedFile> {
	checkSize('json', file.size);
	const label = `Reading the ${format === 'json' ? 'JSON' : 'NDJSON'} file ${file.name}`;
	const onProgress = (done: number, total: number) => options.onProgress?.(label, done, total);
	const notes: string[] = [];
	let columns: string[];
	let rows: unknown[][];
	let skipped: { row: number; text: string }[] = [];
	try {
		if (format === 'json') {
			const { table, note } = jsonRecords(await readText(file, encoding, onProgress, options.checkCancelled));
			if (note) notes.push(note);
			({ columns, rows } = table);
		} else {
			const reader = new NdjsonReader();
			const decoder = textDecoder(encoding);
			for await (const bytes of slices(file, onProgress, options.checkCancelled)) reader.push(decoder.decode(bytes, { stream: true }));
			reader.push(decoder.decode());
			({ columns, rows } = reader.end());
			skipped = reader.skipped;
		}
	} catch (e) {
		if (e instanceof JsonProblem) throw new FileProblem(e.message, e.details);
		throw e;
	}
	if (skipped.length > 0 && skipped.length >= rows.length) {
		const first = skipped[0]!;
		throw new FileProblem(
			`${skipped.length} of the ${skipped.length + rows.length} lines of this NDJSON file are not JSON records, starting at row ${first.row} ("${first.text.slice(0, 60)}"). Each line must hold one whole record such as {"order_id": …, "total": …}: export the orders again and drop the new file here.`
		);
	}
	if (rows.length === 0)
		throw new FileProblem(
			format === 'json'
				? 'This JSON file holds no records (its list of orders is empty). Export the orders again (check the date range or filters of the export) and drop the new file here.'
				: 'This NDJSON file holds no records (no line holds an order). Export the orders again (check the date range or filters of the export) and drop the new file here.'
		);
	if (columns.some((c) => c.includes('.'))) notes.push('Nested fields were flattened into columns such as "customer.email".');
	const csv = new CsvBuilder();
	csv.row(columns);
	// Every row as wide as the header, so the sniffer sees one consistent number of columns.
	for (const row of rows) csv.row(Array.from({ length: columns.length }, (_, i) => row[i] as Cell));
	const name = `${options.baseName}.csv`;
	const bytes = csv.bytes();
	const text = textHead(bytes);
	await host.registerBuffer(name, bytes);
	if (skipped.length > 0)
		notes.push(
			`${skipped.length} line${skipped.length > 1 ? 's are' : ' is'} not a JSON record: excluded and listed in the excluded rows.`
		);
	return {
		format,
		encoding,
		sheets: [],
		sheet: null,
		notes,
		name,
		head: text,
		skipped: skipped.map((k) => ({ row: k.row, reason: 'broken_json' as const, text: k.text }))
	};
}

/** Files a ZIP archive may hold that we read (the archive's own folders and macOS metadata aside). */
const ORDER_FILE = /\.(csv|tsv|txt|xlsx|json|ndjson|jsonl|parquet|gz)$/i;

/**
 * A ZIP archive that is not a workbook (Shopify e-mails large exports zipped): the one order file
 * inside is unpacked (fflate) and prepared as if it had been dropped; several or none are named.
 */
async function prepareZip(file: Blob & { name: string }, host: PrepareHost, options: PrepareOptions): Promise<PreparedFile> {
	checkSize('zip', file.size);
	options.onProgress?.(`Unpacking ${file.name}`, 0, file.size);
	const { unzipSync } = await import('fflate');
	let entries: Record<string, Uint8Array>;
	try {
		const bytes = new Uint8Array(await file.arrayBuffer());
		const listed: string[] = [];
		unzipSync(bytes, { filter: (f) => (listed.push(f.name), false) });
		// An .xlsx whose first part is not the usual one: read it as the workbook it is.
		if (listed.includes('xl/workbook.xml')) {
			const workbook = Object.assign(new File([bytes], file.name.replace(/\.[^.]*$/, '') + '.xlsx'), {});
			return prepareFile(workbook, host, options);
		}
		const wanted = listed.filter((n) => !n.endsWith('/') && !/(^|\/)(__MACOSX|\.)/.test(n));
		const orders = wanted.filter((n) => ORDER_FILE.test(n));
		if (orders.length !== 1) {
			const names = (orders.length ? orders : wanted)
				.slice(0, 5)
				.map((n) => `"${n}"`)
				.join(', ');
			throw new FileProblem(
				orders.length === 0
					? `This ZIP archive holds no CSV, Excel or JSON file${wanted.length ? ` (it holds ${names})` : ''}. Export your orders as CSV and drop that file here.`
					: `This ZIP archive holds ${orders.length} files (${names}${orders.length > 5 ? ', …' : ''}). Unpack it and drop the order file, or all the parts of one export together, here.`
			);
		}
		entries = unzipSync(bytes, { filter: (f) => f.name === orders[0] });
	} catch (e) {
		if (e instanceof FileProblem) throw e;
		throw new FileProblem(
			'This ZIP archive could not be unpacked because it is damaged or cut short. Download or export it again, or unpack it yourself and drop the file inside.',
			technicalDetails(e)
		);
	}
	const [inner, bytes] = Object.entries(entries)[0]!;
	const innerName = inner.split('/').pop()!;
	const prepared = await prepareFile(new File([bytes as Uint8Array<ArrayBuffer>], innerName), host, options);
	return { ...prepared, notes: [`Unpacked "${innerName}" from the ZIP archive.`, ...prepared.notes] };
}
