/**
 * What the engine remembers between the page's calls: the files opened, the plan they were read
 * with, the last scoring (its settings, rules and a version that counts scorings), the predictions
 * shown, and the tables built from them on demand (behaviour segments, the builder's customers, the
 * explore list), each rebuilt only when what it was built for changed. Every method that touches
 * DuckDB takes the `Step` the scheduler runs it in; the worker (engine.worker.ts) picks the mode.
 */
import type { AnalyzeRequest, Analysis, OpenedFile, ProgressCallback, SegmentPredictions } from './api';
import { boundRunner } from './bound';
import { connectionRunner, takeFile, type Step } from './connection';
import type { StartedDuckDB } from './duckdb';
import { dropFiles, openFiles, readOrders, type OpenFiles } from './load';
import { arrowWriter } from './predict-writer';
import { Ticket, type Scheduler } from './scheduler';
import type { SqlRunner } from '../db/runner';
import { CUSTOMER_PREDICTIONS } from '../db/tables';
import { CancelledError, FileProblem, NothingToScore, PredictionProblem } from '../errors';
import type { ReadPlan } from '../ingest/columns';
import { tooLargeMessage } from '../ingest/capacity';
import { nothingToScoreMessage } from '../ingest/messages';
import { dropIngestTables, excludedRowsQuery, isOutOfMemory } from '../ingest/pipeline';
import { copyToCsvSql, customersExportSql, newScoringCache, scoreCustomers, type RfmResult } from '../rfm/analysis';
import { computeBehaviour, DEFAULT_BEHAVIOUR, type BehaviourSettings, type BehaviourSummary } from '../rfm/behaviour';
import { needsBehaviour, selectionExportSql, type CustomerSelection } from '../rfm/customer-list';
import {
	customerProfile,
	listInfoSql,
	listWindowSql,
	materialiseListSql,
	readSchema,
	type CustomerProfile,
	type CustomerQuery,
	type CustomerWindow,
	type ExploreRow
} from '../rfm/explore';
import { validateRuleSet } from '../rfm/rule-json';
import { validateScoring } from '../rfm/scoring';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import {
	columnsExportSql,
	countSegments,
	prepareBuilder,
	presetCounts,
	presetCsv,
	refreshBuilderPredictions,
	selectCustomers,
	type BoundRunner,
	type BuilderFields,
	type ExportRequest,
	type SegmentCounts
} from '../builder/builder-engine';
import type { AudienceCounts } from '../builder/audience';
import type { SegmentDefinition } from '../builder/definition';
import { scoredCustomersParquet, scoredCustomersSql } from '../builder/parquet';
import { HistoryRunner, type ScoredContext } from '../history/history-runner';
import { JourneysRunner, type JourneyAnswer, type JourneyRequest } from '../journeys/journeys-runner';
import { computeCustomerPast, scorePrevious, sinceSnapshots, withCustomerPastSql } from '../history/previous';
import type { MigrationResult } from '../history/migration';
import type { OverTimeResult } from '../history/over-time';
import type { CohortGrain, CohortResult } from '../history/cohorts';
import type { Grain } from '../history/periods';
import { predictStore, type PredictionReport, type PredictionRun, type TableWriter } from '../predict/pipeline';
import type { PredictSettings } from '../predict/predict';
import type { BootstrapOptions } from '../predict/bootstrap';
import { estimateUncertainty, type UncertaintyReport } from '../predict/uncertainty';
import {
	INTERVALS_STAGING,
	predictionRowsSql,
	segmentPredictionsSql,
	withIntervalsSql,
	withPredictionsSql,
	type PredictionColumns,
	type PredictionSelection,
	type SegmentPrediction
} from '../predict/predictions-sql';

const fmt = new Intl.NumberFormat('en');
const NOT_SCORED = 'Analyse an order file first: there are no scored customers yet.';
const NOTHING_TO_EXPORT = 'Analyse an order file first: there are no scored customers to export yet.';

