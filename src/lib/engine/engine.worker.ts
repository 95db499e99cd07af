/// <reference lib="webworker" />
/**
 * The engine worker: owns DuckDB-WASM and runs ingest and RFM for the page, behind Comlink.
 */
import * as Comlink from 'comlink';
import { Table, RecordBatch } from 'apache-arrow';
import { startDuckDB, duckdb, type StartedDuckDB } from './duckdb';
import { rowsOf } from './arrow';
import { CancelledError } from '../cancel';
import { type AnalyzeRequest, type EngineApi, type EngineInfo, type OpenedFile, type ProgressCallback } from './api';
import { formatOf, prepareFile, type PrepareHost } from '../ingest/formats/prepare';
import { oneColumnProblem } from '../ingest/formats/messages';
import { parquetToIpc } from './parquet';
import { watchQueryProgress } from './query-progress';
import { planForMapping } from '../ingest/columns';
import { EXCLUDED_ROWS_SQL } from '../ingest/ingest-sql';
import { FileProblem, inspectCsv, loadCsv, type FileInspection } from '../ingest/pipeline';
import { copyToCsvSql, customersExportSql, NothingToScore, scoreCustomers, type SqlRunner } from '../rfm/analysis';
import { validateRuleSet } from '../rfm/rule-json';
import { validateScoring } from '../rfm/scoring';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import { computeBehaviour, DEFAULT_BEHAVIOUR, validateBehaviour, type BehaviourSettings } from '../rfm/behaviour';
import { listCustomers, needsBehaviour, selectionExportSql, type CustomerSelection } from '../rfm/customer-list';

let started: Promise<{ duck: StartedDuckDB; info: EngineInfo }> | null = null;

function ensureStarted() {
	started ??= (async () => {
		const t0 = performance.now();
		const duck = await startDuckDB();
		return { duck, info: { duckdbVersion: duck.version, bundle: duck.bundle, startMs: Math.round(performance.now() - t0) } };
	})();
	return started;
}

/** The running step: cancel() flips `cancelled` and asks DuckDB to stop the query in flight. */
let running: { cancelled: boolean } | null = null;

/**
 * A SqlRunner over the connection. Queries go through `send` (DuckDB's pending-query API), which
 * executes in slices and so lets `cancelSent` stop a long read between slices.
 */
function runner(duck: StartedDuckDB, token: { cancelled: boolean }): SqlRunner {
	const exec = async (sql: string): Promise<Table> => {
		if (token.cancelled) throw new CancelledError();
		try {
			const reader = await duck.conn.send(sql, false);
			const batches: RecordBatch[] = [];
			for await (const batch of reader) batches.push(batch);
			if (token.cancelled) throw new CancelledError();
			return new Table(batches);
		} catch (e) {
			if (token.cancelled) throw new CancelledError();
			throw e;
		}
	};
	return {
		async run(sql) {
			await exec(sql);
		},
		async rows<T>(sql: string) {
			return rowsOf<T>(await exec(sql));
		}
	};
}

/** The newest step (running or waiting its turn), and the end of the queue of steps. */
let latest: { cancelled: boolean } | null = null;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs one cancellable step; only one runs at a time (a new one cancels the old). The new step
 * waits for the cancelled one to stop: they share one connection, and a query sent while the
 * cancelled one winds down is interrupted or reads an empty result.
 */
async function step<T>(work: (db: SqlRunner, duck: StartedDuckDB) => Promise<T>): Promise<T> {
	const { duck } = await ensureStarted();
	if (latest) latest.cancelled = true;
	if (running) await api.cancel();
	const token = { cancelled: false };
	latest = token;
	const result = queue.then(async () => {
		if (token.cancelled) throw new CancelledError();
		running = token;
		try {
			return await work(runner(duck, token), duck);
		} finally {
			running = null;
		}
	});
	queue = result.catch(() => undefined);
	return result;
}

/** The file currently loaded: the engine reads it again when the mapping changes. */
let current: { name: string; file: File; inspection: FileInspection } | null = null;
let fileCounter = 0;

const fmt = new Intl.NumberFormat('en');

/** The rule set of the last finished scoring: the customer export takes its segments' words from it. */
let scoredRuleSet: RuleSet | null = null;

/** The last finished scoring: its analysis date, and a count of scorings (`customer_behaviour` is built for one). */
let scored: { analysisDate: string; version: number } | null = null;
/** The behaviour thresholds asked for last, and the scoring `customer_behaviour` was built for. */
let behaviourSettings: BehaviourSettings = DEFAULT_BEHAVIOUR;
let behaviourBuiltFor: number | null = null;

