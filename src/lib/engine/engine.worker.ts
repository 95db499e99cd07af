/// <reference lib="webworker" />
/**
 * The engine worker: owns DuckDB-WASM and runs ingest and RFM for the page, behind Comlink.
 */
import * as Comlink from 'comlink';
import { Table, RecordBatch } from 'apache-arrow';
import { startDuckDB, duckdb, type StartedDuckDB } from './duckdb';
import { rowsOf } from './arrow';
import { CancelledError, FileProblem, NothingToScore, PredictionProblem } from '../errors';
import { type AnalyzeRequest, type EngineApi, type EngineInfo, type EngineOptions, type OpenedFile, type ProgressCallback } from './api';
import { capacityRows, DEFAULT_MEMORY_LIMIT, estimateRows, ordersPerRow, parseMemoryLimit, tooLargeMessage } from '../ingest/capacity';
import { dayMonthAmbiguous, detectDateFormat, swapDayMonth } from '../ingest/values';
import { planForMapping, type ReadPlan } from '../ingest/columns';
import { dropIngestTables, excludedRowsQuery, isOutOfMemory, loadOrders } from '../ingest/pipeline';
import type { IngestReport } from '../ingest/report';
import { inspectSources, SNIFF_BYTES, sniffSample, sniffSource, type FileSource, type SourcesInspection } from '../ingest/sources';
import { formatOf, prepareFile, type PreparedFormat, type PrepareHost } from '../ingest/formats/prepare';
import { oneColumnProblem } from '../ingest/formats/messages';
import { nothingToScoreMessage } from '../ingest/messages';
import { parquetToIpc } from './parquet';
import { watchQueryProgress } from './query-progress';
import { copyToCsvSql, customersExportSql, newScoringCache, scoreCustomers } from '../rfm/analysis';
import type { SqlRunner } from '../db/runner';
import { validateRuleSet } from '../rfm/rule-json';
import { validateScoring } from '../rfm/scoring';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import { computeBehaviour, DEFAULT_BEHAVIOUR, validateBehaviour, type BehaviourSettings } from '../rfm/behaviour';
import { listCustomers, needsBehaviour, selectionExportSql, type CustomerSelection } from '../rfm/customer-list';
import { HistoryRunner, type ScoredContext } from '../history/history-runner';
import { arrowWriter } from './predict-writer';
import { runPredictions, type TableWriter } from '../predict/pipeline';
import { validatePredictSettings, type PredictSettings } from '../predict/predict';
import {
	predictionRowsSql,
	PREDICTIONS_TABLE,
	segmentPredictionsSql,
	withPredictionsSql,
	type PredictionColumns,
	type PredictionSelection,
	type SegmentPrediction
} from '../predict/predictions-sql';
import { boundRunner } from './bound';
import { scoredCustomersParquet, scoredCustomersSql } from '../builder/parquet';
import {
	columnsExportSql,
	countSegments,
	prepareBuilder,
	presetCounts,
	presetCsv,
	refreshBuilderPredictions,
	selectCustomers,
	type BuilderFields
} from '../builder/builder-engine';
import {
	customerProfile,
	exploreCharts,
	listInfoSql,
	listWindowSql,
	materialiseListSql,
	readSchema,
	type ExploreRow
} from '../rfm/explore';

let started: Promise<{ duck: StartedDuckDB; info: EngineInfo }> | null = null;

function ensureStarted() {
	started ??= (async () => {
		const t0 = performance.now();
		const duck = await startDuckDB();
		const info = { duckdbVersion: duck.version, bundle: duck.bundle, startMs: Math.round(performance.now() - t0), memoryLimit: 0 };
		info.memoryLimit = await readMemoryLimit(duck);
		return { duck, info };
	})();
	return started;
}

async function readMemoryLimit(duck: StartedDuckDB): Promise<number> {
	const limit = String((await duck.conn.query(`SELECT current_setting('memory_limit') AS m`)).getChild('m')?.get(0) ?? '');
	return parseMemoryLimit(limit) ?? DEFAULT_MEMORY_LIMIT;
}

