/**
 * The page's one way into the engine. Every state class is handed this object; no component
 * imports the engine client. It runs two kinds of call:
 *
 * - a **task**: a foreground step the merchant waits for (read a file, score, export). It shows
 *   progress, can be cancelled, counts as busy, and its failure is the page's message.
 * - a **read**: a query a view needs (a list page, counts, charts, a profile, predictions in the
 *   background). A newer page step may cancel it in the engine; it is then asked again, by one
 *   retry policy (`READ_RETRY`), while the caller still wants the answer.
 *
 * Every engine error becomes the merchant's message here (`problemFor`), whatever asked.
 */
import type { Remote } from 'comlink';
import type { EngineApi, EngineInfo, Progress, ProgressCallback } from '../engine/api';
import { FILE_PROBLEM, isCancelled, NOTHING_TO_SCORE, PREDICTION_PROBLEM } from '../errors';
import { splitProblem } from '../problem';

/** What the page needs of the engine: the worker API, its start-up, and a way to pass callbacks to it. */
export interface EngineHandle {
	api: Remote<EngineApi>;
	ready: Promise<EngineInfo>;
	proxy: <T extends object>(fn: T) => T;
}

export type EngineStatus = 'starting' | 'ready' | 'failed';

/** A message for the merchant, and the engine's own words for a "technical details" disclosure (or null). */
export interface Problem {
	message: string;
	details: string | null;
}

/**
 * What the merchant was doing when an error we do not know came back: our words for it. Errors we
 * know (a problem with the file, written for the merchant) carry their own message.
 */
export const FAILED = {
	start: 'The analysis engine could not start in this browser. Try a recent Chrome, Edge, Firefox or Safari.',
	analysis:
		'Something went wrong while analysing the file. Drop it again; if this happens again, export the orders again as CSV (UTF-8) and drop the new file here.',
	predictions: 'The models could not be fitted to these orders. Try other settings, or see the warnings above.',
	count: 'The segment could not be counted.',
	export: 'The export failed.',
	list: 'The customer list could not be read.',
	charts: 'The charts could not be computed.',
	profile: 'This customer could not be read.',
	journeys: 'These repeat-purchase figures could not be computed.'
} as const;

export type Doing = keyof typeof FAILED;

/** Said when the merchant cancelled a step with the Cancel button. */
export const CANCELLED_MESSAGE = 'Cancelled. Your previous results are unchanged.';

/** Errors raised on purpose with a message written for the merchant (see errors.ts). */
const FOR_THE_MERCHANT: ReadonlySet<unknown> = new Set([FILE_PROBLEM, NOTHING_TO_SCORE, PREDICTION_PROBLEM]);

/**
 * The merchant's message for an engine error: a problem with the file (or any error raised with
 * words for the merchant) is told in its own words, its technical details split off; anything else
 * in ours for what they were doing, with the engine's words as details. Null for a cancellation:
 * it is not a failure to report.
 * @param e what the engine call threw (errors cross the worker boundary as a name and a message)
 * @param doing what the call was for, naming the words used for an error we do not know
 */
export function problemFor(e: unknown, doing: Doing): Problem | null {
	if (isCancelled(e)) return null;
	const err = e as { name?: unknown; message?: unknown } | null;
	const text = typeof err?.message === 'string' ? err.message : String(e);
	if (FOR_THE_MERCHANT.has(err?.name)) return splitProblem(text || FAILED[doing]);
	return { message: FAILED[doing], details: text };
}

/**
 * A problem as one line, for a panel with no room for a details disclosure: the message, and for an
 * error we do not know the engine's words after it ("The export failed: …").
 */
export function problemText(problem: Problem): string {
	if (!problem.details || !Object.values(FAILED).includes(problem.message as never)) return problem.message;
	return `${problem.message.replace(/\.$/, '')}: ${problem.details}`;
}

/**
 * How a read that a newer step cancelled is asked again: up to `attempts` times in all, waiting
 * `waitMs × (retry − 1)` before each retry (the first at once: the engine queues it behind the step
 * that cancelled it; later ones give a burst of steps time to pass).
 */
export const READ_RETRY = { attempts: 10, waitMs: 100 } as const;

/** A read's answer, or why there is none: a problem to tell, or null when nothing needs telling. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem | null };

/** Retries `call` by `READ_RETRY` while it is cancelled and `wanted()`; other errors are thrown. */
export async function withRetry<T>(call: () => Promise<T>, wanted: () => boolean = () => true): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await call();
		} catch (e) {
			if (!isCancelled(e) || attempt >= READ_RETRY.attempts || !wanted()) throw e;
			const wait = READ_RETRY.waitMs * (attempt - 1);
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		}
	}
}

/** How long the page must be quiet before background work (predictions) starts. */
export const BACKGROUND_QUIET_MS = 750;

