/// <reference lib="webworker" />
/**
 * The engine worker: DuckDB-WASM behind Comlink. This file is the wiring only: each method of
 * `EngineApi` checks its arguments, picks how it is scheduled (scheduler.ts: a page step, a read,
 * the latest of a kind, or background work) and hands the work to the workspace (workspace.ts).
 */
import * as Comlink from 'comlink';
import type { EngineApi, EngineOptions, OpenedFile, ProgressCallback, WarmUp } from './api';
import { limitMemory, startEngine, stepOn, type StartedEngine, type Step } from './connection';
import { Scheduler, Ticket, type CancelToken, type Work } from './scheduler';
import { checkScoringRequest, Workspace } from './workspace';
import { warmUp } from './warm-up';
import { FileProblem } from '../errors';
import { validateBehaviour, type BehaviourSettings } from '../rfm/behaviour';
import { exploreCharts } from '../rfm/explore';
import { listCustomers, type CustomerSelection } from '../rfm/customer-list';
import { validatePredictSettings, type PredictSettings } from '../predict/predict';
import type { PredictionSelection } from '../predict/predictions-sql';
import type { BootstrapOptions } from '../predict/bootstrap';

// DuckDB starts as soon as the worker exists, so a dropped file never waits for it.
const started = startEngine();
const scheduler = new Scheduler(async () => (await started).duck.conn.cancelSent().catch(() => false));
const workspace = new Workspace(scheduler);

/**
 * The warm-up (warm-up.ts) runs once the page has started the engine and asked for nothing yet;
 * the page's first request stops it and waits for it to clean up. A demo link, whose file is asked
 * for before DuckDB has started, skips it: on a 2-core machine it would cost that link more than it saves.
 */
let warming: { ticket: Ticket; done: Promise<WarmUp> } | null = null;
let requests = 0;

/** The engine, once started and with the warm-up stopped: every piece of work waits for this. */
async function engine(): Promise<StartedEngine> {
	requests++;
	const e = await started;
	if (warming) {
		warming.ticket.cancel();
		await warming.done;
	}
	return e;
}

/** Binds a scheduled piece of work to DuckDB: its runner stops at the first query after its token is cancelled. */
async function bind<T>(schedule: (work: Work<T>) => Promise<T>, work: (step: Step) => Promise<T>): Promise<T> {
	const { duck } = await engine();
	return schedule((token: CancelToken) => work(stepOn(duck, token)));
}

/** A step the merchant started: it replaces the previous one (see Scheduler.page). */
const page = <T>(work: (step: Step) => Promise<T>) => bind<T>((w) => scheduler.page(w), work);
/** A read for a view: it waits its turn and cancels nothing. */
const read = <T>(work: (step: Step) => Promise<T>) => bind<T>((w) => scheduler.read(w), work);
/** The newest request of a kind: an older one of the same kind is stale. */
const latest = <T>(kind: string, work: (step: Step) => Promise<T>) => bind<T>((w) => scheduler.latest(kind, w), work);

/** Bytes sent to the page without a copy. */
const transfer = (bytes: Uint8Array) => Comlink.transfer(bytes, [bytes.buffer]);
const exportCsv = (query: string) => page((s) => workspace.exportCsv(s, query)).then(transfer);

/** New files, or a workbook's other sheet: new orders stop predictions of the old ones. */
function open(files: File[], sheet: string | null, onProgress?: ProgressCallback): Promise<OpenedFile> {
	workspace.stopBackgroundPredictions();
	return page((s) => workspace.open(s, files, sheet, onProgress));
}

