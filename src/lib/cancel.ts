/** Cancellation, recognisable by name after it crosses the worker boundary (Comlink keeps `name`). */
export const CANCELLED = 'CancelledError';

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