/** Refuses settings or rules the SQL cannot use, with the reason for the merchant. */
function checkRequest(scoring: ScoringSettings, ruleSet: RuleSet): void {
	const invalid = validateScoring(scoring);
	if (invalid) throw new FileProblem(invalid);
	const problems = validateRuleSet(ruleSet);
	if (problems.length > 0) throw new FileProblem(`The segment rules cannot be used: ${problems.join('; ')}.`);
}

/** Scores with the settings and rules, and remembers the rules for the export. */
async function score(db: SqlRunner, scoring: ScoringSettings, ruleSet: RuleSet) {
	try {
		const rfm = await scoreCustomers(db, scoring, ruleSet);
		scoredRuleSet = ruleSet;
		scored = { analysisDate: rfm.headline.analysisDate, version: (scored?.version ?? 0) + 1 };
		return rfm;
	} catch (e) {
		// An empty look-back window is the merchant's choice to change, not a failure.
		if (e instanceof NothingToScore) throw new FileProblem(e.message);
		throw e;
	}
}

function requireScored(): { analysisDate: string; version: number } {
	if (!scored) throw new FileProblem('Analyse an order file first: there are no scored customers yet.');
	return scored;
}

/** Builds `customer_behaviour` again when scoring ran since it was built (lists never show stale segments). */
async function ensureBehaviour(db: SqlRunner): Promise<void> {
	const { analysisDate, version } = requireScored();
	if (behaviourBuiltFor === version) return;
	await computeBehaviour(db, behaviourSettings, analysisDate);
	behaviourBuiltFor = version;
}

/** `query` is SQL, or builds it inside the step (after work that must come first, such as behaviour segments). */
async function exportCsv(query: string | ((db: SqlRunner) => Promise<string>)): Promise<Uint8Array> {
	return step(async (db, duck) => {
		const name = `export-${++fileCounter}.csv`;
		await db.run(copyToCsvSql(typeof query === 'string' ? query : await query(db), name));
		const bytes = await duck.db.copyFileToBuffer(name);
		await duck.db.dropFile(name);
		return Comlink.transfer(bytes, [bytes.buffer]);
	});
}

/**
 * Gets the file into DuckDB as UTF-8 CSV, whatever its format (see formats/prepare.ts), then sniffs
 * it and proposes a mapping. `sheet` picks a workbook's sheet (null: the one with the most rows).
 */
function openPrepared(file: File, sheet: string | null, onProgress?: ProgressCallback): Promise<OpenedFile> {
	return step(async (db, duck) => {
		const token = running!;
		if (current) await duck.db.dropFile(current.name);
		current = null;
		const host: PrepareHost = {
			db,
			// A file handle, not a copy: DuckDB reads slices of the File on demand.
			registerFileHandle: (name, blob) => duck.db.registerFileHandle(name, blob, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true),
			registerBuffer: (name, bytes) => duck.db.registerFileBuffer(name, bytes),
			insertArrowIpc: (table, ipc) => duck.conn.insertArrowFromIPCStream(ipc, { name: table, create: true }),
			parquetToIpc
		};
		const prepared = await prepareFile(file, host, {
			baseName: `orders-${++fileCounter}`,
			sheet,
			onProgress: (label, done, total) => onProgress?.({ step: 'open', label: `${label}…`, done, total }),
			checkCancelled: () => {
				if (token.cancelled) throw new CancelledError();
			}
		});
		const { name } = prepared;
		const format = formatOf(prepared);
		let inspection: FileInspection;
		try {
			inspection = await inspectCsv(db, name);
			const oneColumn = oneColumnProblem(inspection.dialect, inspection.preview[0]);
			if (oneColumn) throw new FileProblem(oneColumn);
		} catch (e) {
			await duck.db.dropFile(name);
			throw e;
		}
		current = { name, file, inspection };
		return {
			fileName: file.name,
			size: file.size,
			dialect: inspection.dialect,
			preview: inspection.preview,
			detection: inspection.detection,
			format
		};
	});
}