/** The last finished scoring: what lists, exports and the history views work from. */
interface Scored extends ScoredContext {
	analysisDate: string;
}

/** Refuses settings or rules the SQL cannot use, with the reason for the merchant. */
export function checkScoringRequest(scoring: ScoringSettings, ruleSet: RuleSet): void {
	const invalid = validateScoring(scoring);
	if (invalid) throw new FileProblem(invalid);
	const problems = validateRuleSet(ruleSet);
	if (problems.length > 0) throw new FileProblem(`The segment rules cannot be used: ${problems.join('; ')}.`);
}

/** The engine's memory between calls, one per worker (see the module comment). */
export class Workspace {
	readonly #scheduler: Scheduler;
	/** The file(s) currently opened: read again when the mapping changes. */
	#open: OpenFiles | null = null;
	/** The plan of the last read, for the excluded-rows download. */
	#loaded: { plan: ReadPlan; passes: number } | null = null;
	/** Numbers the names of files registered with DuckDB (opened files, exports). */
	#files = 0;
	#scored: Scored | null = null;
	/** What a rescore of the same orders reuses (metrics, distribution); new orders start a new one. */
	#scoringCache = newScoringCache();
	/** The behaviour thresholds asked for last, and the scoring `customer_behaviour` was built for. */
	#behaviourSettings: BehaviourSettings = DEFAULT_BEHAVIOUR;
	#behaviourBuiltFor: number | null = null;
	readonly #history = new HistoryRunner();
	readonly #journeys = new JourneysRunner();
	/** The scoring version `customer_past` (previous segment, segment since) was computed for. */
	#past: number | null = null;
	/** What the last `customer_predictions` written holds (null: no predictions to show), and a count of predictions made. */
	#predicted: (PredictionColumns & { version: number }) | null = null;
	#predictions = 0;
	/** The predictions running in the background, if any: new orders (a file, a mapping) stop them. */
	#backgroundPrediction: Ticket | null = null;
	/** The summary and fit behind `customer_predictions` (for the bootstrap), with the version they were written as. */
	#lastRun: (Omit<PredictionRun, 'report'> & { settings: PredictSettings; version: number }) | null = null;
	/** The bootstrap running in the background, if any: new predictions or orders stop it, and so can the merchant. */
	#uncertainty: Ticket | null = null;
	/** `builder_customers` and the builder's fields, for one scoring, behaviour thresholds and predictions. */
	#builder: { version: number; behaviour: BehaviourSettings; predictions: number; fields: BuilderFields } | null = null;
	/** Which query `explore_list` holds (scoring, behaviour thresholds, selection, sort, search) and its size. */
	#exploreList: { key: string; total: number; hasName: boolean; hasEmail: boolean; predictions: PredictionColumns | null } | null = null;

	/** @param scheduler the engine's queue, for the background predictions' queries */
	constructor(scheduler: Scheduler) {
		this.#scheduler = scheduler;
	}

	/** The files opened last, or null before any. */
	get openedFiles(): File[] | null {
		return this.#open?.files ?? null;
	}

