/**
 * The boundary between the page and the engine worker: everything that crosses it is typed here.
 * The worker object `satisfies EngineApi`; the page holds a `Comlink.Remote<EngineApi>`.
 */
import type { ColumnMapping, Detection, ReadOptions } from '../ingest/columns';
import type { LayoutId } from '../ingest/layouts';
import type { PreparedFormat } from '../ingest/formats/prepare';
import type { IngestReport, RfmResult } from '../rfm/analysis';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import type { BehaviourSettings, BehaviourSummary } from '../rfm/behaviour';
import type { CustomerListOptions, CustomerPage, CustomerSelection } from '../rfm/customer-list';
import type { JourneyAnswer, JourneyRequest } from '../journeys/journeys-runner';
import type { MigrationResult } from '../history/migration';
import type { OverTimeResult } from '../history/over-time';
import type { CohortGrain, CohortResult } from '../history/cohorts';
import type { Grain } from '../history/periods';

export type { CohortGrain, CohortResult, Grain, MigrationResult, OverTimeResult };
import type { PredictSettings } from '../predict/predict';
import type { PredictionReport } from '../predict/pipeline';
import type { BootstrapOptions } from '../predict/bootstrap';
import type { UncertaintyReport } from '../predict/uncertainty';
import type { PredictionColumns, PredictionSelection, SegmentPrediction } from '../predict/predictions-sql';

/** Prediction averages per segment, and what the predictions are over (horizons, whether values are shown). */
export interface SegmentPredictions {
	columns: PredictionColumns;
	segments: SegmentPrediction[];
}
import type { BuilderFields, ExportRequest, SegmentCounts } from '../builder/builder-engine';
import type { AudienceCounts } from '../builder/audience';
import type { SegmentDefinition } from '../builder/definition';
import type { CustomerProfile, CustomerQuery, CustomerWindow, ExploreCharts } from '../rfm/explore';

export type { BehaviourSettings, BehaviourSummary, CustomerListOptions, CustomerPage, CustomerSelection };
export type { CustomerProfile, CustomerQuery, CustomerWindow, ExploreCharts };

/** What the engine's warm-up did (warm-up.ts): its time, and what it left behind (nothing, unless a drop failed). */
export interface WarmUp {
	/** Milliseconds, cleaning up included; null when it failed or was stopped (the engine then stays cold). */
	ms: number | null;
	/** Tables, views and sequences of the warm-up still in the database after it: 0. */
	leftovers: number;
}

export interface EngineInfo {
	duckdbVersion: string;
	/** Which DuckDB-WASM build runs: `eh` (wasm exceptions) or the `mvp` fallback. */
	bundle: 'eh' | 'mvp';
	startMs: number;
	/** DuckDB's memory limit in bytes: what the largest file this browser can analyse is measured against. */
	memoryLimit: number;
}

/** How the page asks the engine to start. */
export interface EngineOptions {
	/**
	 * A lower memory limit for DuckDB than its own (3.1 GiB), e.g. `64MB`: the page's `?engineMemory=`
	 * parameter, for a device with little memory to spare, and for tests of files beyond the limit.
	 */
	memoryLimit?: string;
}

export type Step = 'open' | 'read' | 'score' | 'export';

export interface Progress {
	step: Step;
	/** What is happening, for the merchant ("Reading 1,000,000 rows…"). */
	label: string;
	/** How far, when it is known (e.g. bytes of the file converted so far, out of `total`). */
	done?: number;
	total?: number;
}

export type ProgressCallback = (progress: Progress) => void;

