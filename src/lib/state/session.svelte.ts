/**
 * What the merchant is looking at: the engine's state, the loaded file, the mapping and settings,
 * and the latest analysis. One instance per page, shared through context.
 */
import { splitProblem } from '../problem';
import { getContext, setContext } from 'svelte';
import type { Remote } from 'comlink';
import {
	CANCELLED,
	FILE_PROBLEM,
	type Analysis,
	type EngineApi,
	type SegmentPredictions,
	type EngineInfo,
	type OpenedFile,
	type Progress,
	type ProgressCallback
} from '../engine/api';
import { missingFields, type ColumnMapping, type ReadOptions } from '../ingest/columns';
import type { LayoutId } from '../ingest/layouts';
import { detectCurrency } from '../ingest/currency';
import { DEFAULT_SCORING, type RuleSet, type ScoringSettings } from '../rfm/types';
import type { IngestReport } from '../rfm/analysis';
import { GRID_MAP, RULE_SETS } from '../rfm/segments';
import { applyChange, definitionAfterEdits, rulesInForce, type AnalysisSettings, type SettingsChange } from './settings';
import { browserRuleStore, type RuleStore } from './rule-store';
import { DEFAULT_BEHAVIOUR, type BehaviourSettings, type BehaviourSummary } from '../rfm/behaviour';
import type { CustomerPage, CustomerSelection } from '../rfm/customer-list';
import { HistoryView } from './history.svelte';

import { DEFAULT_PREDICT, type PredictSettings } from '../predict/predict';
import type { PredictionReport } from '../predict/pipeline';
import type { PredictionSelection } from '../predict/predictions-sql';

export type Tab = 'overview' | 'rules' | 'customers' | 'history' | 'predictions' | 'builder' | 'charts';

/** How long the page must be quiet before background work (predictions) starts. */
export const BACKGROUND_QUIET_MS = 750;

/** Rows of a selection shown in the customer list (the export has them all). */
export const CUSTOMER_PAGE = 200;

export type EngineStatus = 'starting' | 'ready' | 'failed';

/** What the engine needs from the page's side: the worker API and its start-up. */
export interface EngineHandle {
	api: Remote<EngineApi>;
	ready: Promise<EngineInfo>;
	proxy: <T extends object>(fn: T) => T;
}

export class Session {
	engineStatus = $state<EngineStatus>('starting');
	engineInfo = $state.raw<EngineInfo | null>(null);
	file = $state.raw<OpenedFile | null>(null);
	mapping = $state<ColumnMapping | null>(null);
	/** The layout reading the file: the recognised one, or `generic` when the merchant maps the columns. */
	layout = $state<LayoutId>('generic');
	/** How rows become orders (amount level, excluded statuses, currency…). */
	readOptions = $state<ReadOptions | null>(null);
	scoring = $state<ScoringSettings>({ ...DEFAULT_SCORING });
	/** The rule set in force: a preset or the merchant's own, edited in place by the rule editor. */
	ruleSet = $state<RuleSet>(structuredClone(GRID_MAP));
	/**
	 * The rule set as chosen or last edited, on its own scale: the rules in force are always this,
	 * rescaled to the current levels (see settings.ts), so changing levels and back cannot drift.
	 */
	ruleDefinition = $state.raw<RuleSet>(structuredClone(GRID_MAP));
	progress = $state.raw<Progress | null>(null);
	/** A message for the merchant: what went wrong and what to do. */
	problem = $state<string | null>(null);
	/** The engine's own words about the problem, shown only inside a "technical details" disclosure. */
	problemDetails = $state<string | null>(null);
	analysis = $state.raw<Analysis | null>(null);
	tab = $state<Tab>('overview');
	/** The merchant's own rule sets, kept in this browser. */
	readonly ruleStore: RuleStore = browserRuleStore();
	savedRuleSets = $state.raw<RuleSet[]>(this.ruleStore.list());
	/** Presets, then saved sets: what a rule-set picker offers. */
	ruleSetChoices = $derived([...RULE_SETS, ...this.savedRuleSets]);
	behaviourSettings = $state<BehaviourSettings>(structuredClone(DEFAULT_BEHAVIOUR));
	behaviour = $state.raw<BehaviourSummary[] | null>(null);
	/** The customers opened from a cell, a segment or a behaviour segment. */
	selection = $state.raw<CustomerSelection | null>(null);
	customers = $state.raw<CustomerPage | null>(null);