	/** Gets the files into DuckDB in place of the ones open before, sniffs them and proposes a mapping (see load.ts). */
	async open(step: Step, files: File[], sheet: string | null, onProgress?: ProgressCallback): Promise<OpenedFile> {
		if (this.#open) await dropFiles(step.duck, this.#open.registered);
		this.#open = null;
		const { open, opened } = await openFiles(step, files, sheet, (prefix) => this.#name(prefix), onProgress);
		this.#open = open;
		return opened;
	}

	/** Forgets the open files (their registrations with DuckDB); the tables stay. */
	async close(duck: StartedDuckDB): Promise<void> {
		if (this.#open) await dropFiles(duck, this.#open.registered);
		this.#open = null;
	}

	/** Reads the opened files with the request's mapping and scores their customers; the old predictions are dropped. */
	async analyze(step: Step, request: AnalyzeRequest, memoryLimit: number, onProgress?: ProgressCallback): Promise<Analysis> {
		if (!this.#open) throw new FileProblem('Drop an order file first.');
		const { db } = step;
		const read = await readOrders(step, this.#open, request, memoryLimit, onProgress);
		const { ingest } = read;
		this.#loaded = { plan: read.plan, passes: ingest.passes ?? 1 };
		this.#scoringCache = newScoringCache();
		// New orders: the old predictions no longer apply (and no view may join them).
		this.#predicted = null;
		this.#lastRun = null;
		await db.run(`DROP TABLE IF EXISTS ${CUSTOMER_PREDICTIONS}`);
		const t1 = performance.now();
		if (ingest.orders === 0) throw new FileProblem(nothingToScoreMessage(ingest));
		onProgress?.({ step: 'score', label: `Scoring customers from ${fmt.format(ingest.orders)} orders…` });
		const rfm = await this.score(db, request.scoring, request.ruleSet).catch(async (e: unknown) => {
			if (!isOutOfMemory(e)) throw e;
			await dropIngestTables(db).catch(() => undefined);
			throw new FileProblem(tooLargeMessage(read.size, memoryLimit, 1));
		});
		return { ingest, rfm, timings: { readMs: read.readMs, scoreMs: Math.round(performance.now() - t1) } };
	}

	/** Scores with the settings and rules, and remembers them (lists, exports and history views follow the last scoring). */
	async score(db: SqlRunner, scoring: ScoringSettings, ruleSet: RuleSet): Promise<RfmResult> {
		try {
			const rfm = await scoreCustomers(db, scoring, ruleSet, this.#scoringCache);
			this.#scored = {
				settings: rfm.settings,
				ruleSet,
				analysisDate: rfm.headline.analysisDate,
				version: (this.#scored?.version ?? 0) + 1
			};
			return rfm;
		} catch (e) {
			// An empty look-back window is the merchant's choice to change, not a failure.
			if (e instanceof NothingToScore) throw new FileProblem(e.message);
			throw e;
		}
	}

	/** The last scoring, or a message for the merchant when nothing was scored yet. */
	requireScored(): Scored {
		if (!this.#scored) throw new FileProblem(NOT_SCORED);
		return this.#scored;
	}

	/** Writes `query` (SQL, or built inside the step after work that must come first) as CSV and returns its bytes. */
	async exportCsv(step: Step, query: string | ((db: SqlRunner) => Promise<string>)): Promise<Uint8Array> {
		const name = this.#name('export', '.csv');
		await step.db.run(copyToCsvSql(typeof query === 'string' ? query : await query(step.db), name));
		return takeFile(step.duck, name);
	}

	/**
	 * The customer export of the last scoring: where each customer was (`previous_segment`,
	 * `segment_since`, computed on the first export of a scoring), then the prediction columns while
	 * predictions are shown.
	 */
	exportCustomers(step: Step): Promise<Uint8Array> {
		if (!this.#scored) throw new FileProblem(NOTHING_TO_EXPORT);
		const { ruleSet } = this.#scored;
		return this.exportCsv(step, async (db) => {
			await this.#ensurePast(db);
			return this.#withPredictions(withCustomerPastSql(customersExportSql(ruleSet)));
		});
	}

	/** Fills `customer_past` for the last scoring unless it holds it already. */
	async #ensurePast(db: SqlRunner): Promise<void> {
		const { settings, ruleSet, analysisDate, version } = this.requireScored();
		if (this.#past === version) return;
		this.#past = null;
		await computeCustomerPast(db, settings, ruleSet, analysisDate);
		this.#past = version;
	}

	/** Every excluded row of the last read, with its file, row number and reason. */
	excludedRowsSql(): string {
		if (!this.#open || !this.#loaded) throw new FileProblem('Analyse an order file first.');
		return excludedRowsQuery(this.#open.inspection.relations, this.#loaded.plan, this.#open.inspection.files, this.#loaded.passes);
	}

	/** The customer export restricted to a selection; the list's CSV carries e-mail and names when the file has them. */
	exportSelection(step: Step, selection: CustomerSelection): Promise<Uint8Array> {
		return this.exportCsv(step, async (db) => {
			const { ruleSet } = this.requireScored();
			await this.prepareSelection(step, selection);
			await this.#ensurePast(db);
			return this.#withPredictions(withCustomerPastSql(selectionExportSql(selection, ruleSet, (await readSchema(db)).customers)));
		});
	}

	/** The prediction rows of a selection, as CSV SQL; refused when no predictions are shown. */
	predictionsExportSql(selection: PredictionSelection): string {
		const horizons = this.#predicted?.horizons;
		if (!horizons) throw new FileProblem('There are no predictions to export: open the Predictions tab, or see its warnings.');
		return predictionRowsSql(selection, horizons, undefined, this.#predicted?.intervals ?? false);
	}

	/**
	 * Records the behaviour thresholds before building with them: a list that cancels the build
	 * rebuilds with these thresholds.
	 */
	setBehaviour(settings: BehaviourSettings): void {
		this.#behaviourSettings = structuredClone(settings);
	}

	/** Builds the behaviour segments of the last scoring with `settings` and summarises them. */
	async behaviour(db: SqlRunner, settings: BehaviourSettings): Promise<BehaviourSummary[]> {
		const { analysisDate, version } = this.requireScored();
		const summary = await computeBehaviour(db, settings, analysisDate);
		this.#behaviourBuiltFor = version;
		return summary;
	}

	/**
	 * Makes the tables a selection reads current: behaviour segments, a History flow's
	 * `history_migration`, and `builder_selection` for a builder segment. `forExport`: fills
	 * `builder_selection` whatever the selection (the builder's exports read every group from it)
	 * and returns the runner that binds values.
	 */
	prepareSelection(step: Step, selection: CustomerSelection): Promise<null>;
	prepareSelection(step: Step, selection: CustomerSelection, forExport: true): Promise<BoundRunner>;
	async prepareSelection(step: Step, selection: CustomerSelection, forExport = false): Promise<BoundRunner | null> {
		const scored = this.requireScored();
		const bound = forExport ? await this.#ensureBuilder(step) : null;
		if (needsBehaviour(selection)) await this.#ensureBehaviour(step.db);
		await this.#history.ensureSelection(step.db, scored, selection);
		if (selection.kind === 'journey') await this.#journeys.ensureSelection(step.db, scored, selection.customers);
		if (bound) await selectCustomers(bound, selection);
		else if (selection.kind === 'builder') await selectCustomers(await this.#ensureBuilder(step), selection);
		return bound;
	}

	/** Rows `offset` … of the customers matching the query; the list is materialised once per query, scoring and predictions. */
	async customerWindow(step: Step, query: CustomerQuery, offset: number, limit: number): Promise<CustomerWindow> {
		const { db } = step;
		const { version } = this.requireScored();
		const behaviour = needsBehaviour(query.selection);
		if (behaviour) await this.#ensureBehaviour(db);
		const key = JSON.stringify([version, this.#predicted?.version ?? 0, behaviour ? this.#behaviourSettings : null, query]);
		if (this.#exploreList?.key !== key) {
			this.#exploreList = null;
			// Migration flows and builder segments are tables their selection reads: fill them first.
			await this.prepareSelection(step, query.selection);
			// A list showing where customers were: computed for everyone once per scoring.
			if (query.past) await this.#ensurePast(db);
			const schema = { ...(await readSchema(db, this.#predictionColumns())), past: query.past === true };
			await db.run(materialiseListSql(query, schema));
			const [info] = await db.rows<{ total: number; has_name: boolean; has_email: boolean }>(listInfoSql(schema));
			this.#exploreList = {
				key,
				total: info?.total ?? 0,
				hasName: !!info?.has_name,
				hasEmail: !!info?.has_email,
				predictions: schema.predictions
			};
		}
		const { total, hasName, hasEmail, predictions } = this.#exploreList;
		const rows = offset < total ? await db.rows<ExploreRow>(listWindowSql(offset, limit)) : [];
		return { total, offset, rows, hasName, hasEmail, predictions };
	}

	/** One customer's scores, orders and products, with predictions while they are shown. */
	async customerProfile(db: SqlRunner, customerId: string): Promise<CustomerProfile | null> {
		const { analysisDate } = this.requireScored();
		// Where the customer was: the first profile of a scoring computes it for everyone (History's scorings).
		await this.#ensurePast(db);
		return customerProfile(db, customerId, await readSchema(db, this.#predictionColumns()), sinceSnapshots(analysisDate).at(-1)!);
	}

	/** History: the flows between two dates, scored with the last scoring's settings and rules. */
	migration(db: SqlRunner, from: string, to: string): Promise<MigrationResult> {
		return this.#history.migration(db, this.requireScored(), from, to);
	}

	/** History: segment sizes as of the end of each period. */
	segmentsOverTime(db: SqlRunner, grain: Grain, onPeriod: (done: number, total: number) => void): Promise<OverTimeResult> {
		return this.#history.overTime(db, this.requireScored(), grain, onPeriod);
	}

	/** History: acquisition cohorts. */
	cohorts(db: SqlRunner, grain: CohortGrain): Promise<CohortResult> {
		return this.#history.cohorts(db, this.requireScored(), grain);
	}

	/** Repeat purchases: one of the questions, for the last scoring's analysis date. */
	journeys(db: SqlRunner, request: JourneyRequest): Promise<JourneyAnswer> {
		return this.#journeys.answer(db, this.requireScored(), request);
	}

	/** Stops the background predictions, if any: their orders are about to change, or newer ones replace them. */
	stopBackgroundPredictions(): void {
		this.#backgroundPrediction?.cancel();
		this.#backgroundPrediction = null;
		this.stopUncertainty();
	}

	/** Stops the bootstrap, if one runs (the merchant's Cancel, or predictions it no longer belongs to). */
	stopUncertainty(): void {
		this.#uncertainty?.cancel();
		this.#uncertainty = null;
	}

	/**
	 * The bootstrap over customers for the predictions `customer_predictions` holds, in the background:
	 * each resample is one unit of the queue, after a pause that lets the page's messages in, so lists
	 * and counts go ahead of it. On completion each customer's predicted-value interval is written to
	 * `customer_predictions` and the exports gain it.
	 */
	async estimateUncertainty(duck: StartedDuckDB, options: BootstrapOptions, onProgress?: ProgressCallback): Promise<UncertaintyReport> {
		const run = this.#lastRun;
		if (!run || this.#predicted?.version !== run.version)
			throw new FileProblem('There are no trusted predictions to put intervals on: make predictions first, or see their warnings.');
		this.stopUncertainty();
		const ticket = new Ticket();
		this.#uncertainty = ticket;
		const scheduler = this.#scheduler;
		const db = scheduler.backgroundRunner(connectionRunner(duck, ticket));
		const segments = new Map(
			(
				await db.rows<{ customer_id: string; segment: string }>(
					`SELECT CAST(customer_id AS VARCHAR) AS customer_id, segment FROM customer_scores`
				)
			).map((row) => [row.customer_id, row.segment])
		);
		const steps = estimateUncertainty(
			{
				summary: run.summary,
				fit: run.fit,
				settings: run.settings,
				segmentOf: run.summary.customerId.map((id) => segments.get(id) ?? null)
			},
			options
		);
		let result;
		for (;;) {
			// A macrotask between resamples: the page's calls (and a Cancel) arrive in the worker meanwhile.
			await new Promise((resolve) => setTimeout(resolve, 0));
			if (ticket.cancelled) throw new CancelledError();
			const step = await scheduler.background(async () => {
				try {
					return steps.next();
				} catch (e) {
					throw new PredictionProblem(e instanceof Error ? e.message : String(e));
				}
			});
			if (step.done) {
				result = step.value;
				break;
			}
			onProgress?.({
				step: 'score',
				label: `Resample ${step.value.done.toLocaleString('en')} of ${step.value.total.toLocaleString('en')}`,
				...step.value
			});
		}
		const write = (name: string, columns: Record<string, ArrayLike<number> | string[]>) =>
			scheduler.background(async () => {
				if (ticket.cancelled) throw new CancelledError();
				await arrowWriter(duck)(name, columns);
			});
		await write(INTERVALS_STAGING, { customer_id: run.summary.customerId, low: result.predictedValueLow, high: result.predictedValueHigh });
		await db.run(withIntervalsSql());
		await db.run(`DROP TABLE IF EXISTS ${INTERVALS_STAGING}`);
		// Newer predictions replaced the table meanwhile: these intervals are not theirs.
		if (this.#predicted?.version === run.version) this.#predicted = { ...this.#predicted, intervals: true };
		if (this.#uncertainty === ticket) this.#uncertainty = null;
		return result.report;
	}

	/** Fits the models and writes `customer_predictions` as one page step. */
	predict(step: Step, settings: PredictSettings, onProgress?: ProgressCallback): Promise<PredictionReport> {
		this.requireScored();
		// Until the new table is complete, no view joins a half-written one.
		this.#predicted = null;
		this.stopUncertainty();
		return this.#predict(step.db, arrowWriter(step.duck), settings, () => true, onProgress);
	}

	/**
	 * The same in the background: each query and write waits its turn in the queue and the fits run
	 * between them, so the page's lists and counts are never held up for the whole prediction; only
	 * new orders (or a newer prediction) stop it.
	 */
	async predictInBackground(duck: StartedDuckDB, settings: PredictSettings, onProgress?: ProgressCallback): Promise<PredictionReport> {
		const ticket = new Ticket();
		this.#backgroundPrediction = ticket;
		const scheduler = this.#scheduler;
		const db = scheduler.backgroundRunner(connectionRunner(duck, ticket));
		const write: TableWriter = (name, columns) =>
			scheduler.background(async () => {
				if (ticket.cancelled) throw new CancelledError();
				await arrowWriter(duck)(name, columns);
			});
		await scheduler.background(async () => {
			this.requireScored();
			this.#predicted = null;
		});
		return this.#predict(db, write, settings, () => !ticket.cancelled, onProgress);
	}

	/** Averages of the predictions per RFM segment; null when none are shown. */
	async segmentPredictions(db: SqlRunner): Promise<SegmentPredictions | null> {
		const columns = this.#predictionColumns();
		if (!columns) return null;
		return { columns, segments: await db.rows<SegmentPrediction>(segmentPredictionsSql(columns.horizons[0]!)) };
	}

	/** The builder's fields for the last scoring. */
	async builderFields(step: Step): Promise<BuilderFields> {
		await this.#ensureBuilder(step);
		return this.#builder!.fields;
	}

	/** Customers, orders and revenue of each definition. */
	async builderCount(step: Step, definitions: SegmentDefinition[]): Promise<SegmentCounts[]> {
		return countSegments(await this.#ensureBuilder(step), definitions);
	}

	/** A selection's customers as CSV: chosen columns, the email-tool list, or an ad audience. */
	async exportSegment(step: Step, selection: CustomerSelection, request: ExportRequest): Promise<Uint8Array> {
		const bound = await this.prepareSelection(step, selection, true);
		if (request.preset !== 'columns') return new TextEncoder().encode(await presetCsv(bound, request));
		const name = this.#name('export', '.csv');
		await step.db.run(columnsExportSql(request.columns, name));
		return takeFile(step.duck, name);
	}

	/** The rows an audience file will have and the customers left out, by reason. */
	async audienceCounts(
		step: Step,
		selection: CustomerSelection,
		request: Exclude<ExportRequest, { preset: 'columns' }>
	): Promise<AudienceCounts> {
		return presetCounts(await this.prepareSelection(step, selection, true), request);
	}

	/** The rules of the last scoring, for an export that must name its segments. */
	exportRuleSet(): RuleSet {
		if (!this.#scored) throw new FileProblem(NOTHING_TO_EXPORT);
		return this.#scored.ruleSet;
	}

	/** The scored customer table as Parquet bytes, with the segments of `ruleSet`. */
	async exportParquet(step: Step, ruleSet: RuleSet): Promise<Uint8Array> {
		return scoredCustomersParquet(await step.duck.conn.query(scoredCustomersSql(ruleSet)));
	}

	async #predict(
		db: SqlRunner,
		write: TableWriter,
		settings: PredictSettings,
		isCurrent: () => boolean,
		onProgress?: ProgressCallback
	): Promise<PredictionReport> {
		try {
			const { report, summary, fit } = await predictStore(db, settings, write, (label) => onProgress?.({ step: 'score', label }));
			// The list, profile, builder and exports gain the prediction columns only while predictions are shown.
			if (report.fit.showOrders && isCurrent()) {
				this.#predicted = {
					horizons: settings.horizons,
					valueHorizon: settings.valueHorizon,
					showValue: report.fit.showValue,
					version: ++this.#predictions
				};
				this.#lastRun = { summary, fit, settings, version: this.#predictions };
			} else if (isCurrent()) this.#lastRun = null;
			return report;
		} catch (e) {
			if (e instanceof PredictionProblem) throw new FileProblem(e.message);
			throw e;
		}
	}

	/** Builds `customer_behaviour` again when scoring ran since it was built (lists never show stale segments). */
	async #ensureBehaviour(db: SqlRunner): Promise<void> {
		const { analysisDate, version } = this.requireScored();
		if (this.#behaviourBuiltFor === version) return;
		await computeBehaviour(db, this.#behaviourSettings, analysisDate);
		this.#behaviourBuiltFor = version;
	}

	/** Builds `builder_customers` (and the behaviour segments it tests) once per scoring; returns a runner that binds values. */
	async #ensureBuilder(step: Step): Promise<BoundRunner> {
		const { db } = step;
		const { analysisDate, version, settings, ruleSet } = this.requireScored();
		const bound = boundRunner(db, step.duck.conn);
		const predictions = this.#predicted?.version ?? 0;
		const built = this.#builder;
		// `setBehaviour` replaces the settings object when thresholds change: the behaviour flags copied into builder_customers are stale then.
		if (built?.version !== version || built.behaviour !== this.#behaviourSettings) {
			const behaviour = this.#behaviourSettings;
			if (built?.version === version) await computeBehaviour(db, behaviour, analysisDate);
			else await this.#ensureBehaviour(db);
			// The segment 90 days ago, for "was …, now …" conditions: one more scoring, as of that date.
			const previousAsOf = await scorePrevious(db, settings, ruleSet, analysisDate);
			this.#builder = {
				version,
				behaviour,
				predictions,
				fields: await prepareBuilder(bound, analysisDate, this.#predictionColumns(), previousAsOf)
			};
		} else if (built.predictions !== predictions) {
			// New predictions on the same scoring: one join, not the whole table again (minutes at a million customers).
			const fields = await refreshBuilderPredictions(bound, built.fields, this.#predictionColumns());
			this.#builder = { ...built, predictions, fields };
		}
		return bound;
	}

	/** The columns the views may join (without the version), or null when no predictions are shown. */
	#predictionColumns(): PredictionColumns | null {
		const p = this.#predicted;
		return p ? { horizons: p.horizons, valueHorizon: p.valueHorizon, showValue: p.showValue, intervals: p.intervals ?? false } : null;
	}

	#withPredictions(sql: string): string {
		return this.#predicted ? withPredictionsSql(sql, this.#predicted.horizons, this.#predicted.intervals ?? false) : sql;
	}

	/** A name for a file registered with DuckDB that no other file of this session has. */
	#name(prefix: string, extension = ''): string {
		return `${prefix}-${++this.#files}${extension}`;
	}
}
