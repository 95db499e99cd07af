/**
 * Opening an order file: sniff its dialect, read a preview, detect the columns, and load the
 * chosen columns into `input_rows` and `orders`. Engine-agnostic (a `SqlRunner`), like the RFM steps.
 */
import { detectColumns, type Detection, type ReadPlan, type SampleColumn } from './columns';
import { dialectFromSniff, previewSql, readCsvSql, sniffSql, type CsvDialect, type SniffRow } from './csv-dialect';
import {
	canonicalTablesSql,
	currenciesSql,
	duplicateRowsSql,
	excludedRowsSql,
	fileRowsSql,
	optionalOrderFields,
	hasLineItems,
	orderLinesSql,
	UNKEYED_ORDERS_SQL,
	unkeyedLinesSql,
	inputRowsSql,
	ISOLATED_YEARS_SQL,
	orderCandidatesSql,
	otherCurrencySql,
	readsInOnePass,
	INGEST_TABLES_SQL,
	ROW_SEQUENCE_SQL,
	type Sources
} from './ingest-sql';
import { PACKED_DATABASE } from '../engine/setup-sql';
import { DEFAULT_MEMORY_LIMIT, groupingBytesPerOrder, orderPasses } from './capacity';
import { ident } from '../sql';
import { readIngestReport, type IngestReport } from './report';
import { createRejectedRows, mostlyRejectedMessage, rejectSummary, type RejectSource } from './rejects';
import type { LayoutId } from './layouts';
import { FileProblem, isCancelled } from '../errors';
import { engineErrorMessage, technicalDetails } from '../problem';
import type { SqlRunner } from '../db/runner';
import { ORDER_LINES } from '../db/tables';

/** Rows shown in the mapping panel's preview. */
export const PREVIEW_ROWS = 8;
/** Rows the column detector looks at. */
export const SAMPLE_ROWS = 500;

export interface FileInspection {
	dialect: CsvDialect;
	/** First rows as text, for the preview (PREVIEW_ROWS of them). */
	preview: string[][];
	/** Each column's name and sample values, for re-detecting formats when the user remaps. */
	sample: SampleColumn[];
	detection: Detection;
}

/**
 * A FileProblem for an engine error: our words for the errors we know (memory, unreadable CSV
 * lines, encodings), otherwise `fallback`; the engine's text as details either way.
 */
export function engineProblem(e: unknown, fallback: string, which?: string): FileProblem {
	return new FileProblem(engineErrorMessage(e, which) ?? fallback, technicalDetails(e));
}

/** Sniffs a delimited text file already registered as `fileName` and proposes a column mapping. */
export async function inspectCsv(db: SqlRunner, fileName: string): Promise<FileInspection> {
	let sniffed: SniffRow | undefined;
	try {
		[sniffed] = await db.rows<SniffRow>(sniffSql(fileName));
	} catch (e) {
		if (isCancelled(e)) throw e;
		throw engineProblem(e, 'This file could not be read as a table of rows and columns. Export it again as CSV and drop it here.');
	}
	if (!sniffed || sniffed.column_names.length === 0)
		throw new FileProblem('This file has no columns. Export your orders as CSV and drop that file here.');
	const dialect = dialectFromSniff(sniffed);
	let rows: Record<string, string | null>[];
	try {
		rows = await db.rows<Record<string, string | null>>(previewSql(fileName, dialect, SAMPLE_ROWS));
	} catch (e) {
		if (isCancelled(e)) throw e;
		throw engineProblem(e, 'The first rows of this file could not be read. Check that it is a CSV export, then drop it again.');
	}
	if (rows.length === 0) {
		throw new FileProblem(
			dialect.hasHeader
				? `This file has a header (${dialect.columns.slice(0, 6).join(', ')}${dialect.columns.length > 6 ? ', …' : ''}) but no rows of orders. Export the orders again (check the date range or filters of the export) and drop the new file here.`
				: 'This file has no rows of orders. Export the orders again (check the date range or filters of the export) and drop the new file here.'
		);
	}
	const sample = dialect.columns.map((name) => ({ name, values: rows.map((r) => r[name] ?? '') }));
	return {
		dialect,
		preview: rows.slice(0, PREVIEW_ROWS).map((r) => dialect.columns.map((c) => r[c] ?? '')),
		sample,
		detection: detectColumns(sample)
	};
}

/** Loads one CSV file with the generic layout (as `loadOrders` does for one source). */
export async function loadCsv(db: SqlRunner, fileName: string, dialect: CsvDialect, plan: ReadPlan): Promise<IngestReport> {
	return loadOrders(db, readCsvSql(fileName, dialect), plan, {
		layout: 'generic',
		files: [fileName],
		rejects: [{ fileIndex: 0, fileName, linesBeforeData: dialect.skipRows + (dialect.hasHeader ? 1 : 0) }]
	});
}

/**
 * Reads the sources (one relation per file, appended in order) with the plan, groups rows into
 * orders (`order_candidates`, in one pass over the file when `readsInOnePass`, otherwise through
 * `input_rows`), scores only the main currency when there are several, and creates the canonical
 * relations `orders`, `returns`, `order_lines` and `customers`. Every row is accounted for in the
 * report.
 */