	/** Required fields the current mapping lacks. */
	missingFields = $derived(this.mapping ? missingFields(this.mapping) : []);
	/** Engine calls under way (set before the first progress report arrives). */
	running = $state(0);
	busy = $derived(this.progress !== null || this.running > 0);
	/**
	 * The store's currency: the one scored when the file has a currency column (Shopify's `Currency`),
	 * otherwise what the amount column's header or symbols say. Every figure and the summary link use it.
	 */
	currency = $derived.by(() => {
		const scored = this.analysis?.ingest.scoredCurrency;
		if (scored) return scored;
		const column = this.mapping?.amount ?? this.mapping?.unitPrice;
		if (!this.file || !column) return null;
		const index = this.file.columns.indexOf(column);
		return detectCurrency(
			column,
			this.file.preview.map((row) => row[index] ?? '')
		);
	});

	#engine: EngineHandle;

	constructor(engine: EngineHandle) {
		this.#engine = engine;
		engine.ready.then(
			(info) => {
				this.engineInfo = info;
				this.engineStatus = 'ready';
			},
			(e: unknown) => {
				this.engineStatus = 'failed';
				this.problem = 'The analysis engine could not start in this browser. Try a recent Chrome, Edge, Firefox or Safari.';
				this.problemDetails = e instanceof Error ? e.message : String(e);
			}
		);
	}

	/** Counts engine calls, so that only the newest one reports (see #task). */
	#tasks = 0;

