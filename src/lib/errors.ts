/**
 * The errors the engine raises on purpose, in one place. Comlink carries only an error's `name` and
 * `message` across the worker boundary, so the page recognises them by name: the names are
 * constants here, and each class sets its own.
 */
import { withDetails } from './problem';

/** The name of a cancelled step's error, on either side of the worker boundary. */
export const CANCELLED = 'CancelledError';
/** The name of a problem with the merchant's file or settings; its message is written for them. */
export const FILE_PROBLEM = 'FileProblem';
/** The name of a scoring that found no order to score. */
export const NOTHING_TO_SCORE = 'NothingToScore';
/** The name of a problem with the predictions that the merchant can fix. */
export const PREDICTION_PROBLEM = 'PredictionProblem';

/** The running step was cancelled (by the merchant, or by a newer step). */
export class CancelledError extends Error {
	constructor() {
		super('Cancelled');
		this.name = CANCELLED;
	}
}

/** True for a cancellation, whichever side of the worker boundary it was raised on. */
export function isCancelled(e: unknown): boolean {
	return (e as { name?: unknown } | null)?.name === CANCELLED;
}

/**
 * A user-facing problem with a file: what is wrong and what to do. `details` (the engine's own
 * words, if any) travel with the message and are shown only inside a "technical details" disclosure.
 */
export class FileProblem extends Error {
	constructor(message: string, details?: string | null) {
		super(withDetails(message, details));
		this.name = FILE_PROBLEM;
	}
}

/** Scoring found no order to score with the settings; the message says why, for the merchant. */
export class NothingToScore extends Error {
	constructor(message: string) {
		super(message);
		this.name = NOTHING_TO_SCORE;
	}
}

/** Raised for a problem the merchant can fix (too few orders, a cut date outside the data); the message is for them. */
export class PredictionProblem extends Error {
	override name = PREDICTION_PROBLEM;
}
