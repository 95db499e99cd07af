/**
 * The engine's steps from dropped files to orders: get each file into DuckDB and sniff it (`openFiles`),
 * then read the orders with the merchant's mapping, within the memory the tab has (`readOrders`).
 * The SQL is ingest's; what is here is DuckDB-WASM's side of it (file handles, buffers, progress).
 */
import type { AnalyzeRequest, OpenedFile, ProgressCallback } from './api';
import type { Step } from './connection';
import { duckdb, type StartedDuckDB } from './duckdb';
import { parquetToIpc } from './parquet';
import { watchQueryProgress } from './query-progress';
import { CancelledError, FileProblem } from '../errors';
import { capacityRows, estimateRows, ordersPerRow, tooLargeMessage } from '../ingest/capacity';
import { planForMapping, type ReadPlan } from '../ingest/columns';
import { formatOf, prepareFile, type PreparedFormat, type PrepareHost } from '../ingest/formats/prepare';
import { oneColumnProblem } from '../ingest/formats/messages';
import { dropIngestTables, isOutOfMemory, loadOrders } from '../ingest/pipeline';
import type { IngestReport } from '../ingest/report';
import { inspectSources, SNIFF_BYTES, sniffSample, sniffSource, type FileSource, type SourcesInspection } from '../ingest/sources';
import { dayMonthAmbiguous, detectDateFormat, swapDayMonth } from '../ingest/values';

/** The file(s) currently opened: read again whenever the mapping changes. */
export interface OpenFiles {
	/** The names registered with DuckDB (prepared files and sniff samples), dropped with the files. */
	registered: string[];
	files: File[];
	/** Each file's first lines, to estimate its rows before reading it. */
	heads: string[];
	inspection: SourcesInspection;
}

const fmt = new Intl.NumberFormat('en');

/** Forgets the files registered with DuckDB (a file that is already gone is fine). */
export async function dropFiles(duck: StartedDuckDB, names: readonly string[]): Promise<void> {
	for (const name of names) await duck.db.dropFile(name).catch(() => undefined);
}

/**
 * Gets each file into DuckDB as UTF-8 CSV, whatever its format (see formats/prepare.ts), sniffs it,
 * and decides how the files are read together (appended, or Olist's tables joined: sources.ts).
 * `sheet` picks a workbook's sheet (null: the one with the most rows); `nextName` gives each file a
 * name of its own in DuckDB.
 */
export async function openFiles(
	{ db, duck, token }: Step,
	files: File[],
	sheet: string | null,
	nextName: (prefix: string) => string,
	onProgress?: ProgressCallback
): Promise<{ open: OpenFiles; opened: OpenedFile }> {
	const host: PrepareHost = {
		db,
		// A file handle, not a copy: DuckDB reads slices of the File on demand.
		registerFileHandle: (name, blob) => duck.db.registerFileHandle(name, blob, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true),
		registerBuffer: (name, bytes) => duck.db.registerFileBuffer(name, bytes),
		insertArrowIpc: (table, ipc) => duck.conn.insertArrowFromIPCStream(ipc, { name: table, create: true }),
		parquetToIpc
	};
	const registered: string[] = [];
	const sources: FileSource[] = [];
	const formats: PreparedFormat[] = [];
	const heads: string[] = [];
	let inspection: SourcesInspection;
	// The file being read: with several files, a message about one must say which.
	let reading: string | null = null;
	try {
		for (const file of files) {
			reading = file.name;
			const prepared = await prepareFile(file, host, {
				baseName: nextName('orders'),
				sheet,
				onProgress: (label, done, total) => onProgress?.({ step: 'open', label: `${label}…`, done, total }),
				checkCancelled: () => {
					if (token.cancelled) throw new CancelledError();
				}
			});
			registered.push(prepared.name);
			formats.push(formatOf(prepared));
			heads.push(prepared.head);
			// A large CSV read from disk is sniffed on its first megabyte (see SNIFF_BYTES).
			let sniffName = prepared.name;
			const sample =
				prepared.format === 'csv' && prepared.encoding === 'utf-8'
					? sniffSample(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()), file.size)
					: null;
			if (sample) {
				sniffName = `${prepared.name}.sniff`;
				await duck.db.registerFileBuffer(sniffName, sample);
				registered.push(sniffName);
			}
			sources.push({
				...(await sniffSource(db, file.name, prepared.name, prepared.head, sniffName)),
				skipped: prepared.skipped ?? []
			});
			reading = null;
		}
		inspection = await inspectSources(db, sources);
		const first = sources[0]!;
		const oneColumn = first.kind === 'csv' ? oneColumnProblem(first.dialect, inspection.preview[0]) : null;
		if (oneColumn) throw new FileProblem(oneColumn);
	} catch (e) {
		await dropFiles(duck, registered);
		if (files.length > 1 && reading && e instanceof FileProblem && !e.message.startsWith(reading))
			throw new FileProblem(`${reading}: ${e.message}`);
		throw e;
	}
	const distinct: Record<string, string[]> = {};
	for (const c of inspection.sample) distinct[c.name] = [...new Set(c.values.map((v) => v.trim()).filter((v) => v !== ''))].slice(0, 50);
	const opened: OpenedFile = {
		fileName: files.length === 1 ? files[0]!.name : `${files.length} files`,
		files: files.map((f) => ({ name: f.name, size: f.size })),
		size: files.reduce((s, f) => s + f.size, 0),
		layout: inspection.layout,
		columns: inspection.columns,
		ambiguousDates: inspection.sample.filter((c) => dayMonthAmbiguous(c.values, detectDateFormat(c.values))).map((c) => c.name),
		preview: inspection.preview,
		distinct,
		detection: inspection.detection,
		generic: inspection.generic,
		format: formats[0]
	};
	return { open: { registered, files, heads, inspection }, opened };
}