	/**
	 * Runs an engine call, turning failures into a message. Returns undefined when it failed or was cancelled.
	 * `work` gets this call's progress callback. Progress crosses from the worker on its own message port, so
	 * a report can arrive after the call's result: it is dropped then, or the spinner (and `busy`) would stay.
	 */
	async #task<T>(work: (onProgress: ProgressCallback) => Promise<T>): Promise<T | undefined> {
		const id = ++this.#tasks;
		let settled = false;
		const onProgress = this.#engine.proxy((p: Progress) => {
			if (!settled && id === this.#tasks) this.progress = p;
		});
		this.problem = null;
		this.problemDetails = null;
		this.running++;
		try {
			return await work(onProgress);
		} catch (e) {
			const err = e as { name?: string; message?: string };
			// A newer call cancelled this one in the engine: the newer call's outcome is what to show.
			if (id !== this.#tasks) return undefined;
			if (err.name === CANCELLED) this.problem = 'Cancelled. Your previous results are unchanged.';
			else if (err.name === FILE_PROBLEM) {
				const { message, details } = splitProblem(err.message ?? 'This file could not be read.');
				this.problem = message;
				this.problemDetails = details;
			} else {
				// Not a problem we know: our words on the page, the engine's in the details.
				this.problem =
					'Something went wrong while analysing the file. Drop it again; if this happens again, export the orders again as CSV (UTF-8) and drop the new file here.';
				this.problemDetails = err.message ?? String(e);
			}
			return undefined;
		} finally {
			this.running--;
			settled = true;
			if (id === this.#tasks) this.progress = null;
		}
	}

	/** Opens a dropped file; when every required column was found, analyses it at once. */
	async openFile(file: File): Promise<void> {
		return this.openFiles([file]);
	}

	/** Opens files dropped together (parts of one export, or Olist's tables); analyses at once when it can. */
	async openFiles(files: File[]): Promise<void> {
		performance.mark('rfm:file-received');
		const opened = await this.#task((onProgress) =>
			files.length === 1 ? this.#engine.api.openFile(files[0]!, onProgress) : this.#engine.api.openFiles(files, onProgress)
		);
		if (opened) await this.#takeOpened(opened);
	}

	/** Shows newly opened file(s) with their proposed mapping; analyses at once when every required column was found. */
	async #takeOpened(opened: OpenedFile): Promise<void> {
		this.file = opened;
		this.layout = opened.layout;
		this.mapping = { ...opened.detection.plan.mapping };
		this.readOptions = structuredClone(opened.detection.plan.options ?? null);
		this.analysis = null;
		this.behaviour = null;
		this.selection = null;
		this.customers = null;
		this.#forgetPredictions();
		if (opened.detection.missing.length === 0) await this.analyze();
	}

	/** Reads the file with the current mapping and scores it. */
	async analyze(): Promise<void> {
		if (!this.file || !this.mapping || this.missingFields.length > 0) return;
		// Snapshots: state proxies cannot be cloned into a worker message.
		const options = $state.snapshot(this.readOptions);
		const request = {
			layout: this.layout,
			mapping: $state.snapshot(this.mapping),
			...(options ? { options } : {}),
			scoring: $state.snapshot(this.scoring),
			ruleSet: $state.snapshot(this.ruleSet)
		};
		this.#forgetPredictions();
		const analysis = await this.#task((onProgress) => this.#engine.api.analyze(request, onProgress));
		if (analysis) {
			this.analysis = analysis;
			await this.#afterScoring();
		}
	}

	/**
	 * An open customer list follows every (re-)scoring. Behaviour segments are refreshed by the
	 * panel that shows them, once it is on screen: started here, their query would compete with
	 * drawing the matrix for the same two cores.
	 */
	async #afterScoring(): Promise<void> {
		if (this.selection) await this.openCustomers(this.selection, false);
		// New orders get new predictions; a rescore keeps them, but its segments need new averages.
		if (this.analysis && this.predictionsFor !== this.analysis.ingest) void this.#predictInBackground();
		else void this.#refreshSegmentPredictions();
	}

	/** Reading orders again replaces the predictions: the old ones are not shown meanwhile. */
	#forgetPredictions(): void {
		this.#predictRuns++;
		this.predictions = null;
		this.predictionsFor = null;
		this.segmentPredictions = null;
		this.predictionProblem = null;
		this.predicting = false;
	}

	/** Recomputes the behaviour segments with the current thresholds. */
	async refreshBehaviour(): Promise<void> {
		if (!this.analysis) return;
		const settings = $state.snapshot(this.behaviourSettings) as BehaviourSettings;
		const summary = await this.#task(() => this.#engine.api.behaviour(settings));
		if (summary) this.behaviour = summary;
	}

	/** Opens the customers behind a cell, a segment or a behaviour segment. */
	async openCustomers(selection: CustomerSelection, show = true): Promise<void> {
		this.selection = selection;
		if (show) this.tab = 'customers';
		const page = await this.#task(() => this.#engine.api.listCustomers(selection, { limit: CUSTOMER_PAGE }));
		if (page) this.customers = page;
	}

	async exportSelection(): Promise<Uint8Array | undefined> {
		const selection = this.selection;
		if (!selection) return undefined;
		return this.#task(() => this.#engine.api.exportSelection(selection));
	}

	/** Reads the file with a recognised layout, or with the plain mapping (`generic`), and re-runs. */
	async useLayout(layout: LayoutId): Promise<void> {
		if (!this.file) return;
		const detection = layout === 'generic' ? this.file.generic : this.file.detection;
		this.layout = layout;
		this.mapping = { ...detection.plan.mapping };
		this.readOptions = structuredClone(detection.plan.options ?? null);
		this.analysis = null;
		await this.analyze();
	}

	/** Changes how rows become orders (excluded statuses, currency…) and re-runs. */
	async setReadOptions(options: ReadOptions): Promise<void> {
		// A snapshot, not structuredClone: the options may hold state proxies (spread from `readOptions`).
		this.readOptions = $state.snapshot(options) as ReadOptions;
		this.analysis = null;
		await this.analyze();
	}

	/** Changes one column of the mapping and re-runs. */
	async remap(mapping: ColumnMapping): Promise<void> {
		this.mapping = { ...mapping };
		this.analysis = null;
		await this.analyze();
	}

	/** Scores again after a settings or rule change, without re-reading the file. */
	async rescore(): Promise<void> {
		if (!this.analysis) return;
		const scoring = $state.snapshot(this.scoring);
		const ruleSet = $state.snapshot(this.ruleSet);
		const rfm = await this.#task((onProgress) => this.#engine.api.rescore(scoring, ruleSet, onProgress));
		if (rfm && this.analysis) {
			this.analysis = { ...this.analysis, rfm };
			await this.#afterScoring();
		}
	}

	/** The settings every number follows: the scoring and the rule set's definition (edits in the rule editor included). */
	currentSettings(): AnalysisSettings {
		const scoring = $state.snapshot(this.scoring) as ScoringSettings;
		const inForce = $state.snapshot(this.ruleSet) as RuleSet;
		return { scoring, definition: definitionAfterEdits(this.ruleDefinition, inForce, scoring.levels) };
	}

	/** Puts settings in force (scoring, definition and the rules rescaled from it) without scoring. */
	setSettings(settings: AnalysisSettings): void {
		this.scoring = structuredClone(settings.scoring);
		this.ruleDefinition = structuredClone(settings.definition);
		this.ruleSet = rulesInForce(settings);
	}

	/** Applies one settings change (see settings.ts) and scores again. */
	async change(change: SettingsChange): Promise<void> {
		this.setSettings(applyChange(this.currentSettings(), change));
		await this.rescore();
	}

	/** Changes the number of score levels; the rules are rescaled from the rule set's definition, never from the previous rescale. */
	async setLevels(levels: number): Promise<void> {
		await this.change({ kind: 'levels', levels });
	}

	/** Switches to another rule set (a preset or a saved one); its scale sets the score levels. */
	async useRuleSet(set: RuleSet): Promise<void> {
		await this.change({ kind: 'rules', set: $state.snapshot(set) as RuleSet });
	}

	cancel(): void {
		void this.#engine.api.cancel();
	}

	async exportCustomers(): Promise<Uint8Array | undefined> {
		return this.#task(() => this.#engine.api.exportCustomers());
	}

	async exportExcludedRows(): Promise<Uint8Array | undefined> {
		return this.#task(() => this.#engine.api.exportExcludedRows());
	}

	/** The History tab: its view state (one plain object, for the URL) and its results. */
	readonly history: HistoryView = new HistoryView(this);

	/**
	 * Runs an engine call for a view that keeps its own state (History), with the same busy state,
	 * progress and messages as the session's own calls. Undefined when it failed or was cancelled.
	 */
	async runEngine<T>(work: (api: Remote<EngineApi>, onProgress: ProgressCallback) => Promise<T>): Promise<T | undefined> {
		return this.#task((onProgress) => work(this.#engine.api, onProgress));
	}

	/** The Predictions tab's settings. */
	predictSettings = $state<PredictSettings>(structuredClone(DEFAULT_PREDICT));
	/** The latest predictions, and the orders they were made for (a new file or mapping makes them stale; a rescore does not). */
	predictions = $state.raw<PredictionReport | null>(null);
	predictionsFor = $state.raw<IngestReport | null>(null);
	/** Predictions are being made in the background (after an analysis). */
	predicting = $state(false);
	/** Why the background predictions failed, for the Predictions tab. */
	predictionProblem = $state<string | null>(null);
	/** Averages of the predictions per RFM segment of the current scoring, for the segment table. */
	segmentPredictions = $state.raw<SegmentPredictions | null>(null);
	/** Counts prediction runs: a background run that a newer one replaced does not try again. */
	#predictRuns = 0;

	/** Fits the models and predicts with the current settings (the Predictions tab's button). */
	async predict(): Promise<void> {
		const analysis = this.analysis;
		if (!analysis) return;
		const settings = $state.snapshot(this.predictSettings) as PredictSettings;
		const run = ++this.#predictRuns;
		// Marked first, so a failed fit is not retried on every render; the button retries.
		this.predictionsFor = analysis.ingest;
		this.predictionProblem = null;
		const report = await this.#task((onProgress) => this.#engine.api.predict(settings, onProgress));
		if (report && this.analysis?.ingest === analysis.ingest && run === this.#predictRuns) await this.#tookPredictions(report);
	}

	/**
	 * Predictions for every new set of orders, made in the background so the customer list, profile,
	 * builder and segment table show them without a visit to the Predictions tab. Quiet: no spinner,
	 * and a failure is told on the Predictions tab, not over the matrix. A page step that cancels it
	 * (a rescore, a list) runs first; it then asks again.
	 */
	async #predictInBackground(): Promise<void> {
		const ingest = this.analysis?.ingest;
		if (!ingest || this.predictionsFor === ingest) return;
		const settings = $state.snapshot(this.predictSettings) as PredictSettings;
		const run = ++this.#predictRuns;
		const current = () => this.analysis?.ingest === ingest && run === this.#predictRuns;
		this.predictionsFor = ingest;
		this.predictionProblem = null;
		this.predicting = true;
		try {
			// The merchant's first clicks after the matrix (a list, a tab) go first: start once the page is quiet.
			await this.#quiet();
			if (!current()) return;
			for (let attempt = 0; ; attempt++) {
				try {
					const report = await this.#engine.api.predict(settings, undefined, true);
					if (current()) await this.#tookPredictions(report);
					return;
				} catch (e) {
					const err = e as { name?: string; message?: string };
					if (err.name === CANCELLED && attempt < 10 && current()) continue;
					if (current() && err.name !== CANCELLED)
						this.predictionProblem =
							err.name === FILE_PROBLEM
								? splitProblem(err.message ?? '').message
								: 'The models could not be fitted to these orders. Try other settings, or see the warnings above.';
					return;
				}
			}
		} finally {
			if (run === this.#predictRuns) {
				this.predicting = false;
				// For the benchmark: when the views have their predictions (or the reason they have none).
				performance.mark('rfm:predictions-done');
			}
		}
	}

	/** Resolves once no engine call of the page's has run for `BACKGROUND_QUIET_MS`. */
	async #quiet(): Promise<void> {
		do await new Promise((resolve) => setTimeout(resolve, BACKGROUND_QUIET_MS));
		while (this.running > 0);
	}

	async #tookPredictions(report: PredictionReport): Promise<void> {
		this.predictions = report;
		await this.#refreshSegmentPredictions();
	}

	/** The segment table's prediction averages for the current scoring (none without trusted predictions). */
	async #refreshSegmentPredictions(): Promise<void> {
		if (!this.predictions?.fit.showOrders) {
			this.segmentPredictions = null;
			return;
		}
		const rfm = this.analysis?.rfm;
		try {
			const averages = await this.#engine.api.segmentPredictions();
			if (this.analysis?.rfm === rfm) this.segmentPredictions = averages;
		} catch {
			// A newer step cancelled it; the scoring that follows refreshes them again.
		}
	}

	async exportPredictions(selection: PredictionSelection): Promise<Uint8Array | undefined> {
		return this.#task(() => this.#engine.api.exportPredictions(selection));
	}

	/** Reads another sheet of the open workbook; when every required column was found, analyses it at once. */
	async openSheet(sheet: string): Promise<void> {
		const opened = await this.#task((onProgress) => this.#engine.api.openSheet(sheet, onProgress));
		if (opened) await this.#takeOpened(opened);
	}
}

const KEY = Symbol('rfm-session');

export function setSession(session: Session): Session {
	return setContext(KEY, session);
}

/** The page's session; throws when a component is used outside the page that provides it. */
export function getSession(): Session {
	const session = getContext<Session | undefined>(KEY);
	if (!session) throw new Error('getSession() needs a Session set by the page (setSession)');
	return session;
}