/** Dropped file(s) after sniffing: the layout recognised, a preview and the proposed column mapping. */
export interface OpenedFile {
	/** The file's name, or "3 files" when several were dropped together. */
	fileName: string;
	files: { name: string; size: number }[];
	/** Bytes in all. */
	size: number;
	/** The layout that reads the file(s): a platform's export, or `generic`. */
	layout: LayoutId;
	/** Columns the mapping offers, in file order. */
	columns: string[];
	preview: string[][];
	/** Date columns whose sample reads as day-first and month-first alike: the merchant is asked. */
	ambiguousDates: string[];
	/** Up to 50 distinct values per column from the sample (statuses and currencies to choose from). */
	distinct: Record<string, string[]>;
	/** The layout's plan; `generic` is the plain column mapping, for a merchant who overrides the layout. */
	detection: Detection;
	generic: Detection;
	/** How the file was read: its format, encoding, a workbook's sheets, notes for the merchant. */
	format?: PreparedFormat;
}

export interface AnalyzeRequest {
	/** `generic` reads the file with the plain mapping even when a layout was recognised. */
	layout?: LayoutId;
	mapping: ColumnMapping;
	/** How rows become orders; absent: the layout's. */
	options?: ReadOptions;
	scoring: ScoringSettings;
	/** The rules themselves, not an id: merchants' own rule sets live in their browser. */
	ruleSet: RuleSet;
}

export interface Analysis {
	ingest: IngestReport;
	rfm: RfmResult;
	/** Milliseconds per step, for the benchmark and the curious. */
	timings: { readMs: number; scoreMs: number };
}

/** The names the page recognises errors by after they cross the worker boundary (see src/lib/errors.ts). */
export { CANCELLED, FILE_PROBLEM } from '../errors';