/** How the files are read with the merchant's mapping: the detected formats kept where the detected columns were. */
function planFor(inspection: SourcesInspection, request: AnalyzeRequest): { plan: ReadPlan; useLayout: boolean } {
	const useLayout = (request.layout ?? inspection.layout) !== 'generic';
	const detected = useLayout ? inspection.detection.plan : inspection.generic.plan;
	// A page that predates the engagement field sends no `lastEngaged`.
	const plan = planForMapping(
		{ ...request.mapping, lastEngaged: request.mapping.lastEngaged ?? null },
		inspection.sample,
		request.options ?? detected.options
	);
	// Keep the detected formats when the user kept the detected columns.
	if (plan.mapping.orderDate === detected.mapping.orderDate && detected.dateFormat) plan.dateFormat = detected.dateFormat;
	if (plan.mapping.amount === detected.mapping.amount && plan.mapping.unitPrice === detected.mapping.unitPrice && detected.amountFormat)
		plan.amountFormat = detected.amountFormat;
	if (plan.mapping.lastEngaged && plan.mapping.lastEngaged === detected.mapping.lastEngaged && detected.engagedFormat)
		plan.engagedFormat = detected.engagedFormat;
	// The merchant said which comes first where the data could not.
	const order = plan.options?.dateOrder;
	if (order && plan.dateFormat && (plan.dateFormat.order === 'dmy' || plan.dateFormat.order === 'mdy') && plan.dateFormat.order !== order)
		plan.dateFormat = swapDayMonth(plan.dateFormat);
	return { plan, useLayout };
}

/** What reading the orders gave, and what a later out-of-memory error during scoring is measured against. */
export interface ReadOrders {
	ingest: IngestReport;
	plan: ReadPlan;
	/** Estimated rows and bytes of the files (for the "too large" message). */
	size: { rows: number; bytes: number };
	readMs: number;
}

/**
 * Reads the opened files' orders into the canonical tables with the request's mapping. A file that
 * cannot fit in `memoryLimit` is refused before reading (a tab whose memory ran out may not
 * recover); running out of memory while reading frees what was read and says how large it is.
 */
export async function readOrders(
	{ db, duck }: Step,
	open: OpenFiles,
	request: AnalyzeRequest,
	memoryLimit: number,
	onProgress?: ProgressCallback
): Promise<ReadOrders> {
	const { inspection } = open;
	const { plan, useLayout } = planFor(inspection, request);
	const bytes = open.files.reduce((s, f) => s + f.size, 0);
	const rows = open.heads.reduce((sum, head, i) => sum + estimateRows(open.files[i]!.size, head), 0);
	if (rows > capacityRows(memoryLimit)) throw new FileProblem(tooLargeMessage({ rows, bytes }, memoryLimit));
	const what = inspection.files.length === 1 ? inspection.files[0] : `${inspection.files.length} files`;
	let label = `Reading ${what} (${fmt.format(Math.round(bytes / 1024))} KB)…`;
	onProgress?.({ step: 'read', label });
	// DuckDB's own progress (a share of the file read) drives the bar on a long read; with
	// several passes over the file, each is its share of the bar.
	let pass = { index: 0, count: 1 };
	let readShare = 0;
	const stopWatching = await watchQueryProgress(duck.db, duck.conn, (percent) => {
		readShare = Math.max(readShare, (pass.index + percent / 100) / pass.count);
		onProgress?.({ step: 'read', label, done: Math.round(readShare * bytes), total: bytes });
	});
	const t0 = performance.now();
	try {
		const ingest = await loadOrders(db, inspection.relations, plan, {
			layout: useLayout ? inspection.layout : 'generic',
			files: inspection.files,
			rejects: inspection.rejects,
			bytes,
			rows,
			ordersPerRow: ordersPerRow(
				plan.mapping.orderId ? (inspection.sample.find((c) => c.name === plan.mapping.orderId)?.values ?? null) : null
			),
			memoryLimit,
			onPass: (index, count) => {
				pass = { index, count };
				if (count > 1) label = `Reading ${what}, part ${index + 1} of ${count}…`;
			}
		});
		return { ingest, plan, size: { rows, bytes }, readMs: Math.round(performance.now() - t0) };
	} catch (e) {
		if (!isOutOfMemory(e)) throw e;
		// What was read is of no use without the rest: free it so the next file has the memory.
		await dropIngestTables(db).catch(() => undefined);
		throw new FileProblem(tooLargeMessage({ rows, bytes }, memoryLimit, readShare));
	} finally {
		stopWatching();
	}
}
