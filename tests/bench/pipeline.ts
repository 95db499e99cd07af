/**
 * What the engine worker does between a dropped file and the matrix (engine.worker.ts `openFile`
 * then `analyze`, with the page's defaults), over any SqlRunner — so native DuckDB and DuckDB-WASM's
 * Node build run the very SQL the browser runs. Keep in step with the worker.
 */
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { classifyFile } from '../../src/lib/ingest/file-kind';
import { planForMapping } from '../../src/lib/ingest/columns';
import { loadOrders } from '../../src/lib/ingest/pipeline';
import { estimateRows, ordersPerRow } from '../../src/lib/ingest/capacity';
import { inspectSources, SNIFF_BYTES, sniffSample, sniffSource } from '../../src/lib/ingest/sources';
import { newScoringCache, scoreCustomers, type IngestReport, type RfmResult, type SqlRunner } from '../../src/lib/rfm/analysis';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';

export interface PipelineTimings {
	/** classify + sniff + preview + column detection (the worker's `openFiles`). */
	openMs: number;
	/** `loadOrders`: order_candidates, orders, ingest report (the worker's `readMs`). */
	readMs: number;
	/** `scoreCustomers` (the worker's `scoreMs`). */
	scoreMs: number;
	totalMs: number;
	/** A second `scoreCustomers` with 4 levels after the first: a settings change (the worker's `rescore`). */
	rescoreMs: number;
}

export interface PipelineRun {
	ingest: IngestReport;
	rfm: RfmResult;
	timings: PipelineTimings;
}

/** What an engine offers the pipeline: SQL, and a way to make bytes readable under a name (the sniff sample). */
export interface PipelineDb extends SqlRunner {
	registerBytes(name: string, bytes: Uint8Array): Promise<void>;
}

/**
 * Opens and analyses `path`, registered with the engine as `sqlName`, with the detected mapping,
 * DEFAULT_SCORING and the grid segments — what the page does when every column is detected — then
 * re-scores with 4 levels (timed apart, not in the total).
 */
export async function analyzeFile(db: PipelineDb, path: string, sqlName: string, memoryLimit?: number): Promise<PipelineRun> {
	const t0 = performance.now();
	const size = statSync(path).size;
	const head = readHead(path, Math.max(65536, SNIFF_BYTES));
	const kind = classifyFile(size, head.subarray(0, 65536));
	if (!kind.readable) throw new Error(kind.message);
	// engine.worker.ts openPrepared(): a large CSV is sniffed on its first megabyte.
	const sample = sniffSample(head, size);
	if (sample) await db.registerBytes(`${sqlName}.sniff`, sample);
	const source = await sniffSource(
		db,
		path,
		sqlName,
		new TextDecoder().decode(head.subarray(0, 65536)),
		sample ? `${sqlName}.sniff` : sqlName
	);
	const inspection = await inspectSources(db, [source]);
	if (inspection.detection.missing.length > 0) throw new Error(`Columns not detected: ${inspection.detection.missing.join(', ')}`);
	const t1 = performance.now();

	// engine.worker.ts analyze(): the page sends the detected mapping back.
	const detected = inspection.detection.plan;
	const plan = planForMapping({ ...detected.mapping }, inspection.sample, detected.options);
	if (plan.mapping.orderDate === detected.mapping.orderDate && detected.dateFormat) plan.dateFormat = detected.dateFormat;
	if (plan.mapping.amount === detected.mapping.amount && plan.mapping.unitPrice === detected.mapping.unitPrice && detected.amountFormat)
		plan.amountFormat = detected.amountFormat;
	if (plan.mapping.lastEngaged && plan.mapping.lastEngaged === detected.mapping.lastEngaged && detected.engagedFormat)
		plan.engagedFormat = detected.engagedFormat;
	const rows = estimateRows(size, new TextDecoder().decode(head.subarray(0, 65536)));
	const ingest = await loadOrders(db, inspection.relations, plan, {
		layout: inspection.layout,
		files: inspection.files,
		bytes: size,
		rows,
		ordersPerRow: ordersPerRow(
			plan.mapping.orderId ? (inspection.sample.find((c) => c.name === plan.mapping.orderId)?.values ?? null) : null
		),
		memoryLimit
	});
	const t2 = performance.now();
	if (ingest.rowsUsed === 0) throw new Error('No row could be used');
	// As the worker: one cache per load, so a settings change reuses the metrics.
	const cache = newScoringCache();
	const rfm = await scoreCustomers(db, { ...DEFAULT_SCORING }, GRID_MAP, cache);
	const t3 = performance.now();
	await scoreCustomers(db, { ...DEFAULT_SCORING, levels: 4 }, GRID_MAP, cache);
	const rescoreMs = performance.now() - t3;
	return { ingest, rfm, timings: { openMs: t1 - t0, readMs: t2 - t1, scoreMs: t3 - t2, totalMs: t3 - t0, rescoreMs } };
}

