/**
 * The boundary between the page and the engine worker: everything that crosses it is typed here.
 * The worker object `satisfies EngineApi`; the page holds a `Comlink.Remote<EngineApi>`.
 */
import type { ColumnMapping, Detection } from '../ingest/columns';
import type { CsvDialect } from '../ingest/csv-dialect';
import type { PreparedFormat } from '../ingest/formats/prepare';
import type { IngestReport, RfmResult } from '../rfm/analysis';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import type { BehaviourSettings, BehaviourSummary } from '../rfm/behaviour';
import type { CustomerListOptions, CustomerPage, CustomerSelection } from '../rfm/customer-list';

export type { BehaviourSettings, BehaviourSummary, CustomerListOptions, CustomerPage, CustomerSelection };

export interface EngineInfo {
	duckdbVersion: string;
	/** Which DuckDB-WASM build runs: `eh` (wasm exceptions) or the `mvp` fallback. */
	bundle: 'eh' | 'mvp';
	startMs: number;
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

/** A dropped file after sniffing: its dialect, a preview and the proposed column mapping. */
export interface OpenedFile {
	fileName: string;
	size: number;
	dialect: CsvDialect;
	preview: string[][];
	detection: Detection;
	/** How the file was read: its format, encoding, a workbook's sheets, notes for the merchant. */
	format?: PreparedFormat;
}

export interface AnalyzeRequest {
	mapping: ColumnMapping;
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

/** Raised (by name, across the worker boundary) when the user cancelled the running step. */
export { CANCELLED } from '../cancel';
/** Raised (by name) for a problem with the merchant's file; its message is written for them. */
export const FILE_PROBLEM = 'FileProblem';

export interface EngineApi {
	/** Starts DuckDB once; later calls return the same start. */
	start(): Promise<EngineInfo>;
	/** Registers the file (no copy), checks it is readable text, sniffs it and proposes a mapping. */
	openFile(file: File, onProgress?: ProgressCallback): Promise<OpenedFile>;
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
	/** Reads another sheet of the open workbook (one of `OpenedFile.format.sheets`) and proposes a mapping again. */
	openSheet(sheet: string, onProgress?: ProgressCallback): Promise<OpenedFile>;
}
