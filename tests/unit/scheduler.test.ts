/**
 * The engine's queue on fake work: which work waits, which is skipped, which is cancelled and
 * interrupted, and how background units yield to the page. No DuckDB: `interrupt` is counted.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler, type CancelToken } from '../../src/lib/engine/scheduler';
import type { SqlRunner } from '../../src/lib/db/runner';

/** A promise settled from outside. */
function deferred<T = void>() {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((r) => (resolve = r));
	return { promise, resolve };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * A scheduler whose `interrupt` behaves like DuckDB's `cancelSent`: the work in flight stops
 * (its `until` promise is released) and then sees its token cancelled.
 */
function setup() {
	const log: string[] = [];
	let interrupts = 0;
	let release: (() => void) | null = null;
	const scheduler = new Scheduler(async () => {
		interrupts++;
		release?.();
	});
	/** Work that logs its start, waits for `until` (or an interrupt) and then finishes or reports its cancellation. */
	const work =
		(name: string, until: Promise<void> = Promise.resolve()) =>
		async (token: CancelToken) => {
			log.push(`start ${name}`);
			const interrupted = deferred();
			release = interrupted.resolve;
			await Promise.race([until, interrupted.promise]);
			if (token.cancelled) {
				log.push(`cancelled ${name}`);
				throw Object.assign(new Error('Cancelled'), { name: 'CancelledError' });
			}
			log.push(`end ${name}`);
			return name;
		};
	return { scheduler, work, log, interrupts: () => interrupts };
}

describe('scheduler', () => {
	it('runs one piece of work at a time, in the order it was queued', async () => {
		const { scheduler, work, log } = setup();
		const gate = deferred();
		const a = scheduler.read(work('a', gate.promise));
		const b = scheduler.read(work('b'));
		await settle();
		expect(log).toEqual(['start a']);
		gate.resolve();
		await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
		expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
	});

	it('a page step cancels and interrupts the running step, then runs', async () => {
		const { scheduler, work, log, interrupts } = setup();
		const first = scheduler.page(work('first', new Promise(() => undefined)));
		await settle();
		const second = scheduler.page(work('second'));
		await expect(first).rejects.toMatchObject({ name: 'CancelledError' });
		await expect(second).resolves.toBe('second');
		expect(interrupts()).toBe(1);
		expect(log).toEqual(['start first', 'cancelled first', 'start second', 'end second']);
	});

	it('a page step skips the page step still waiting its turn', async () => {
		const { scheduler, work, log } = setup();
		const gate = deferred();
		// Background work is never cancelled by page steps, so the first one waits behind it.
		const unit = scheduler.background(() => gate.promise);
		await settle();
		const waiting = scheduler.page(work('waiting'));
		const newest = scheduler.page(work('newest'));
		gate.resolve();
		await unit;
		await expect(waiting).rejects.toMatchObject({ name: 'CancelledError' });
		await expect(newest).resolves.toBe('newest');
		expect(log).toEqual(['start newest', 'end newest']);
	});

	it('a read waits for the running page step without cancelling it', async () => {
		const { scheduler, work, log, interrupts } = setup();
		const gate = deferred();
		const step = scheduler.page(work('rescore', gate.promise));
		await settle();
		const list = scheduler.read(work('list'));
		await settle();
		expect(log).toEqual(['start rescore']);
		gate.resolve();
		await expect(step).resolves.toBe('rescore');
		await expect(list).resolves.toBe('list');
		expect(interrupts()).toBe(0);
		expect(log).toEqual(['start rescore', 'end rescore', 'start list', 'end list']);
	});

	it('a newer page step cancels a running read (the page asks again)', async () => {
		const { scheduler, work } = setup();
		const read = scheduler.read(work('window', new Promise(() => undefined)));
		await settle();
		const step = scheduler.page(work('rescore'));
		await expect(read).rejects.toMatchObject({ name: 'CancelledError' });
		await expect(step).resolves.toBe('rescore');
	});

	it('latest of a kind: a newer request cancels and interrupts the running one of its kind', async () => {
		const { scheduler, work, log, interrupts } = setup();
		const running = scheduler.latest('live', work('live 1', new Promise(() => undefined)));
		await settle();
		const newest = scheduler.latest('live', work('live 2'));
		await expect(running).rejects.toMatchObject({ name: 'CancelledError' });
		await expect(newest).resolves.toBe('live 2');
		expect(interrupts()).toBe(1);
		expect(log).toEqual(['start live 1', 'cancelled live 1', 'start live 2', 'end live 2']);
	});

	it('latest of a kind: a newer request skips a waiting one of its kind only, without interrupting', async () => {
		const { scheduler, work, log, interrupts } = setup();
		const gate = deferred();
		const unit = scheduler.background(() => gate.promise);
		await settle();
		const stale = scheduler.latest('live', work('live 1'));
		const saved = scheduler.latest('saved', work('saved'));
		const newest = scheduler.latest('live', work('live 2'));
		gate.resolve();
		await unit;
		await expect(stale).rejects.toMatchObject({ name: 'CancelledError' });
		await expect(saved).resolves.toBe('saved');
		await expect(newest).resolves.toBe('live 2');
		expect(interrupts()).toBe(0);
		expect(log).toEqual(['start saved', 'end saved', 'start live 2', 'end live 2']);
	});

	it('latest-of-a-kind work never cancels a page step, which waits for it', async () => {
		const { scheduler, work, log, interrupts } = setup();
		const gate = deferred();
		const step = scheduler.page(work('rescore', gate.promise));
		await settle();
		const count = scheduler.latest('live', work('count'));
		await settle();
		gate.resolve();
		await expect(step).resolves.toBe('rescore');
		await expect(count).resolves.toBe('count');
		expect(interrupts()).toBe(0);
		expect(log).toEqual(['start rescore', 'end rescore', 'start count', 'end count']);
	});

	it('a page step cancels a running builder count', async () => {
		const { scheduler, work } = setup();
		const count = scheduler.latest('live', work('count', new Promise(() => undefined)));
		await settle();
		await expect(Promise.all([count.catch((e: Error) => e.name), scheduler.page(work('list'))])).resolves.toEqual([
			'CancelledError',
			'list'
		]);
	});

	it('background work yields: page work queued before or while it waits goes first', async () => {
		const { scheduler, work, log } = setup();
		const gate = deferred();
		const step = scheduler.page(work('analyze', gate.promise));
		await settle();
		const unit = scheduler.background(async () => {
			log.push('background');
			return 'unit';
		});
		await settle();
		// Arrives after the background unit but runs before it.
		const list = scheduler.read(work('list'));
		gate.resolve();
		await expect(Promise.all([step, list, unit])).resolves.toEqual(['analyze', 'list', 'unit']);
		expect(log).toEqual(['start analyze', 'end analyze', 'start list', 'end list', 'background']);
	});

	it('page steps neither cancel nor interrupt background units', async () => {
		const { scheduler, work, interrupts } = setup();
		const gate = deferred();
		const unit = scheduler.background(async () => {
			await gate.promise;
			return 'unit';
		});
		await settle();
		const step = scheduler.page(work('rescore'));
		await settle();
		gate.resolve();
		await expect(unit).resolves.toBe('unit');
		await expect(step).resolves.toBe('rescore');
		expect(interrupts()).toBe(0);
	});

	it('a background runner queues each query as its own unit, between the page steps', async () => {
		const { scheduler, work, log } = setup();
		const inner: SqlRunner = {
			run: async (sql) => void log.push(`run ${sql}`),
			rows: async <T>(sql: string) => {
				log.push(`rows ${sql}`);
				return [] as T[];
			}
		};
		const db = scheduler.backgroundRunner(inner);
		expect(db.arrow).toBeUndefined();
		const job = (async () => {
			await db.run('q1');
			await db.rows('q2');
		})();
		const step = scheduler.page(work('list'));
		await Promise.all([job, step]);
		// The first query was queued while nothing else was; the second waits for the page step that came meanwhile.
		expect(log).toEqual(['run q1', 'start list', 'end list', 'rows q2']);
	});

	it('cancel() stops and interrupts the running work', async () => {
		const { scheduler, work, interrupts } = setup();
		const running = scheduler.read(work('window', new Promise(() => undefined)));
		await settle();
		await scheduler.cancel();
		await expect(running).rejects.toMatchObject({ name: 'CancelledError' });
		expect(interrupts()).toBe(1);
	});

	it('cancel() skips the page step waiting its turn', async () => {
		const { scheduler, work, log } = setup();
		const gate = deferred();
		const unit = scheduler.background(() => gate.promise);
		await settle();
		const waiting = scheduler.page(work('list'));
		await scheduler.cancel();
		gate.resolve();
		await unit;
		await expect(waiting).rejects.toMatchObject({ name: 'CancelledError' });
		expect(log).toEqual([]);
	});

	it('cancel() with nothing running does not interrupt', async () => {
		const { scheduler, interrupts } = setup();
		await scheduler.cancel();
		expect(interrupts()).toBe(0);
	});

	it('a failed step does not stop the queue', async () => {
		const { scheduler, work } = setup();
		const failed = scheduler.read(async () => {
			throw new Error('boom');
		});
		const next = scheduler.read(work('next'));
		await expect(failed).rejects.toThrow('boom');
		await expect(next).resolves.toBe('next');
	});
});