const api = {
	async start(options?: EngineOptions) {
		const info = await limitMemory(await started, options?.memoryLimit);
		if (requests === 0 && !warming) {
			const ticket = new Ticket();
			warming = { ticket, done: warmUp((await started).duck, scheduler, info.memoryLimit, ticket) };
		}
		return info;
	},

	async warmedUp() {
		return warming ? warming.done : null;
	},

	openFile(file: File, onProgress?: ProgressCallback): Promise<OpenedFile> {
		return api.openFiles([file], onProgress);
	},

	async openFiles(files: File[], onProgress?: ProgressCallback): Promise<OpenedFile> {
		if (files.length === 0) throw new FileProblem('No file was dropped.');
		onProgress?.({ step: 'open', label: files.length === 1 ? `Opening ${files[0]!.name}…` : `Opening ${files.length} files…` });
		return open(files, null, onProgress);
	},

	async openSheet(sheet: string, onProgress?: ProgressCallback): Promise<OpenedFile> {
		const files = workspace.openedFiles;
		if (!files) throw new FileProblem('Drop an order file first.');
		onProgress?.({ step: 'open', label: `Reading the sheet "${sheet}"…` });
		return open(files, sheet, onProgress);
	},

	async analyze(request, onProgress) {
		checkScoringRequest(request.scoring, request.ruleSet);
		// New orders: predictions of the old ones must not finish on them.
		workspace.stopBackgroundPredictions();
		return page(async (s) => workspace.analyze(s, request, (await started).info.memoryLimit, onProgress));
	},

	async rescore(scoring, ruleSet, onProgress) {
		checkScoringRequest(scoring, ruleSet);
		return page(async (s) => {
			onProgress?.({ step: 'score', label: 'Scoring customers…' });
			return workspace.score(s.db, scoring, ruleSet);
		});
	},

	async exportCustomers() {
		return page((s) => workspace.exportCustomers(s)).then(transfer);
	},

	async exportExcludedRows() {
		return exportCsv(workspace.excludedRowsSql());
	},

	async behaviour(settings: BehaviourSettings) {
		const invalid = validateBehaviour(settings);
		if (invalid) throw new FileProblem(invalid);
		workspace.setBehaviour(settings);
		// A read, not a page step: the page refreshes behaviour segments after each scoring, and that
		// refresh must not cancel a newer rescore the merchant started meanwhile (it runs after it, on its scores).
		return read((s) => workspace.behaviour(s.db, settings));
	},

	async listCustomers(selection, options) {
		return page(async (s) => {
			await workspace.prepareSelection(s, selection);
			return listCustomers(s.db, selection, options);
		});
	},

	async exportSelection(selection: CustomerSelection) {
		return page((s) => workspace.exportSelection(s, selection)).then(transfer);
	},

	async cancel() {
		await scheduler.cancel();
	},

	async migration(from: string, to: string) {
		return page((s) => workspace.migration(s.db, from, to));
	},

	async segmentsOverTime(grain, onProgress) {
		return page((s) =>
			workspace.segmentsOverTime(s.db, grain, (done, total) =>
				onProgress?.({ step: 'score', label: `Scoring the customer base as of each ${grain} (${done + 1} of ${total})…` })
			)
		);
	},

	async cohorts(grain) {
		return page((s) => workspace.cohorts(s.db, grain));
	},

	async journeys(request) {
		// A read for a view: the merchant's steps go first, and a newer question makes an older one stale.
		return latest('journeys', (s) => workspace.journeys(s.db, request));
	},

	async predict(settings: PredictSettings, onProgress?: ProgressCallback, background = false) {
		const invalid = validatePredictSettings(settings);
		if (invalid) throw new FileProblem(invalid);
		// A newer prediction replaces one still running in the background.
		workspace.stopBackgroundPredictions();
		if (background) return workspace.predictInBackground((await engine()).duck, settings, onProgress);
		return page((s) => workspace.predict(s, settings, onProgress));
	},

	async estimateUncertainty(options: BootstrapOptions, onProgress?: ProgressCallback) {
		return workspace.estimateUncertainty((await started).duck, options, onProgress);
	},

	stopUncertainty() {
		workspace.stopUncertainty();
		return Promise.resolve();
	},

	segmentPredictions() {
		return read((s) => workspace.segmentPredictions(s.db));
	},

	async exportPredictions(selection: PredictionSelection) {
		return exportCsv(workspace.predictionsExportSql(selection));
	},

	async builderFields() {
		return latest('fields', (s) => workspace.builderFields(s));
	},

	async builderCount(definitions, purpose = 'live') {
		return latest(purpose, (s) => workspace.builderCount(s, definitions));
	},

	async exportSegment(selection, request) {
		return latest('export', (s) => workspace.exportSegment(s, selection, request)).then(transfer);
	},

	async audienceCounts(selection, request) {
		// Its own kind: a count must never make a download stale.
		return latest('audience-counts', (s) => workspace.audienceCounts(s, selection, request));
	},

	async exportParquet() {
		const ruleSet = workspace.exportRuleSet();
		return latest('export', (s) => workspace.exportParquet(s, ruleSet)).then(transfer);
	},

	exploreCharts() {
		return read(async (s) => {
			workspace.requireScored();
			return exploreCharts(s.db);
		});
	},

	customerWindow(query, offset, limit) {
		return read((s) => workspace.customerWindow(s, query, offset, limit));
	},

	customerProfile(customerId) {
		return read((s) => workspace.customerProfile(s.db, customerId));
	}
} satisfies EngineApi;

Comlink.expose(api);
