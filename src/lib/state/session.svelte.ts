/**
 * What the merchant is looking at: the loaded file, the mapping and settings, the latest analysis
 * and the customers opened. One instance per page, shared through context. It reaches the engine
 * through `EngineCalls` only; the History and Predictions tabs keep their own state beside it.
 */
import { createContext } from 'svelte';
import type { Analysis, AudienceCounts, ExportRequest, OpenedFile } from '../engine/api';
import { missingFields, type ColumnMapping, type ReadOptions } from '../ingest/columns';
import type { LayoutId } from '../ingest/layouts';
import { detectCurrency } from '../ingest/currency';
import { DEFAULT_SCORING, type RuleSet, type ScoringSettings } from '../rfm/types';
import { GRID_MAP, RULE_SETS } from '../rfm/segments';
import { applyChange, definitionAfterEdits, rulesInForce, type AnalysisSettings, type SettingsChange } from './settings';
import { browserRuleStore, type RuleStore } from './rule-store';
import { DEFAULT_BEHAVIOUR, type BehaviourSettings, type BehaviourSummary } from '../rfm/behaviour';
import type { CustomerSelection } from '../rfm/customer-list';
import type { EngineCalls, Outcome } from './engine-calls.svelte';

export type Tab = 'overview' | 'rules' | 'customers' | 'history' | 'repeat' | 'predictions' | 'builder' | 'charts';

/** What happened, for whoever follows the session (predictions, the builder): see `Session.follow`. */
export type SessionEvent =
	/** New orders are being read (a file, a mapping, read options): results made from the old ones are stale. */
	| { kind: 'reading' }
	/** A scoring is on screen (of newly read orders, or a rescore of the same ones). */
	| { kind: 'scored'; analysis: Analysis };

export class Session {
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
	analysis = $state.raw<Analysis | null>(null);
	tab = $state<Tab>('overview');
	/** The merchant's own rule sets, kept in this browser. */
	readonly ruleStore: RuleStore = browserRuleStore();
	savedRuleSets = $state.raw<RuleSet[]>(this.ruleStore.list());
	/** Presets, then saved sets: what a rule-set picker offers. */
	ruleSetChoices = $derived([...RULE_SETS, ...this.savedRuleSets]);
	behaviourSettings = $state<BehaviourSettings>(structuredClone(DEFAULT_BEHAVIOUR));
	behaviour = $state.raw<BehaviourSummary[] | null>(null);
	/** The customers opened from a cell, a segment, a behaviour segment, a flow or a built segment (the list reads them). */
	selection = $state.raw<CustomerSelection | null>(null);

	/** Required fields the current mapping lacks. */
	missingFields = $derived(this.mapping ? missingFields(this.mapping) : []);
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

	/** The one way into the engine: tasks with progress and messages, reads with retries. */
	readonly calls: EngineCalls;
	// Not state: who follows the session is no part of what the page shows.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #followers = new Set<(event: SessionEvent) => void>();

	constructor(calls: EngineCalls) {
		this.calls = calls;
	}

	// The engine's state and the page's message live in `calls`; these read them where the page always did.
	get engineStatus() {
		return this.calls.status;
	}
	get progress() {
		return this.calls.progress;
	}
	get busy() {
		return this.calls.busy;
	}
	/** A message for the merchant: what went wrong and what to do. */
	get problem() {
		return this.calls.problem;
	}
	/** The engine's own words about the problem, shown only inside a "technical details" disclosure. */
	get problemDetails() {
		return this.calls.problemDetails;
	}

	/**
	 * Calls `follower` on every new read of the orders and every scoring (after the session shows it):
	 * how the Predictions and builder state follow the session without it knowing them.
	 * Returns the way to stop following.
	 */
	follow(follower: (event: SessionEvent) => void): () => void {
		this.#followers.add(follower);
		return () => this.#followers.delete(follower);
	}

	#tell(event: SessionEvent): void {
		for (const follower of this.#followers) follower(event);
	}

	/** Opens a dropped file; when every required column was found, analyses it at once. */
	async openFile(file: File): Promise<void> {
		return this.openFiles([file]);
	}

