/**
 * The Predictions tab's state, and the predictions every other view joins in (the customer list,
 * profile, builder and segment table). Made in the background after each new read of the orders;
 * a rescore keeps them (they depend on the orders, not the RFM settings) and refreshes only the
 * segment averages. One instance per page, beside the Session, shared through context.
 */
import { createContext } from 'svelte';
import type { SegmentPredictions } from '../engine/api';
import type { IngestReport } from '../rfm/analysis';
import { DEFAULT_PREDICT, type PredictSettings } from '../predict/predict';
import type { PredictionReport } from '../predict/pipeline';
import type { PredictionSelection } from '../predict/predictions-sql';
import { DEFAULT_BOOTSTRAP } from '../predict/bootstrap';
import type { ModelName } from '../predict/models';
import type { UncertaintyReport } from '../predict/uncertainty';
import type { EngineCalls } from './engine-calls.svelte';
import type { Session, SessionEvent } from './session.svelte';

export class Predictions {
	/** The Predictions tab's settings. */
	settings = $state<PredictSettings>(structuredClone(DEFAULT_PREDICT));
	/** The latest predictions, and the orders they were made for (a new file or mapping makes them stale; a rescore does not). */
	report = $state.raw<PredictionReport | null>(null);
	madeFor = $state.raw<IngestReport | null>(null);
	/** Predictions are being made in the background (after an analysis). */
	predicting = $state(false);
	/** Why the background predictions failed, for the Predictions tab. */
	problem = $state<string | null>(null);
	/** Averages of the predictions per RFM segment of the current scoring, for the segment table. */
	segments = $state.raw<SegmentPredictions | null>(null);
	/** The bootstrap's intervals for `report` (null until it has run for it). */
	uncertainty = $state.raw<UncertaintyReport | null>(null);
	/** The bootstrap under way: resamples done of the total (null when none runs). */
	estimating = $state.raw<{ done: number; total: number } | null>(null);
	/** Why the bootstrap failed. */
	uncertaintyProblem = $state<string | null>(null);
	/** Whether the views show predicted orders (the models ran, and no warning hides them). */
	shown = $derived(this.report?.fit.showOrders ?? false);

	readonly #calls: EngineCalls;
	readonly #session: Session;
	/** Counts prediction runs: a run that a newer one replaced neither shows its answer nor tries again. */
	#runs = 0;

	constructor(calls: EngineCalls, session: Session) {
		this.#calls = calls;
		this.#session = session;
		session.follow((event) => this.#follow(event));
	}

	#follow(event: SessionEvent): void {
		if (event.kind === 'reading') this.#forget();
		// New orders get new predictions.
		else if (this.madeFor !== event.analysis.ingest) void this.#predictInBackground();
		// A rescore keeps the predictions, but its segments need new averages.
		else void this.#refreshSegments();
	}