const api = {
	async start() {
		return (await ensureStarted()).info;
	},

	async openFile(file: File, onProgress?: ProgressCallback): Promise<OpenedFile> {
		onProgress?.({ step: 'open', label: `Opening ${file.name}…` });
		return openPrepared(file, null, onProgress);
	},

	async analyze(request: AnalyzeRequest, onProgress?: ProgressCallback) {
		checkRequest(request.scoring, request.ruleSet);
		return step(async (db, duck) => {
			if (!current) throw new FileProblem('Drop an order file first.');
			// A page that predates the engagement field sends no `lastEngaged`.
			const plan = planForMapping({ ...request.mapping, lastEngaged: request.mapping.lastEngaged ?? null }, current.inspection.sample);
			// Keep the detected formats when the user kept the detected columns.
			const detected = current.inspection.detection.plan;
			if (plan.mapping.orderDate === detected.mapping.orderDate && detected.dateFormat) plan.dateFormat = detected.dateFormat;
			if (plan.mapping.amount === detected.mapping.amount && detected.amountFormat) plan.amountFormat = detected.amountFormat;
			if (plan.mapping.lastEngaged && plan.mapping.lastEngaged === detected.mapping.lastEngaged && detected.engagedFormat)
				plan.engagedFormat = detected.engagedFormat;
			const label = `Reading ${current.file.name} (${fmt.format(Math.round(current.file.size / 1024))} KB)…`;
			onProgress?.({ step: 'read', label });
			const size = current.file.size;
			// DuckDB's own progress (a share of the file read) drives the bar on a long read.
			const stopWatching = await watchQueryProgress(duck.db, duck.conn, (percent) =>
				onProgress?.({ step: 'read', label, done: Math.round((percent / 100) * size), total: size })
			);
			const t0 = performance.now();
			const ingest = await loadCsv(db, current.name, current.inspection.dialect, plan).finally(stopWatching);
			const t1 = performance.now();
			if (ingest.rowsUsed === 0) {
				const reasons = ingest.excluded.map((e) => `${e.label.toLowerCase()}: ${fmt.format(e.rows)} rows`).join('; ');
				throw new FileProblem(
					`None of the ${fmt.format(ingest.rowsRead)} rows could be used (${reasons}). Check the column choices in the mapping panel below.`
				);
			}
			onProgress?.({ step: 'score', label: `Scoring customers from ${fmt.format(ingest.rowsUsed)} rows…` });
			const rfm = await score(db, request.scoring, request.ruleSet);
			return { ingest, rfm, timings: { readMs: Math.round(t1 - t0), scoreMs: Math.round(performance.now() - t1) } };
		});
	},

	async rescore(scoring, ruleSet, onProgress) {
		checkRequest(scoring, ruleSet);
		return step(async (db) => {
			onProgress?.({ step: 'score', label: 'Scoring customers…' });
			return score(db, scoring, ruleSet);
		});
	},

	async exportCustomers() {
		if (!scoredRuleSet) throw new FileProblem('Analyse an order file first: there are no scored customers to export yet.');
		return exportCsv(customersExportSql(scoredRuleSet));
	},

	exportExcludedRows() {
		return exportCsv(EXCLUDED_ROWS_SQL);
	},

	async behaviour(settings: BehaviourSettings) {
		const invalid = validateBehaviour(settings);
		if (invalid) throw new FileProblem(invalid);
		// Recorded first: a list that cancels this step rebuilds with these thresholds.
		behaviourSettings = structuredClone(settings);
		return step(async (db) => {
			const { analysisDate, version } = requireScored();
			const summary = await computeBehaviour(db, settings, analysisDate);
			behaviourBuiltFor = version;
			return summary;
		});
	},

	async listCustomers(selection, options) {
		return step(async (db) => {
			requireScored();
			if (needsBehaviour(selection)) await ensureBehaviour(db);
			return listCustomers(db, selection, options);
		});
	},

	async exportSelection(selection: CustomerSelection) {
		return exportCsv(async (db) => {
			requireScored();
			if (!scoredRuleSet) throw new FileProblem('Analyse an order file first: there are no scored customers to export yet.');
			if (needsBehaviour(selection)) await ensureBehaviour(db);
			return selectionExportSql(selection, scoredRuleSet);
		});
	},

	async cancel() {
		// A step waiting its turn is cancelled too.
		if (latest) latest.cancelled = true;
		const token = running;
		if (!token) return;
		token.cancelled = true;
		const { duck } = await ensureStarted();
		await duck.conn.cancelSent().catch(() => false);
	},

	async openSheet(sheet: string, onProgress?: ProgressCallback): Promise<OpenedFile> {
		if (!current) throw new FileProblem('Drop an order file first.');
		onProgress?.({ step: 'open', label: `Reading the sheet "${sheet}"…` });
		return openPrepared(current.file, sheet, onProgress);
	}
} satisfies EngineApi;

Comlink.expose(api);
// Start DuckDB as soon as the worker exists, so a dropped file never waits for it.
void ensureStarted();
