/**
 * From registered files to what the pipeline reads: one relation per file (every column as text),
 * a sample for the column detector, and the layout that reads them.
 *
 * - Delimited text: DuckDB's sniffer finds the dialect (csv-dialect.ts).
 * - Whitespace-aligned logs (CDNOW's `00001 19970101  1   11.77`): the sniffer cannot split on runs
 *   of spaces, so each line is read whole and split by a regular expression.
 * - Several files with the same columns are appended; Olist's tables (orders, customers, payments)
 *   are joined instead.
 */
import { detectColumns, type Detection, type SampleColumn } from './columns';
import { dialectFromHead, dialectFromSniff, readCsvSql, shortRowsAreUsual, sniffSql, type CsvDialect, type SniffRow } from './csv-dialect';
import { detectLayout, type LayoutId } from './layouts';
import { engineProblem, SAMPLE_ROWS, PREVIEW_ROWS, isOutOfMemory } from './pipeline';

/** Opening a file needs a few buffers of 32 MB: what to do when even those do not fit. */
const OUT_OF_MEMORY_OPENING =
	'This browser has no memory left to open the file: the previous analysis still holds it. Reload the page (your settings stay in the address) and drop the file again.';
import { detectOlist, olistPlan, olistSql, type OlistFiles } from './olist';
import { detectAmountFormat, detectDateFormat } from './values';
import type { RejectSource, SkippedLine } from './rejects';
import { technicalDetails } from '../problem';
import { FileProblem, isCancelled } from '../errors';
import { ident, str } from '../sql';
import type { SqlRunner } from '../db/runner';

/** One registered file as the pipeline reads it. */
export type FileSource = (
	| { kind: 'csv'; name: string; fileName: string; dialect: CsvDialect }
	| { kind: 'whitespace'; name: string; fileName: string; columns: string[]; hasHeader: boolean }
) & {
	/** Lines the converter skipped before DuckDB read the file (a broken NDJSON line). */
	skipped?: readonly SkippedLine[];
};

/** Where the lines each appended source rejected are counted (rejects.ts); Olist's joined tables have none. */
export function rejectSources(sources: readonly FileSource[]): RejectSource[] {
	return sources.map((s, fileIndex) => ({
		fileIndex,
		fileName: s.kind === 'csv' ? s.fileName : null,
		linesBeforeData: s.kind === 'csv' ? s.dialect.skipRows + (s.dialect.hasHeader ? 1 : 0) : 0,
		skipped: s.skipped ?? []
	}));
}

/** Columns of a source, in file order. */
export function sourceColumns(source: FileSource): string[] {
	return source.kind === 'csv' ? source.dialect.columns : source.columns;
}

/** The SQL relation reading a source with every column as text. */
export function sourceSql(source: FileSource): string {
	if (source.kind === 'csv') return readCsvSql(source.fileName, source.dialect);
	const groups = source.columns.map(() => '(\\S+)').join('\\s+');
	const names = source.columns.map((c) => str(c)).join(', ');
	// A control character no text file uses as the delimiter: each line arrives whole.
	const lines = `read_csv(${str(source.fileName)}, auto_detect = false, header = false, skip = ${source.hasHeader ? 1 : 0},
	delim = chr(31), quote = '', escape = '', columns = {'line': 'VARCHAR'})`;
	const select = source.columns.map((c) => `parts[${str(c)}] AS ${ident(c)}`).join(', ');
	return `(SELECT ${select} FROM (SELECT regexp_extract(line, '^\\s*${groups}\\s*$', [${names}]) AS parts FROM ${lines}))`;
}

/** Names for a headerless whitespace log, by its shape: CDNOW's 4 and 5 column layouts. */
function whitespaceNames(count: number): string[] {
	if (count === 4) return ['customer_id', 'date', 'quantity', 'amount'];
	if (count === 5) return ['customer_id', 'sample_id', 'date', 'quantity', 'amount'];
	return Array.from({ length: count }, (_, i) => `column${i + 1}`);
}

/**
 * Recognises a whitespace-aligned table from the file's first bytes: no comma, semicolon, tab or
 * pipe; every line splits on runs of spaces into the same number (≥ 2) of fields; and the columns
 * are aligned with runs of spaces somewhere (a plain space-separated sentence file is not a table).
 * A first line whose fields are not numbers while the others' are is the header.
 */
