/**
 * The engine's one queue. DuckDB-WASM gives the engine one connection, and a query sent while another
 * winds down is interrupted or reads an empty result, so every piece of work runs alone, in turn.
 * What differs is how a new piece of work treats the others, named by its mode:
 *
 * - `page`: a step the merchant started (open a file, analyse, rescore, a list). It replaces the
 *   previous page step: one still waiting is skipped, and whatever is running is cancelled and
 *   interrupted.
 * - `read`: a read for a view (the customer grid, a chart, a profile). It waits its turn and cancels
 *   nothing; a newer page step still cancels it while it runs (the page asks again).
 * - `latest`: the newest request of a kind (the builder's live counts). A newer one of the same kind
 *   makes it stale; it never cancels other work.
 * - `background`: one unit (a query, a write) of a long job the merchant did not wait for. Each unit
 *   waits until no foreground work is queued, so a list or a count goes ahead of the rest of the job;
 *   page steps never cancel it (the job's owner stops it).
 *
 * Pure TypeScript: the database is reached only through `interrupt`, so the rules are unit tested
 * on fake work (tests/unit/scheduler.test.ts).
 */
import { CancelledError } from '../errors';
import type { SqlRunner } from '../db/runner';

/** Whether a piece of work was cancelled: it checks before each query and stops with a CancelledError. */
export interface CancelToken {
	readonly cancelled: boolean;
}

/** A token the scheduler (or a job's owner) can cancel. */
export class Ticket implements CancelToken {
	cancelled = false;

	cancel(): void {
		this.cancelled = true;
	}
}

/** The work of one step, given its token. */
export type Work<T> = (token: CancelToken) => Promise<T>;

/** The engine's one queue; each method is a mode (see the module comment). */
export class Scheduler {
	/** The end of the queue: each piece of work starts once everything before it has settled. */
	#queue: Promise<unknown> = Promise.resolve();
	/** The foreground work running now (never a background unit). */
	#running: Ticket | null = null;
	/** The newest page step, running or waiting its turn. */
	#latestPage: Ticket | null = null;
	/** The newest request of each `latest` kind. */
	#latestOfKind = new Map<string, Ticket>();
	/** Foreground work queued or running: background units wait while there is any. */
	#foreground = 0;
	readonly #interrupt: () => Promise<unknown>;

	/** @param interrupt asks the database to stop the query in flight (the cancelled work then stops at its next check). */
	constructor(interrupt: () => Promise<unknown>) {
		this.#interrupt = interrupt;
	}

	/**
	 * Runs a page step after the work already queued, replacing the previous page step: one still
	 * waiting is skipped (it rejects with a CancelledError), and the running work is cancelled and
	 * interrupted first, so the new step does not wait for a stale query to finish.
	 */
	async page<T>(work: Work<T>): Promise<T> {
		this.#latestPage?.cancel();
		if (this.#running) await this.cancel();
		// Recorded only now, as the engine always did: two page steps that both arrive while work
		// runs each wait for the interrupt, and both run, in order.
		const ticket = new Ticket();
		this.#latestPage = ticket;
		return this.#enqueue(ticket, work);
	}

	/** Runs a read after the work already queued, cancelling nothing. A later page step cancels it. */
	read<T>(work: Work<T>): Promise<T> {
		return this.#enqueue(new Ticket(), work);
	}

	/**
	 * Runs the newest request of `kind`: the previous one of the same kind is skipped when it still
	 * waits, and cancelled and interrupted when it runs. Other work is never cancelled by it; a page
	 * step still cancels it while it runs.
	 */
	async latest<T>(kind: string, work: Work<T>): Promise<T> {
		const previous = this.#latestOfKind.get(kind);
		if (previous) {
			previous.cancel();
			if (this.#running === previous) await this.#interrupt();
		}
		const ticket = new Ticket();
		this.#latestOfKind.set(kind, ticket);
		return this.#enqueue(ticket, work);
	}

	/**
	 * Runs one unit of background work once no foreground work is queued, after everything queued
	 * before it. Foreground work that arrives while it waits goes first.
	 */
	async background<T>(work: () => Promise<T>): Promise<T> {
		while (this.#foreground > 0) await this.#queue;
		const result = this.#queue.then(work);
		this.#queue = result.catch(() => undefined);
		return result;
	}

	/**
	 * A runner whose every query is a background unit of its own: the queries of a long background
	 * job interleave with the page's work instead of holding it up for the whole job.
	 */
	backgroundRunner(inner: SqlRunner): SqlRunner {
		const arrow = inner.arrow?.bind(inner);
		return {
			run: (sql) => this.background(() => inner.run(sql)),
			rows: <T>(sql: string) => this.background(() => inner.rows<T>(sql)),
			...(arrow ? { arrow: (sql: string) => this.background(() => arrow(sql)) } : {})
		};
	}

	/** Cancels the waiting page step and the running foreground work (interrupting its query). */
	async cancel(): Promise<void> {
		this.#latestPage?.cancel();
		const ticket = this.#running;
		if (!ticket) return;
		ticket.cancel();
		await this.#interrupt();
	}

	/** Queues foreground work as the `running` one with `ticket`; skipped when the ticket was cancelled while it waited. */
	#enqueue<T>(ticket: Ticket, work: Work<T>): Promise<T> {
		this.#foreground++;
		const result = this.#queue
			.then(async () => {
				if (ticket.cancelled) throw new CancelledError();
				this.#running = ticket;
				try {
					return await work(ticket);
				} finally {
					this.#running = null;
				}
			})
			.finally(() => this.#foreground--);
		this.#queue = result.catch(() => undefined);
		return result;
	}
}