/** The page's start options (DuckDB starts before the page asks, when this module loads). */
async function applyOptions(options: EngineOptions): Promise<EngineInfo> {
	const { duck, info } = await ensureStarted();
	// Only a size such as `64MB` or `1.5GB`: the value goes into SQL.
	if (options.memoryLimit && /^\d+(\.\d+)?\s*[KMG]i?B$/i.test(options.memoryLimit)) {
		await duck.conn.query(`SET memory_limit = '${options.memoryLimit}'`);
		info.memoryLimit = await readMemoryLimit(duck);
	}
	return info;
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
		},
		arrow: exec
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
	return enqueue(duck, token, work);
}

/** Page work queued or running: background work waits while there is any. */
let pageWork = 0;

/**
 * Queues the page's work after everything queued before it, as the `running` step with `token`
 * (which `cancel` stops); skipped when the token was cancelled while it waited.
 */
function enqueue<T>(
	duck: StartedDuckDB,
	token: { cancelled: boolean },
	work: (db: SqlRunner, duck: StartedDuckDB) => Promise<T>
): Promise<T> {
	pageWork++;
	const result = queue
		.then(async () => {
			if (token.cancelled) throw new CancelledError();
			running = token;
			try {
				return await work(runner(duck, token), duck);
			} finally {
				running = null;
			}
		})
		.finally(() => pageWork--);
	queue = result.catch(() => undefined);
	return result;
}

/** The file(s) currently loaded: the engine reads them again when the mapping changes. */
let current: { registered: string[]; files: File[]; heads: string[]; inspection: SourcesInspection } | null = null;
/** The plan of the last load, for the excluded-rows download. */
let loadedPlan: { plan: ReadPlan; passes: number } | null = null;
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

/** What a rescore of the same orders reuses (metrics, distribution); new orders start a new one. */
let scoringCache = newScoringCache();

/** Scores with the settings and rules, and remembers the rules for the export. */
async function score(db: SqlRunner, scoring: ScoringSettings, ruleSet: RuleSet) {
	try {
		const rfm = await scoreCustomers(db, scoring, ruleSet, scoringCache);
		scoredRuleSet = ruleSet;
		scoredSettings = rfm.settings;
		scored = { analysisDate: rfm.headline.analysisDate, version: (scored?.version ?? 0) + 1 };
		return rfm;
	} catch (e) {
		// An empty look-back window is the merchant's choice to change, not a failure.
		if (e instanceof NothingToScore) throw new FileProblem(e.message);
		throw e;
	}
}

/** The settings of the last finished scoring: history views score past dates with them. */
let scoredSettings: ScoringSettings | null = null;
const history = new HistoryRunner();