	/** Opens files dropped together (parts of one export, or Olist's tables); analyses at once when it can. */
	async openFiles(files: File[]): Promise<void> {
		performance.mark('rfm:file-received');
		const opened = await this.calls.task('analysis', (api, onProgress) =>
			files.length === 1 ? api.openFile(files[0]!, onProgress) : api.openFiles(files, onProgress)
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
		this.#tell({ kind: 'reading' });
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
		this.#tell({ kind: 'reading' });
		const analysis = await this.calls.task('analysis', (api, onProgress) => api.analyze(request, onProgress));
		if (analysis) {
			this.analysis = analysis;
			this.#tell({ kind: 'scored', analysis });
		}
	}

	/**
	 * Recomputes the behaviour segments with the current thresholds. Refreshed by the panel that
	 * shows them, once it is on screen: started with the scoring, their query would compete with
	 * drawing the matrix for the same two cores.
	 */
	async refreshBehaviour(): Promise<void> {
		if (!this.analysis) return;
		const settings = $state.snapshot(this.behaviourSettings) as BehaviourSettings;
		const summary = await this.calls.task('analysis', (api) => api.behaviour(settings));
		if (summary) this.behaviour = summary;
	}

	/**
	 * Opens the customers behind a cell, a segment, a behaviour segment, a flow or a built segment.
	 * The list reads their rows (and how many there are) itself, a page at a time (see explore.svelte.ts).
	 */
	openCustomers(selection: CustomerSelection, show = true): void {
		this.selection = selection;
		if (show) this.tab = 'customers';
	}

	/** The open selection's customers as CSV bytes. */
	async exportSelection(): Promise<Uint8Array | undefined> {
		const selection = this.selection;
		if (!selection) return undefined;
		return this.calls.task('export', (api) => api.exportSelection(selection));
	}

	/**
	 * A group's customers as CSV: chosen columns, an e-mail tool list, or a Meta / Google audience
	 * (hashed in the worker). A download that a newer step cancelled is not asked again behind the
	 * merchant's back: nothing is told, and the button is still there.
	 */
	async exportSegment(selection: CustomerSelection, request: ExportRequest): Promise<Outcome<Uint8Array>> {
		const group = $state.snapshot(selection) as CustomerSelection;
		return this.calls.read(
			'export',
			(api) => api.exportSegment(group, request),
			() => false
		);
	}

	/**
	 * Before an audience download: the rows the file will have and who is left out, by reason.
	 * @param wanted false once the dialog asks for other counts (a cancelled count is not asked again then)
	 */
	async audienceCounts(
		selection: CustomerSelection,
		request: Exclude<ExportRequest, { preset: 'columns' }>,
		wanted?: () => boolean
	): Promise<Outcome<AudienceCounts>> {
		const group = $state.snapshot(selection) as CustomerSelection;
		return this.calls.read('export', (api) => api.audienceCounts(group, request), wanted);
	}

	/** The scored customer table as Parquet bytes. */
	async exportParquet(): Promise<Outcome<Uint8Array>> {
		return this.calls.read(
			'export',
			(api) => api.exportParquet(),
			() => false
		);
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
		const rfm = await this.calls.task('analysis', (api, onProgress) => api.rescore(scoring, ruleSet, onProgress));
		if (rfm && this.analysis) {
			this.analysis = { ...this.analysis, rfm };
			this.#tell({ kind: 'scored', analysis: this.analysis });
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

	/** Cancels the running step (the Cancel button). */
	cancel(): void {
		this.calls.cancel();
	}

	async exportCustomers(): Promise<Uint8Array | undefined> {
		return this.calls.task('export', (api) => api.exportCustomers());
	}

	async exportExcludedRows(): Promise<Uint8Array | undefined> {
		return this.calls.task('export', (api) => api.exportExcludedRows());
	}

	/** Reads another sheet of the open workbook; when every required column was found, analyses it at once. */
	async openSheet(sheet: string): Promise<void> {
		const opened = await this.calls.task('analysis', (api, onProgress) => api.openSheet(sheet, onProgress));
		if (opened) await this.#takeOpened(opened);
	}
}

/** The page's session, for the views under it; `getSession` throws outside the page that sets it. */
export const [getSession, setSession] = createContext<Session>();