	/** Reading orders again replaces the predictions: the old ones are not shown meanwhile. */
	#forget(): void {
		this.#runs++;
		this.report = null;
		this.madeFor = null;
		this.segments = null;
		this.problem = null;
		this.predicting = false;
		this.#dropUncertainty();
	}

	/** New predictions (or none) make the intervals stale; a bootstrap under way stops in the engine with them. */
	#dropUncertainty(): void {
		this.#estimates++;
		this.uncertainty = null;
		this.estimating = null;
		this.uncertaintyProblem = null;
	}

	/** Counts bootstrap runs: a stopped or replaced one neither shows progress nor its answer. */
	#estimates = 0;

	/**
	 * The bootstrap over customers for the predictions on screen (DEFAULT_BOOTSTRAP: 200 resamples),
	 * in the background with progress; `cancelUncertainty` stops it.
	 */
	async estimateUncertainty(): Promise<void> {
		const report = this.report;
		if (!report?.fit.showOrders) return;
		const run = ++this.#estimates;
		const current = () => run === this.#estimates && this.report === report;
		this.uncertainty = null;
		this.uncertaintyProblem = null;
		this.estimating = { done: 0, total: DEFAULT_BOOTSTRAP.resamples };
		const outcome = await this.#calls.background(
			'predictions',
			(api, onProgress) => api.estimateUncertainty(DEFAULT_BOOTSTRAP, onProgress),
			(p) => {
				if (current() && p.done !== undefined && p.total !== undefined) this.estimating = { done: p.done, total: p.total };
			}
		);
		if (!current()) return;
		this.estimating = null;
		if (outcome.ok) this.uncertainty = outcome.value;
		else if (outcome.problem) this.uncertaintyProblem = outcome.problem.message;
	}

	/** Stops the bootstrap (its Cancel button). */
	cancelUncertainty(): void {
		this.#estimates++;
		this.estimating = null;
		void this.#calls.read('predictions', (api) => api.stopUncertainty());
	}

	/** Predicts again with another repeat-purchase model (null: the one the holdout check picked). */
	async pickModel(model: ModelName | null): Promise<void> {
		this.settings = { ...$state.snapshot(this.settings), model } as PredictSettings;
		await this.predict();
	}

	/** Fits the models and predicts with the current settings (the Predictions tab's button). */
	async predict(): Promise<void> {
		const analysis = this.#session.analysis;
		if (!analysis) return;
		const settings = $state.snapshot(this.settings) as PredictSettings;
		const run = ++this.#runs;
		// Marked first, so a failed fit is not retried on every render; the button retries.
		this.madeFor = analysis.ingest;
		this.problem = null;
		const report = await this.#calls.task('predictions', (api, onProgress) => api.predict(settings, onProgress));
		if (report && this.#session.analysis?.ingest === analysis.ingest && run === this.#runs) await this.#took(report);
	}

	/**
	 * Predictions for every new set of orders, made in the background so the customer list, profile,
	 * builder and segment table show them without a visit to the Predictions tab. Quiet: no spinner,
	 * and a failure is told on the Predictions tab, not over the matrix. A page step that cancels it
	 * (a rescore, a list) runs first; it is then asked again (the engine calls' read policy).
	 */
	async #predictInBackground(): Promise<void> {
		const ingest = this.#session.analysis?.ingest;
		if (!ingest || this.madeFor === ingest) return;
		const settings = $state.snapshot(this.settings) as PredictSettings;
		const run = ++this.#runs;
		const current = () => this.#session.analysis?.ingest === ingest && run === this.#runs;
		this.madeFor = ingest;
		this.problem = null;
		this.predicting = true;
		try {
			// The merchant's first clicks after the matrix (a list, a tab) go first: start once the page is quiet.
			await this.#calls.quiet();
			if (!current()) return;
			const outcome = await this.#calls.read('predictions', (api) => api.predict(settings, undefined, true), current);
			if (!current()) return;
			if (outcome.ok) await this.#took(outcome.value);
			else if (outcome.problem) this.problem = outcome.problem.message;
		} finally {
			if (run === this.#runs) {
				this.predicting = false;
				// For the benchmark: when the views have their predictions (or the reason they have none).
				performance.mark('rfm:predictions-done');
			}
		}
	}

	async #took(report: PredictionReport): Promise<void> {
		this.#dropUncertainty();
		this.report = report;
		await this.#refreshSegments();
	}

	/** The segment table's prediction averages for the current scoring (none without trusted predictions). */
	async #refreshSegments(): Promise<void> {
		if (!this.report?.fit.showOrders) {
			this.segments = null;
			return;
		}
		const rfm = this.#session.analysis?.rfm;
		const wanted = () => this.#session.analysis?.rfm === rfm;
		const outcome = await this.#calls.read('predictions', (api) => api.segmentPredictions(), wanted);
		// Failed or replaced: the scoring that replaced it refreshes them again.
		if (outcome.ok && wanted()) this.segments = outcome.value;
	}

	/** The customers of a prediction selection with their predictions, as CSV bytes. */
	async export(selection: PredictionSelection): Promise<Uint8Array | undefined> {
		return this.#calls.task('export', (api) => api.exportPredictions(selection));
	}
}

/** The page's predictions, for the views under it; `getPredictions` throws outside the page that sets them. */
export const [getPredictions, setPredictions] = createContext<Predictions>();