export interface EngineApi {
	/** Starts DuckDB once; later calls return the same start (their options are ignored). */
	start(options?: EngineOptions): Promise<EngineInfo>;
	/**
	 * The warm-up's outcome once it has ended (warm-up.ts): run to the end, stopped by the page's
	 * first request (`ms` null), or null when it never started (a request came first).
	 */
	warmedUp(): Promise<WarmUp | null>;
	/** Registers the file (no copy), checks it is readable text, sniffs it and proposes a mapping. */
	openFile(file: File, onProgress?: ProgressCallback): Promise<OpenedFile>;
	/**
	 * Opens several files dropped together: the same export in parts (appended, an order in two
	 * files counted once) or Olist's related tables (joined).
	 */
	openFiles(files: File[], onProgress?: ProgressCallback): Promise<OpenedFile>;
	/** Reads the opened file with this mapping and scores its customers. */
	analyze(request: AnalyzeRequest, onProgress?: ProgressCallback): Promise<Analysis>;
	/** Scores again with other settings or rules, without reading the file again. */
	rescore(scoring: ScoringSettings, ruleSet: RuleSet, onProgress?: ProgressCallback): Promise<RfmResult>;
	/** One CSV row per scored customer (bytes transferred, not copied). */
	exportCustomers(): Promise<Uint8Array>;
	/** Every excluded row with its row number and reason, as CSV bytes. */
	exportExcludedRows(): Promise<Uint8Array>;
	/**
	 * Builds the behaviour segments of the scored customers with these thresholds and summarises
	 * them (count, orders, revenue, average order value per segment). Call after `analyze` or
	 * `rescore`; lists of behaviour segments use the newest thresholds given here.
	 */
	behaviour(settings: BehaviourSettings): Promise<BehaviourSummary[]>;
	/**
	 * A page of the customers in a selection (everyone, an RFM segment, a matrix cell or a behaviour
	 * segment) and how many there are in all. Default order: highest revenue first.
	 */
	listCustomers(selection: CustomerSelection, options: CustomerListOptions): Promise<CustomerPage>;
	/** The customer export restricted to a selection, as CSV bytes (transferred, not copied). */
	exportSelection(selection: CustomerSelection): Promise<Uint8Array>;
	/** Cancels the step in progress; its promise rejects with a CancelledError. */
	cancel(): Promise<void>;
	/**
	 * History: every customer's segment on `from` and on `to` (ISO dates, `from` first), scored with
	 * the last scoring's settings and rules as of each date, as flows with their revenue between the
	 * dates. Lists of a flow's customers use `{ kind: 'migration', … }` selections.
	 */
	migration(from: string, to: string): Promise<MigrationResult>;
	/** History: segment sizes (customers, revenue in the period) as of the end of each week, month or quarter. */
	segmentsOverTime(grain: Grain, onProgress?: ProgressCallback): Promise<OverTimeResult>;
	/** History: acquisition cohorts by month or quarter of first order, with retention and revenue per later period. */
	cohorts(grain: CohortGrain): Promise<CohortResult>;
	/**
	 * Repeat purchases (src/lib/journeys): what they buy next, first orders, time between orders,
	 * cohort value or discount use, over every order up to the last scoring's analysis date. Lists
	 * of the customers behind a number use `{ kind: 'journey', … }` selections.
	 */
	journeys(request: JourneyRequest): Promise<JourneyAnswer>;
	/**
	 * Compares BG/NBD, MBG/NBD and Pareto/NBD on a holdout period, fits the chosen one and Gamma-Gamma on every order, writes `customer_predictions` (empty when
	 * a warning hides the predictions) and runs the holdout check. Call after `analyze`. In the
	 * `background` it queues behind the page's steps instead of cancelling them (a newer step still
	 * cancels it: ask again).
	 */
	predict(settings: PredictSettings, onProgress?: ProgressCallback, background?: boolean): Promise<PredictionReport>;
	/**
	 * The bootstrap over customers (BootstrapOptions: resamples, seed) for the predictions made last, in
	 * the background: progress after each resample, the page's reads go first, and `stopUncertainty`
	 * (or new predictions, or new orders) stops it with a CancelledError. Once done, exports carry each
	 * customer's predicted-value interval.
	 */
	estimateUncertainty(options: BootstrapOptions, onProgress?: ProgressCallback): Promise<UncertaintyReport>;
	/** Stops the bootstrap, if one runs. */
	stopUncertainty(): Promise<void>;
	/** Averages of the predictions per RFM segment of the last scoring; null when there are no predictions. */
	segmentPredictions(): Promise<SegmentPredictions | null>;
	/** The customers of a prediction selection with their predictions, as CSV bytes (transferred). */
	exportPredictions(selection: PredictionSelection): Promise<Uint8Array>;
	/** The segment builder's fields for the scored file (optional ones only when the file has values), and product suggestions. */
	builderFields(): Promise<BuilderFields>;
	/**
	 * Customers, orders, revenue and average order value of each segment definition (bound values, not SQL text).
	 * A newer call with the same `purpose` (default `live`) makes an older one stale; page steps are never cancelled by it.
	 */
	builderCount(definitions: SegmentDefinition[], purpose?: 'live' | 'saved'): Promise<SegmentCounts[]>;
	/** A selection's customers as CSV: chosen columns, the email-tool list, or a Meta / Google audience hashed here. */
	exportSegment(selection: CustomerSelection, request: ExportRequest): Promise<Uint8Array>;
	/** Before an audience download: the rows the file will have and the customers left out, by reason. */
	audienceCounts(selection: CustomerSelection, request: Exclude<ExportRequest, { preset: 'columns' }>): Promise<AudienceCounts>;
	/** The scored customer table as Parquet bytes (written in the worker; nothing is downloaded). */
	exportParquet(): Promise<Uint8Array>;
	/**
	 * The charts' aggregates (histograms, revenue concentration, matrix cell averages) of the last
	 * scoring. Explore reads queue behind other steps instead of cancelling them.
	 */
	exploreCharts(): Promise<ExploreCharts>;
	/** Rows `offset` … of the customers matching the query, in its order (the list is built once per query). */
	customerWindow(query: CustomerQuery, offset: number, limit: number): Promise<CustomerWindow>;
	/** One customer's scores, orders, products and categories; null for an unknown id. */
	customerProfile(customerId: string): Promise<CustomerProfile | null>;
	/** Reads another sheet of the open workbook (one of `OpenedFile.format.sheets`) and proposes a mapping again. */
	openSheet(sheet: string, onProgress?: ProgressCallback): Promise<OpenedFile>;
}

export type { AudienceCounts, BuilderFields, ExportRequest, SegmentCounts, SegmentDefinition };