function readHead(path: string, bytes: number): Uint8Array {
	const fd = openSync(path, 'r');
	try {
		const buf = new Uint8Array(bytes);
		const n = readSync(fd, buf, 0, bytes, 0);
		return buf.subarray(0, n);
	} finally {
		closeSync(fd);
	}
}

/**
 * The parts of a result two engines must agree on. Null means the value could not be read (a browser
 * run whose worker answers were not captured): `missingFields` names it and the bench fails, since a
 * comparison that skipped it would pass on whatever the field held.
 */
export interface ResultSummary {
	rowsRead: number | null;
	rowsUsed: number | null;
	customers: number | null;
	orders: number | null;
	revenue: number | null;
	analysisDate: string | null;
	/** `r:f` → customers, revenue, segment. */
	matrix: Record<string, { customers: number; revenue: number; segment: string | null }>;
}

export function summarize(run: { ingest: IngestReport; rfm: RfmResult }): ResultSummary {
	const matrix: ResultSummary['matrix'] = {};
	for (const c of run.rfm.matrix) matrix[`${c.r}:${c.f}`] = { customers: c.customers, revenue: c.revenue, segment: c.segment };
	return {
		rowsRead: run.ingest.rowsRead,
		rowsUsed: run.ingest.rowsUsed,
		customers: run.rfm.headline.customers,
		orders: run.rfm.headline.orders,
		revenue: run.rfm.headline.revenue,
		analysisDate: run.rfm.headline.analysisDate,
		matrix
	};
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** The fields every engine's result is compared on. */
export const COMPARED_FIELDS = ['rowsRead', 'rowsUsed', 'customers', 'orders', 'revenue', 'analysisDate'] as const;

/** The compared fields this result lacks (null), and `matrix` when it has no cell: empty when it can be compared in full. */
export function missingFields(summary: ResultSummary): string[] {
	const missing: string[] = COMPARED_FIELDS.filter((key) => summary[key] === null);
	if (Object.keys(summary.matrix).length === 0) missing.push('matrix');
	return missing;
}

/**
 * Differences between two summaries (empty when they agree). Revenue is compared with a relative
 * tolerance of 1e-9: engines may add doubles in another order. A field one side lacks (null) is a
 * difference: skipping it would let a result that lost it agree with anything.
 */
export function compareSummaries(a: ResultSummary, b: ResultSummary): string[] {
	const diffs: string[] = [];
	for (const key of COMPARED_FIELDS) {
		const x = a[key];
		const y = b[key];
		if (x === null || y === null) {
			if (x !== y) diffs.push(`${key}: ${x ?? 'missing'} vs ${y ?? 'missing'}`);
			else diffs.push(`${key}: missing on both sides`);
		} else if (typeof x === 'number' && typeof y === 'number' ? !close(x, y) : x !== y) diffs.push(`${key}: ${x} vs ${y}`);
	}
	const cells = new Set([...Object.keys(a.matrix), ...Object.keys(b.matrix)]);
	for (const key of [...cells].sort()) {
		const x = a.matrix[key] ?? { customers: 0, revenue: 0, segment: null };
		const y = b.matrix[key] ?? { customers: 0, revenue: 0, segment: null };
		if (x.customers !== y.customers || !close(x.revenue, y.revenue) || (x.customers > 0 && x.segment !== y.segment)) {
			diffs.push(
				`cell R${key.replace(':', ' F')}: ${x.customers} customers/${x.revenue.toFixed(2)}/${x.segment} vs ${y.customers}/${y.revenue.toFixed(2)}/${y.segment}`
			);
		}
	}
	return diffs;
}