export async function loadOrders(
	db: SqlRunner,
	sources: Sources,
	plan: ReadPlan,
	context: {
		layout: LayoutId;
		files: string[];
		/** The files' size, estimated rows and orders a row (`ordersPerRow`): the database and the passes depend on them. */
		bytes?: number;
		rows?: number;
		ordersPerRow?: number;
		memoryLimit?: number;
		onPass?: (index: number, count: number) => void;
		/** Where each file's rejected lines are counted (rejects.ts). */
		rejects?: readonly RejectSource[];
	}
): Promise<IngestReport> {
	const list = typeof sources === 'string' ? [sources] : sources;
	const onePass = readsInOnePass(plan, list.length);
	const database = ingestDatabase(context.bytes ?? 0);
	const passes = orderPasses(
		(context.rows ?? 0) * (context.ordersPerRow ?? 1),
		context.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
		groupingBytesPerOrder(optionalOrderFields(plan))
	);
	// A previous file's rows would hold memory, or (in the other database) hide this file's.
	await dropIngestTables(db);
	const group = async (rows: string | null) => {
		for (let index = 0; index < passes; index++) {
			context.onPass?.(index, passes);
			await db.run(orderCandidatesSql(plan, rows, database, { index, count: passes }));
		}
	};
	try {
		if (onePass) {
			await db.run(ROW_SEQUENCE_SQL);
			await group(fileRowsSql(sources, plan));
		} else {
			await db.run(inputRowsSql(sources, plan, database));
		}
	} catch (e) {
		if (isCancelled(e) || isOutOfMemory(e)) throw e;
		throw engineProblem(
			e,
			'Reading the file stopped before its end. If the file was changed or moved, drop it again; otherwise export it again as CSV and drop the new file here.'
		);
	}
	// Before the next read of the file: DuckDB replaces its rejects tables with each read.
	await createRejectedRows(db, context.rejects ?? []);
	if (!onePass) {
		if (list.length > 1) await db.run(duplicateRowsSql(plan.mapping.orderId !== null));
		await group(null);
	}
	const mostlyRejected = mostlyRejectedMessage(await rejectSummary(db), context.files);
	if (mostlyRejected) throw new FileProblem(mostlyRejected);
	await db.run(ISOLATED_YEARS_SQL);
	const currencyQuery = currenciesSql(plan);
	const currencies = currencyQuery ? await db.rows<{ currency: string; orders: number }>(currencyQuery) : [];
	let scoredCurrency: string | null = null;
	if (currencies.length > 1) {
		const chosen = plan.options?.currency;
		scoredCurrency = chosen && currencies.some((c) => c.currency === chosen) ? chosen : currencies[0]!.currency;
		await db.run(otherCurrencySql(scoredCurrency));
	}
	for (const sql of canonicalTablesSql(plan)) await db.run(sql);
	if (hasLineItems(plan)) {
		// The empty `order_lines` in the default database would hide a compressed one.
		if (database) await db.run(`DROP TABLE IF EXISTS ${ORDER_LINES}`);
		for (let index = 0; index < passes; index++)
			await db.run(orderLinesSql(plan, onePass ? fileRowsSql(sources, plan) : null, database, { index, count: passes }));
		const [unkeyed] = onePass ? await db.rows<{ any: boolean }>(UNKEYED_ORDERS_SQL) : [];
		if (unkeyed?.any) await db.run(unkeyedLinesSql(plan, fileRowsSql(sources, plan), passes));
	}
	const report = await readIngestReport(db, plan, { layout: context.layout, files: context.files, currencies, scoredCurrency });
	return { ...report, passes };
}

/**
 * The excluded rows of the last `loadOrders` with these sources and plan (and the `passes` its
 * report gives), as SQL to export: the file is read again when it was read in one pass.
 */
export function excludedRowsQuery(sources: Sources, plan: ReadPlan, files: readonly string[], passes: number): string {
	const list = typeof sources === 'string' ? [sources] : sources;
	return readsInOnePass(plan, list.length) ? excludedRowsSql(plan, files, sources, passes) : excludedRowsSql(plan, files);
}

/**
 * Files above this size keep their orders in the compressed database (`PACKED_DATABASE`): at about
 * 3 million order lines and more, memory decides whether the file opens at all, below it speed matters more.
 */
export const PACK_ABOVE_BYTES = 96 * 2 ** 20;

/** The database a file of `bytes` keeps its rows and orders in: the compressed one for large files, else the default. */
export function ingestDatabase(bytes: number): string | null {
	return bytes > PACK_ABOVE_BYTES ? PACKED_DATABASE : null;
}

/** Drops `input_rows`, `order_candidates` and `order_lines` wherever they are. */
export async function dropIngestTables(db: SqlRunner): Promise<void> {
	for (const t of await db.rows<{ database: string; name: string }>(INGEST_TABLES_SQL))
		await db.run(`DROP TABLE IF EXISTS ${ident(t.database)}.main.${ident(t.name)}`);
}

/** DuckDB ran out of memory: the file is larger than this browser can analyse (see capacity.ts). */
export function isOutOfMemory(e: unknown): boolean {
	const text = e instanceof Error ? e.message : String(e);
	return /Out of Memory|failed to allocate|could not allocate|memory access out of bounds|Cannot enlarge memory/i.test(text);
}

/** The first line of an error's message, without its class name (for messages to the merchant). */
export function firstLine(e: unknown): string {
	const text = e instanceof Error ? e.message : String(e);
	return text
		.split('\n')[0]!
		.replace(/^[A-Za-z ]*Error: /, '')
		.slice(0, 300);
}