export class EngineCalls {
	status = $state<EngineStatus>('starting');
	info = $state.raw<EngineInfo | null>(null);
	/** The running task's progress (null between tasks, and before the first report). */
	progress = $state.raw<Progress | null>(null);
	/** The page's message for the merchant: what went wrong and what to do. */
	problem = $state<string | null>(null);
	/** The engine's own words about the problem, shown only inside a "technical details" disclosure. */
	problemDetails = $state<string | null>(null);
	/** Tasks under way (set before the first progress report arrives). */
	running = $state(0);
	busy = $derived(this.progress !== null || this.running > 0);

	readonly #engine: EngineHandle;
	/** Counts tasks, so that only the newest one reports (see `task`). */
	#tasks = 0;

	constructor(engine: EngineHandle) {
		this.#engine = engine;
		engine.ready.then(
			(info) => {
				this.info = info;
				this.status = 'ready';
				// The benchmarks time the demo from here ("Engine ready" on the page) to its matrix, and
				// a dropped file from the end of the engine's warm-up, as when a merchant looks for the file.
				performance.mark('rfm:engine-ready');
				Promise.resolve()
					.then(() => engine.api.warmedUp())
					.then(() => performance.mark('rfm:engine-warm'))
					.catch(() => undefined);
			},
			(e: unknown) => {
				this.status = 'failed';
				this.tell({ message: FAILED.start, details: e instanceof Error ? e.message : String(e) });
			}
		);
	}

	/** Shows a message on the page (a problem with a link, a demo, the device store…); null clears it. */
	tell(problem: Problem | string | null): void {
		const p = typeof problem === 'string' ? { message: problem, details: null } : problem;
		this.problem = p?.message ?? null;
		this.problemDetails = p?.details ?? null;
	}

	/**
	 * Runs a foreground step: progress, busy and the page's message. Undefined when it failed or was
	 * cancelled. Progress crosses from the worker on its own message port, so a report can arrive
	 * after the call's result: it is dropped then, or the spinner (and `busy`) would stay.
	 * @param doing what the step is for (the words for an error we do not know)
	 * @param work the engine call, given this step's progress callback
	 */
	async task<T>(doing: Doing, work: (api: Remote<EngineApi>, onProgress: ProgressCallback) => Promise<T>): Promise<T | undefined> {
		const id = ++this.#tasks;
		let settled = false;
		const onProgress = this.#engine.proxy((p: Progress) => {
			if (!settled && id === this.#tasks) this.progress = p;
		});
		this.tell(null);
		this.running++;
		try {
			return await work(this.#engine.api, onProgress);
		} catch (e) {
			// A newer step cancelled this one in the engine: the newer step's outcome is what to show.
			if (id !== this.#tasks) return undefined;
			this.tell(problemFor(e, doing) ?? CANCELLED_MESSAGE);
			return undefined;
		} finally {
			this.running--;
			settled = true;
			if (id === this.#tasks) this.progress = null;
		}
	}

	/**
	 * Runs a read: no progress, no page message; asked again by `READ_RETRY` when a newer step
	 * cancelled it, while `wanted()` (the caller still needs this answer).
	 * @param doing what the read is for (the words for an error we do not know)
	 * @param work the engine call
	 * @param wanted false once a newer request of the caller's replaced this one
	 */
	async read<T>(doing: Doing, work: (api: Remote<EngineApi>) => Promise<T>, wanted: () => boolean = () => true): Promise<Outcome<T>> {
		try {
			return { ok: true, value: await withRetry(() => work(this.#engine.api), wanted) };
		} catch (e) {
			return { ok: false, problem: problemFor(e, doing) };
		}
	}

	/**
	 * Runs a long background job (the bootstrap): its progress goes to `onProgress`, not the page's
	 * spinner, it is not busy and not retried; its owner stops it with its own engine call. A problem
	 * is returned, not shown on the page (null: it was stopped).
	 */
	async background<T>(
		doing: Doing,
		work: (api: Remote<EngineApi>, onProgress: ProgressCallback) => Promise<T>,
		onProgress: (progress: Progress) => void
	): Promise<Outcome<T>> {
		let settled = false;
		const report = this.#engine.proxy((p: Progress) => {
			if (!settled) onProgress(p);
		});
		try {
			return { ok: true, value: await work(this.#engine.api, report) };
		} catch (e) {
			return { ok: false, problem: problemFor(e, doing) };
		} finally {
			settled = true;
		}
	}

	/** Cancels the running step (the Cancel button); its task ends with "Cancelled". */
	cancel(): void {
		void this.#engine.api.cancel();
	}

	/** Resolves once no task has run for `BACKGROUND_QUIET_MS`: background work lets the merchant's clicks go first. */
	async quiet(): Promise<void> {
		do await new Promise((resolve) => setTimeout(resolve, BACKGROUND_QUIET_MS));
		while (this.running > 0);
	}
}