export function detectWhitespaceTable(head: string): { columns: string[]; hasHeader: boolean } | null {
	const lines = head
		.split(/\r?\n/)
		.slice(0, 200)
		.filter((l) => l.trim() !== '');
	// The last line of a slice may be cut short.
	if (lines.length > 2) lines.pop();
	if (lines.length < 2 || lines.some((l) => /[,;\t|"]/.test(l))) return null;
	if (!lines.some((l) => / {2,}|^ /.test(l))) return null;
	const split = lines.map((l) => l.trim().split(/ +/));
	const count = split[1]!.length;
	if (count < 2 || split.slice(1).some((f) => f.length !== count)) return null;
	const numeric = (f: string) => /^-?[\d.]+$/.test(f);
	const first = split[0]!;
	const hasHeader = first.length === count && first.some((f) => !numeric(f)) && split[1]!.every(numeric);
	if (!hasHeader && first.length !== count) return null;
	return { columns: hasHeader ? first : whitespaceNames(count), hasHeader };
}

/** Characters of a file's start that hold several lines in any real order export. */
const HEAD_TEXT_WITHOUT_LINES = 60_000;

/**
 * How much of a large CSV the dialect sniffer reads. On a whole file DuckDB's sniffer samples its
 * 20,480 rows from places across it, which cost 0.5–0.8 s at 1M rows in the browser; the first
 * megabyte (about 20,000 rows of an order export) decides the same dialect in a tenth of that.
 */
export const SNIFF_BYTES = 1 << 20;

/**
 * The start of a large UTF-8 CSV for the sniffer (`SNIFF_BYTES`, cut after the last whole line so
 * that a line cut short does not look like a row with fewer columns); null for a small file, which
 * is sniffed whole.
 */
export function sniffSample(start: Uint8Array, fileSize: number): Uint8Array | null {
	if (fileSize <= SNIFF_BYTES) return null;
	const end = start.subarray(0, SNIFF_BYTES).lastIndexOf(10);
	return end > 0 ? start.slice(0, end + 1) : null;
}

/**
 * Sniffs a registered file: a whitespace table from its first bytes, otherwise a delimited file.
 * `sniffName` is a registered sample of its start (`sniffSample`), when the file is large.
 */
export async function sniffSource(db: SqlRunner, name: string, fileName: string, head: string, sniffName = fileName): Promise<FileSource> {
	// Messages say "This file": with several files, the engine adds the file's name.
	const whitespace = detectWhitespaceTable(head);
	if (whitespace) return { kind: 'whitespace', name, fileName, ...whitespace };
	// A whole head without a line break: the rows were joined into one line (DuckDB would try to hold it all).
	if (head.length >= HEAD_TEXT_WITHOUT_LINES && !/[\r\n]/.test(head))
		throw new FileProblem(
			'This file has no line breaks in its first 64 KB, so its rows cannot be told apart (the line breaks were probably lost when it was copied or converted). Export the orders again and drop the new file here.'
		);
	// The sniffer stops at a few odd lines (a footer, short rows, unquoted `1,234.50`): the first lines decide then.
	const fromHead = dialectFromHead(head);
	const csv = (dialect: CsvDialect): FileSource => ({
		kind: 'csv',
		name,
		fileName,
		dialect: { ...dialect, padShortRows: shortRowsAreUsual(head, dialect) }
	});
	let sniffed: SniffRow | undefined;
	try {
		[sniffed] = await db.rows<SniffRow>(sniffSql(sniffName));
	} catch (e) {
		if (isCancelled(e)) throw e;
		if (isOutOfMemory(e)) throw new FileProblem(OUT_OF_MEMORY_OPENING, technicalDetails(e));
		if (fromHead) return csv(fromHead);
		throw engineProblem(e, 'This file could not be read as a table of rows and columns. Export it again as CSV and drop it here.');
	}
	if ((!sniffed || sniffed.column_names.length <= 1) && fromHead) return csv(fromHead);
	// Most rows with an extra field (unquoted `1,234.50` amounts) look to the sniffer like a file
	// without a header, starting after the last row it could not split: the named first line says otherwise.
	if (sniffed && !sniffed.has_header && fromHead?.hasHeader && fromHead.delimiter === sniffed.delimiter) return csv(fromHead);
	if (!sniffed || sniffed.column_names.length === 0)
		throw new FileProblem('This file has no columns. Export your orders as CSV and drop that file here.');
	return csv(dialectFromSniff(sniffed));
}

/** What the pipeline reads after inspection: relations, the layout, a preview and the detection. */
export interface SourcesInspection {
	layout: LayoutId;
	/** One relation per appended file (Olist: one joined relation). */
	relations: string[];
	/** Names of every file, in the order read. */
	files: string[];
	/** Columns the mapping offers (the joined columns for Olist). */
	columns: string[];
	preview: string[][];
	sample: SampleColumn[];
	/** The layout's plan (or the generic detection when no layout is recognised). */
	detection: Detection;
	/** The generic detection, for a merchant who prefers to map the columns themselves. */
	generic: Detection;
	/** Where rejected lines are counted, per appended file (empty for Olist's joined tables). */
	rejects: RejectSource[];
}

async function sample(db: SqlRunner, relation: string, columns: string[], which: string): Promise<Record<string, string | null>[]> {
	try {
		return await db.rows<Record<string, string | null>>(
			`SELECT ${columns.map((c) => ident(c)).join(', ')} FROM ${relation} LIMIT ${SAMPLE_ROWS}`
		);
	} catch (e) {
		if (isCancelled(e)) throw e;
		if (isOutOfMemory(e)) throw new FileProblem(OUT_OF_MEMORY_OPENING, technicalDetails(e));
		const file = which === 'This file' ? 'this file' : which;
		throw engineProblem(e, `The first rows of ${file} could not be read. Check that it is a CSV export, then drop it again.`, file);
	}
}

/**
 * Decides how the sources are read together: Olist's tables are joined; files with the same
 * columns are appended (the first file's sample drives detection); files with different columns
 * are refused with their names, since appending them would misread one of them.
 */
export async function inspectSources(db: SqlRunner, sources: readonly FileSource[]): Promise<SourcesInspection> {
	const files = sources.map((s) => s.name);
	const olist: OlistFiles | null =
		sources.length > 1 ? detectOlist(sources.map((s) => ({ name: s.name, columns: sourceColumns(s) }))) : null;
	let relations: string[];
	let columns: string[];
	let layout: LayoutId | null = null;
	if (olist) {
		const relation = olistSql(olist, (i) => sourceSql(sources[i]!));
		relations = [relation];
		columns = olist.columns;
		layout = 'olist';
	} else {
		const first = sourceColumns(sources[0]!);
		const key = (cols: string[]) => [...cols].sort().join('\u0000');
		const odd = sources.find((s) => key(sourceColumns(s)) !== key(first));
		if (odd) {
			throw new FileProblem(
				`${odd.name} has other columns than ${sources[0]!.name} (${sourceColumns(odd).slice(0, 5).join(', ')}… vs ${first.slice(0, 5).join(', ')}…). Drop several files only when they are the same export (for example twelve monthly order exports), or the Olist orders, customers and payments files together.`
			);
		}
		relations = sources.map(sourceSql);
		columns = first;
		if (sources[0]!.kind === 'whitespace') layout = 'cdnow';
	}
	// Messages name the file when several were dropped ("This file" when there is one).
	const which = sources.length === 1 ? 'This file' : files[0]!;
	const rows = await sample(db, relations[0]!, columns, which);
	if (rows.length === 0) {
		throw new FileProblem(
			columns.length > 1 && sources[0]!.kind === 'csv' && sources[0]!.dialect.hasHeader
				? `${which} has a header (${columns.slice(0, 6).join(', ')}${columns.length > 6 ? ', …' : ''}) but no rows of orders. Export the orders again (check the date range or filters of the export) and drop the new file here.`
				: `${which} has no rows of orders. Export the orders again (check the date range or filters of the export) and drop the new file here.`
		);
	}
	const sampleColumns = columns.map((name) => ({ name, values: rows.map((r) => r[name] ?? '') }));
	const generic = detectColumns(sampleColumns);
	let detection = generic;
	// A transaction log's rows are purchases: a $0.00 row is a purchase too (CDNOW has 80).
	if (layout === 'cdnow')
		detection = { ...generic, plan: { ...generic.plan, options: { ...generic.plan.options!, zeroOrders: 'counted' } } };
	if (olist) detection = { plan: olistPlan(generic.plan), reasons: {}, missing: [] };
	else {
		const recognised = detectLayout(sampleColumns);
		if (recognised) {
			layout = recognised.layout;
			detection = {
				plan: {
					mapping: recognised.mapping,
					options: recognised.options,
					// Forgiving: a layout knows its columns, so a format is chosen even from a poor sample.
					dateFormat: detectDateFormat(valuesOf(sampleColumns, recognised.mapping.orderDate), 0) ?? { order: 'iso', pattern: '' },
					amountFormat: detectAmountFormat(valuesOf(sampleColumns, recognised.mapping.amount ?? recognised.mapping.unitPrice), 0) ?? {
						decimal: '.',
						plain: false
					}
				},
				reasons: Object.fromEntries(
					Object.entries(recognised.mapping)
						.filter(([, c]) => c)
						.map(([f, c]) => [f, `the ${recognisedLabel(recognised.layout)} layout ("${c}")`])
				),
				missing: []
			};
		}
	}
	return {
		layout: layout ?? 'generic',
		relations,
		files,
		columns,
		preview: rows.slice(0, PREVIEW_ROWS).map((r) => columns.map((c) => r[c] ?? '')),
		sample: sampleColumns,
		detection,
		generic,
		rejects: olist ? [] : rejectSources(sources)
	};
}

function recognisedLabel(layout: LayoutId): string {
	return { shopify: 'Shopify', uci: 'invoice lines', woocommerce: 'WooCommerce', cdnow: 'CDNOW', olist: 'Olist', generic: 'generic' }[
		layout
	];
}

function valuesOf(columns: readonly SampleColumn[], name: string | null | undefined): string[] {
	return [...(columns.find((c) => c.name === name)?.values ?? [])];
}