/** The last scoring's settings, rules and version, for the history views. */
function scoredContext(): ScoredContext {
	const { version } = requireScored();
	if (!scoredSettings || !scoredRuleSet) throw new FileProblem('Analyse an order file first: there are no scored customers yet.');
	return { settings: scoredSettings, ruleSet: scoredRuleSet, version };
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

/** Which query `explore_list` holds (scoring, behaviour thresholds, selection, sort, search) and its size. */
let exploreList: { key: string; total: number; hasName: boolean; hasEmail: boolean; predictions: PredictionColumns | null } | null = null;

/**
 * Runs a read for the explore views after the steps already queued, without cancelling them:
 * scrolling the list must not cancel a rescore. A newer step still cancels a read in progress
 * (the page asks again).
 */
async function readStep<T>(work: (db: SqlRunner) => Promise<T>): Promise<T> {
	const { duck } = await ensureStarted();
	return enqueue(duck, { cancelled: false }, (db) => work(db));
}

/**
 * Runs background work (one query, one write) after everything queued, and only once no page work
 * waits: a list or count the merchant asks for goes ahead of the rest of a background job.
 */
async function inBackground<T>(work: () => Promise<T>): Promise<T> {
	while (pageWork > 0) await queue;
	const result = queue.then(work);
	queue = result.catch(() => undefined);
	return result;
}

/** The predictions running in the background, if any: new orders (a file, a mapping) stop them. */
let backgroundPrediction: { cancelled: boolean } | null = null;

function stopBackgroundPredictions(): void {
	if (backgroundPrediction) backgroundPrediction.cancelled = true;
	backgroundPrediction = null;
}

/**
 * A runner whose every query queues on its own, behind page work, and which page steps do not
 * cancel (it is never `running`): the queries of a long background job interleave with the page's.
 */
function queuedRunner(duck: StartedDuckDB, token: { cancelled: boolean }): SqlRunner {
	const inner = runner(duck, token);
	return {
		run: (sql) => inBackground(() => inner.run(sql)),
		rows: <T>(sql: string) => inBackground(() => inner.rows<T>(sql)),
		arrow: (sql) => inBackground(() => inner.arrow!(sql))
	};
}

/**
 * Gets each file into DuckDB as UTF-8 CSV, whatever its format (see formats/prepare.ts), sniffs it,
 * and decides how the files are read together (appended, or Olist's tables joined: sources.ts).
 * `sheet` picks a workbook's sheet (null: the one with the most rows).
 */
function openPrepared(files: File[], sheet: string | null, onProgress?: ProgressCallback): Promise<OpenedFile> {
	stopBackgroundPredictions();
	return step(async (db, duck) => {
		const token = running!;
		if (current) for (const name of current.registered) await duck.db.dropFile(name).catch(() => undefined);
		current = null;
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
					baseName: `orders-${++fileCounter}`,
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
			for (const name of registered) await duck.db.dropFile(name).catch(() => undefined);
			if (files.length > 1 && reading && e instanceof FileProblem && !e.message.startsWith(reading))
				throw new FileProblem(`${reading}: ${e.message}`);
			throw e;
		}
		current = { registered, files, heads, inspection };
		const distinct: Record<string, string[]> = {};
		for (const c of inspection.sample) distinct[c.name] = [...new Set(c.values.map((v) => v.trim()).filter((v) => v !== ''))].slice(0, 50);
		return {
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
	});
}

const api = {
	async start(options?: EngineOptions) {
		return applyOptions(options ?? {});
	},

	openFile(file: File, onProgress?: ProgressCallback): Promise<OpenedFile> {
		return api.openFiles([file], onProgress);
	},

	async openFiles(files: File[], onProgress?: ProgressCallback): Promise<OpenedFile> {
		if (files.length === 0) throw new FileProblem('No file was dropped.');
		onProgress?.({ step: 'open', label: files.length === 1 ? `Opening ${files[0]!.name}…` : `Opening ${files.length} files…` });
		return openPrepared(files, null, onProgress);
	},

	async analyze(request: AnalyzeRequest, onProgress?: ProgressCallback) {
		checkRequest(request.scoring, request.ruleSet);
		// New orders: predictions of the old ones must not finish on them.
		stopBackgroundPredictions();
		return step(async (db, duck) => {
			if (!current) throw new FileProblem('Drop an order file first.');
			const { inspection } = current;
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
			if (
				order &&
				plan.dateFormat &&
				(plan.dateFormat.order === 'dmy' || plan.dateFormat.order === 'mdy') &&
				plan.dateFormat.order !== order
			)
				plan.dateFormat = swapDayMonth(plan.dateFormat);
			const size = current.files.reduce((s, f) => s + f.size, 0);
			const { memoryLimit } = (await ensureStarted()).info;
			// Refused before reading when it cannot fit: a tab whose memory ran out may not recover.
			const rows = current.heads.reduce((sum, head, i) => sum + estimateRows(current!.files[i]!.size, head), 0);
			if (rows > capacityRows(memoryLimit)) throw new FileProblem(tooLargeMessage({ rows, bytes: size }, memoryLimit));
			let label = `Reading ${inspection.files.length === 1 ? inspection.files[0] : `${inspection.files.length} files`} (${fmt.format(Math.round(size / 1024))} KB)…`;
			onProgress?.({ step: 'read', label });
			// DuckDB's own progress (a share of the file read) drives the bar on a long read; with
			// several passes over the file, each is its share of the bar.
			let pass = { index: 0, count: 1 };
			let readShare = 0;
			const stopWatching = await watchQueryProgress(duck.db, duck.conn, (percent) => {
				readShare = Math.max(readShare, (pass.index + percent / 100) / pass.count);
				onProgress?.({ step: 'read', label, done: Math.round(readShare * size), total: size });
			});
			const t0 = performance.now();
			let ingest: IngestReport;
			try {
				ingest = await loadOrders(db, inspection.relations, plan, {
					layout: useLayout ? inspection.layout : 'generic',
					files: inspection.files,
					rejects: inspection.rejects,
					bytes: size,
					rows,
					ordersPerRow: ordersPerRow(
						plan.mapping.orderId ? (inspection.sample.find((c) => c.name === plan.mapping.orderId)?.values ?? null) : null
					),
					memoryLimit,
					onPass: (index, count) => {
						pass = { index, count };
						if (count > 1)
							label = `Reading ${inspection.files.length === 1 ? inspection.files[0] : `${inspection.files.length} files`}, part ${index + 1} of ${count}…`;
					}
				});
			} catch (e) {
				if (!isOutOfMemory(e)) throw e;
				// What was read is of no use without the rest: free it so the next file has the memory.
				await dropIngestTables(db).catch(() => undefined);
				throw new FileProblem(tooLargeMessage({ rows, bytes: size }, memoryLimit, readShare));
			} finally {
				stopWatching();
			}
			loadedPlan = { plan, passes: ingest.passes ?? 1 };
			scoringCache = newScoringCache();
			// New orders: the old predictions no longer apply (and no view may join them).
			predicted = null;
			await db.run(`DROP TABLE IF EXISTS ${PREDICTIONS_TABLE}`);
			const t1 = performance.now();
			if (ingest.orders === 0) {
				throw new FileProblem(nothingToScoreMessage(ingest));
			}
			onProgress?.({ step: 'score', label: `Scoring customers from ${fmt.format(ingest.orders)} orders…` });
			const rfm = await score(db, request.scoring, request.ruleSet).catch(async (e: unknown) => {
				if (!isOutOfMemory(e)) throw e;
				await dropIngestTables(db).catch(() => undefined);
				throw new FileProblem(tooLargeMessage({ rows, bytes: size }, memoryLimit, 1));
			});
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
		const sql = customersExportSql(scoredRuleSet);
		return exportCsv(predicted ? withPredictionsSql(sql, predicted.horizons) : sql);
	},

	exportExcludedRows() {
		if (!current || !loadedPlan) throw new FileProblem('Analyse an order file first.');
		return exportCsv(excludedRowsQuery(current.inspection.relations, loadedPlan.plan, current.inspection.files, loadedPlan.passes));
	},

	async behaviour(settings: BehaviourSettings) {
		const invalid = validateBehaviour(settings);
		if (invalid) throw new FileProblem(invalid);
		// Recorded first: a list that cancels this step rebuilds with these thresholds.
		behaviourSettings = structuredClone(settings);
		// Queued, not cancelling: the page refreshes behaviour segments after each scoring, and that
		// refresh must not cancel a newer rescore the merchant has started meanwhile (it runs after it,
		// on its scores).
		return readStep(async (db) => {
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
			await history.ensureSelection(db, scoredContext(), selection);
			if (selection.kind === 'builder') await selectCustomers(await ensureBuilder(db, (await ensureStarted()).duck), selection);
			return listCustomers(db, selection, options);
		});
	},

	async exportSelection(selection: CustomerSelection) {
		return exportCsv(async (db) => {
			requireScored();
			if (!scoredRuleSet) throw new FileProblem('Analyse an order file first: there are no scored customers to export yet.');
			if (needsBehaviour(selection)) await ensureBehaviour(db);
			await history.ensureSelection(db, scoredContext(), selection);
			if (selection.kind === 'builder') await selectCustomers(await ensureBuilder(db, (await ensureStarted()).duck), selection);
			// The list's CSV carries e-mail and names when the file has them, like the list on screen.
			const sql = selectionExportSql(selection, scoredRuleSet, (await readSchema(db)).customers);
			return predicted ? withPredictionsSql(sql, predicted.horizons) : sql;
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

	async migration(from: string, to: string) {
		return step((db) => history.migration(db, scoredContext(), from, to));
	},

	async segmentsOverTime(grain, onProgress) {
		return step((db) =>
			history.overTime(db, scoredContext(), grain, (done, total) =>
				onProgress?.({ step: 'score', label: `Scoring the customer base as of each ${grain} (${done + 1} of ${total})…` })
			)
		);
	},

	async cohorts(grain) {
		return step((db) => history.cohorts(db, scoredContext(), grain));
	},

	async predict(settings: PredictSettings, onProgress?: ProgressCallback, background = false) {
		const invalid = validatePredictSettings(settings);
		if (invalid) throw new FileProblem(invalid);
		// A newer prediction replaces one still running in the background.
		stopBackgroundPredictions();
		const { duck } = await ensureStarted();
		const predictWith = async (db: SqlRunner, write: TableWriter, isCurrent: () => boolean) => {
			try {
				const report = await runPredictions(db, settings, write, (label) => onProgress?.({ step: 'score', label }));
				// The list, profile, builder and exports gain the prediction columns only while predictions are shown.
				if (report.fit.showOrders && isCurrent())
					predicted = {
						horizons: settings.horizons,
						valueHorizon: settings.valueHorizon,
						showValue: report.fit.showValue,
						version: ++predictionVersion
					};
				return report;
			} catch (e) {
				if (e instanceof PredictionProblem) throw new FileProblem(e.message);
				throw e;
			}
		};
		if (!background)
			return step(async (db) => {
				requireScored();
				// Until the new table is complete, no view joins a half-written one.
				predicted = null;
				return predictWith(db, arrowWriter(duck), () => true);
			});
		// In the background each query and write waits its turn in the queue and the fits run between them, so
		// the page's lists and counts are never held up for the whole prediction; only new orders stop it.
		const token = { cancelled: false };
		backgroundPrediction = token;
		const db = queuedRunner(duck, token);
		const write: TableWriter = (name, columns) =>
			inBackground(async () => {
				if (token.cancelled) throw new CancelledError();
				await arrowWriter(duck)(name, columns);
			});
		await inBackground(async () => {
			requireScored();
			predicted = null;
		});
		return predictWith(db, write, () => !token.cancelled);
	},

	segmentPredictions() {
		return readStep(async (db) => {
			if (!predicted) return null;
			return {
				columns: predictionColumns(predicted)!,
				segments: await db.rows<SegmentPrediction>(segmentPredictionsSql(predicted.horizons[0]!))
			};
		});
	},

	async exportPredictions(selection: PredictionSelection) {
		const horizons = predicted?.horizons;
		if (!horizons) throw new FileProblem('There are no predictions to export: open the Predictions tab, or see its warnings.');
		return exportCsv(predictionRowsSql(selection, horizons));
	},

	async builderFields() {
		return builderStep('fields', async (db, duck) => {
			await ensureBuilder(db, duck);
			return builderFieldsFor!.fields;
		});
	},

	async builderCount(definitions, purpose = 'live') {
		return builderStep(purpose, async (db, duck) => countSegments(await ensureBuilder(db, duck), definitions));
	},

	async exportSegment(selection, request) {
		return builderStep('export', async (db, duck) => {
			const bound = await ensureBuilder(db, duck);
			await selectForExport(db, bound, selection);
			let bytes: Uint8Array;
			if (request.preset === 'columns') {
				const name = `export-${++fileCounter}.csv`;
				await db.run(columnsExportSql(request.columns, name));
				bytes = await duck.db.copyFileToBuffer(name);
				await duck.db.dropFile(name);
			} else {
				bytes = new TextEncoder().encode(await presetCsv(db, request));
			}
			return Comlink.transfer(bytes, [bytes.buffer]);
		});
	},

	async audienceCounts(selection, request) {
		// Its own kind: a count must never make a download stale.
		return builderStep('audience-counts', async (db, duck) => {
			const bound = await ensureBuilder(db, duck);
			await selectForExport(db, bound, selection);
			return presetCounts(db, request);
		});
	},

	async exportParquet() {
		if (!scoredRuleSet) throw new FileProblem('Analyse an order file first: there are no scored customers to export yet.');
		const ruleSet = scoredRuleSet;
		return builderStep('export', async (_db, duck) => {
			const bytes = scoredCustomersParquet(await duck.conn.query(scoredCustomersSql(ruleSet)));
			return Comlink.transfer(bytes, [bytes.buffer]);
		});
	},

	exploreCharts() {
		return readStep(async (db) => {
			requireScored();
			return exploreCharts(db);
		});
	},

	customerWindow(query, offset, limit) {
		return readStep(async (db) => {
			const { version } = requireScored();
			if (needsBehaviour(query.selection)) await ensureBehaviour(db);
			const key = JSON.stringify([version, predicted?.version ?? 0, needsBehaviour(query.selection) ? behaviourSettings : null, query]);
			if (exploreList?.key !== key) {
				exploreList = null;
				// Migration flows and builder segments are tables their selection reads: fill them first.
				await history.ensureSelection(db, scoredContext(), query.selection);
				if (query.selection.kind === 'builder')
					await selectCustomers(await ensureBuilder(db, (await ensureStarted()).duck), query.selection);
				const schema = await readSchema(db, predictionColumns(predicted));
				await db.run(materialiseListSql(query, schema));
				const [info] = await db.rows<{ total: number; has_name: boolean; has_email: boolean }>(listInfoSql(schema));
				exploreList = {
					key,
					total: info?.total ?? 0,
					hasName: !!info?.has_name,
					hasEmail: !!info?.has_email,
					predictions: schema.predictions
				};
			}
			const { total, hasName, hasEmail, predictions } = exploreList;
			const rows = offset < total ? await db.rows<ExploreRow>(listWindowSql(offset, limit)) : [];
			return { total, offset, rows, hasName, hasEmail, predictions };
		});
	},

	customerProfile(customerId) {
		return readStep(async (db) => {
			requireScored();
			return customerProfile(db, customerId, await readSchema(db, predictionColumns(predicted)));
		});
	},

	async openSheet(sheet: string, onProgress?: ProgressCallback): Promise<OpenedFile> {
		if (!current) throw new FileProblem('Drop an order file first.');
		onProgress?.({ step: 'open', label: `Reading the sheet "${sheet}"…` });
		return openPrepared(current.files, sheet, onProgress);
	}
} satisfies EngineApi;

/** Fills `builder_selection` for an export: behaviour segments and History flows need their tables first. */
async function selectForExport(
	db: SqlRunner,
	bound: Awaited<ReturnType<typeof ensureBuilder>>,
	selection: CustomerSelection
): Promise<void> {
	if (needsBehaviour(selection)) await ensureBehaviour(db);
	await history.ensureSelection(db, scoredContext(), selection);
	await selectCustomers(bound, selection);
}

/** The newest builder step of each kind: a newer count makes an older one stale (and it is skipped or stopped). */
const builderLatest = new Map<string, { cancelled: boolean }>();

/**
 * Like `step`, but the builder's live counts never cancel the page's other work (a rescore, a
 * customer list): they wait their turn in the same queue, and only a newer builder request of the
 * same kind makes them stale. A page step that arrives meanwhile still cancels a running count.
 */
async function builderStep<T>(kind: string, work: (db: SqlRunner, duck: StartedDuckDB) => Promise<T>): Promise<T> {
	const { duck } = await ensureStarted();
	const previous = builderLatest.get(kind);
	if (previous) previous.cancelled = true;
	if (previous && running === previous) await duck.conn.cancelSent().catch(() => false);
	const token = { cancelled: false };
	builderLatest.set(kind, token);
	return enqueue(duck, token, work);
}

/** `builder_customers` and the builder's fields, for one scoring (see `scored.version`), behaviour thresholds and predictions. */
let builderFieldsFor: { version: number; behaviour: BehaviourSettings; predictions: number; fields: BuilderFields } | null = null;

/** Builds `builder_customers` (and the behaviour segments it tests) once per scoring; returns a runner that binds values. */
async function ensureBuilder(db: SqlRunner, duck: StartedDuckDB) {
	const { analysisDate, version } = requireScored();
	const bound = boundRunner(db, duck.conn);
	// `behaviour()` replaces the settings object when thresholds change: the behaviour flags copied into builder_customers are stale then.
	const predictions = predicted?.version ?? 0;
	if (builderFieldsFor?.version !== version || builderFieldsFor.behaviour !== behaviourSettings) {
		const behaviour = behaviourSettings;
		if (builderFieldsFor?.version === version) await computeBehaviour(db, behaviour, analysisDate);
		else await ensureBehaviour(db);
		builderFieldsFor = { version, behaviour, predictions, fields: await prepareBuilder(bound, analysisDate, predictionColumns(predicted)) };
	} else if (builderFieldsFor.predictions !== predictions) {
		// New predictions on the same scoring: one join, not the whole table again (minutes at a million customers).
		const fields = await refreshBuilderPredictions(bound, builderFieldsFor.fields, predictionColumns(predicted));
		builderFieldsFor = { ...builderFieldsFor, predictions, fields };
	}
	return bound;
}

/** What the last `customer_predictions` written holds (null: no predictions to show), and a count of predictions made. */
let predicted: (PredictionColumns & { version: number }) | null = null;
let predictionVersion = 0;

/** The columns the views may join, without the version. */
function predictionColumns(p: typeof predicted): PredictionColumns | null {
	return p ? { horizons: p.horizons, valueHorizon: p.valueHorizon, showValue: p.showValue } : null;
}

Comlink.expose(api);
// Start DuckDB as soon as the worker exists, so a dropped file never waits for it.
void ensureStarted();
