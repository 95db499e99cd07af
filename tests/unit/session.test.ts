/** The page's rune classes (Session, Predictions, EngineCalls), constructed directly over a hand-made fake engine. */
import { withDetails } from '../../src/lib/problem';
import { describe, expect, it, vi } from 'vitest';
import { Session } from '../../src/lib/state/session.svelte';
import { Predictions } from '../../src/lib/state/predictions.svelte';
import {
	CANCELLED_MESSAGE,
	EngineCalls,
	FAILED,
	problemFor,
	problemText,
	READ_RETRY,
	type EngineHandle
} from '../../src/lib/state/engine-calls.svelte';
import type { Analysis, AnalyzeRequest, EngineApi, OpenedFile } from '../../src/lib/engine/api';
import type { PredictionReport } from '../../src/lib/predict/pipeline';
import type { Detection } from '../../src/lib/ingest/columns';

function opened(missing: boolean): OpenedFile {
	const detection: Detection = {
		plan: {
			mapping: { orderId: 'id', customerId: 'who', orderDate: missing ? null : 'when', amount: 'value', lastEngaged: null },
			dateFormat: missing ? null : { order: 'iso', pattern: '' },
			amountFormat: { decimal: '.', plain: true }
		},
		reasons: {},
		missing: missing ? ['orderDate'] : []
	};
	return {
		fileName: 'orders.csv',
		size: 10,
		files: [{ name: 'orders.csv', size: 10 }],
		layout: 'generic',
		columns: ['id', 'who', 'when', 'value'],
		distinct: {},
		ambiguousDates: [],
		preview: [],
		detection,
		generic: detection
	};
}

const analysis = { ingest: { rowsRead: 3, rowsUsed: 3, excluded: [] }, rfm: { headline: { customers: 2 } } } as unknown as Analysis;

/** What the fake engine's predictions were asked and answer. */
interface PredictCalls {
	calls: { background: boolean | undefined }[];
	/** Fails the next calls with these errors, in turn. */
	failures: Error[];
	segmentCalls: number;
}

const report = { fit: { showOrders: true, showValue: true }, segments: [] } as unknown as PredictionReport;
const averages = { columns: { horizons: [30], valueHorizon: 365, showValue: true }, segments: [] };

function fakeEngine(
	file: OpenedFile,
	fail?: Error,
	lateProgress = false,
	predict: PredictCalls = { calls: [], failures: [], segmentCalls: 0 }
) {
	const requests: AnalyzeRequest[] = [];
	const api: Partial<EngineApi> = {
		predict: async (_settings, _onProgress, background) => {
			predict.calls.push({ background });
			const failure = predict.failures.shift();
			if (failure) throw failure;
			return report;
		},
		segmentPredictions: async () => {
			predict.segmentCalls++;
			return averages;
		},
		rescore: async () => analysis.rfm,
		openFile: async () => file,
		analyze: async (req, onProgress) => {
			requests.push(req);
			if (fail) throw fail;
			// Progress travels on its own port and may land after the result.
			if (lateProgress) setTimeout(() => onProgress?.({ step: 'score', label: 'Scoring customers…' }), 0);
			return analysis;
		},
		behaviour: async () => []
	};
	const handle = {
		api,
		ready: Promise.resolve({ duckdbVersion: 'v1.4.3', bundle: 'eh', startMs: 1 }),
		proxy: <T>(f: T) => f
	} as unknown as EngineHandle;
	return { handle, requests };
}

/** The page's state as the page makes it: one EngineCalls handed to the Session and the Predictions beside it. */
function pageOver(handle: EngineHandle) {
	const calls = new EngineCalls(handle);
	const session = new Session(calls);
	return { calls, session, predictions: new Predictions(calls, session) };
}

const cancelled = () => Object.assign(new Error('Cancelled'), { name: 'CancelledError' });

describe('Session', () => {
	it('analyses at once when every required column was detected', async () => {
		const { handle, requests } = fakeEngine(opened(false));
		const session = new Session(new EngineCalls(handle));
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(requests).toHaveLength(1);
		expect(requests[0]!.mapping.orderDate).toBe('when');
		expect(session.analysis).toBe(analysis);
		expect(session.problem).toBeNull();
		expect(session.busy).toBe(false);
	});

	it('waits for the merchant when a required column is missing, then runs on remap', async () => {
		const { handle, requests } = fakeEngine(opened(true));
		const session = new Session(new EngineCalls(handle));
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(requests).toHaveLength(0);
		expect(session.missingFields).toEqual(['orderDate']);
		await session.remap({ ...session.mapping!, orderDate: 'when' });
		expect(session.missingFields).toEqual([]);
		expect(requests).toHaveLength(1);
		expect(session.analysis).toBe(analysis);
	});

	it("shows a file problem's message as written, and a cancellation as such", async () => {
		const problem = Object.assign(new Error('None of the 3 rows could be used'), { name: 'FileProblem' });
		const { handle } = fakeEngine(opened(false), problem);
		const session = new Session(new EngineCalls(handle));
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(session.problem).toBe('None of the 3 rows could be used');
		expect(session.analysis).toBeNull();

		const second = new Session(new EngineCalls(fakeEngine(opened(false), cancelled()).handle));
		await second.openFile(new File(['x'], 'orders.csv'));
		expect(second.problem).toMatch(/^Cancelled/);
	});

	it("keeps the engine's words out of the message: a file problem's details and an unknown error go to problemDetails", async () => {
		const problem = Object.assign(new Error(withDetails('This .gz file could not be unpacked.', 'unexpected end of file')), {
			name: 'FileProblem'
		});
		const session = new Session(new EngineCalls(fakeEngine(opened(false), problem).handle));
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(session.problem).toBe('This .gz file could not be unpacked.');
		expect(session.problemDetails).toBe('unexpected end of file');

		const crash = new Error('Binder Error: Referenced column "x" not found');
		const second = new Session(new EngineCalls(fakeEngine(opened(false), crash).handle));
		await second.openFile(new File(['x'], 'orders.csv'));
		expect(second.problem).toMatch(/^Something went wrong while analysing the file\. Drop it again/);
		expect(second.problem).not.toContain('Binder');
		expect(second.problemDetails).toBe('Binder Error: Referenced column "x" not found');
	});

	it('ignores a progress report that arrives after the result (regression: spinner stayed up)', async () => {
		const session = new Session(new EngineCalls(fakeEngine(opened(false), undefined, true).handle));
		await session.openFile(new File(['x'], 'orders.csv'));
		await new Promise((r) => setTimeout(r, 5));
		expect(session.analysis).toBe(analysis);
		expect(session.progress).toBeNull();
		expect(session.busy).toBe(false);
	});

	it('makes predictions in the background after an analysis, once, and retries when a page step cancelled them', async () => {
		const predict: PredictCalls = {
			calls: [],
			failures: [cancelled()],
			segmentCalls: 0
		};
		const { session, predictions } = pageOver(fakeEngine(opened(false), undefined, false, predict).handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(predictions.predicting).toBe(true);
		await vi.waitFor(() => expect(predictions.report).toBe(report), { timeout: 5000 });
		expect(predict.calls).toEqual([{ background: true }, { background: true }]);
		expect(predictions.segments).toEqual(averages);
		expect(predictions.predicting).toBe(false);
		// Not over the matrix: the page shows no problem, and was never busy for it.
		expect(session.problem).toBeNull();
		// A rescore keeps the predictions (same orders) and refreshes the segment averages only.
		await session.rescore();
		await vi.waitFor(() => expect(predict.segmentCalls).toBe(2));
		expect(predict.calls).toHaveLength(2);
	});

	it("tells a background prediction's problem on the Predictions tab, not over the matrix", async () => {
		const problem = Object.assign(new Error('There are no dated orders to learn from.'), { name: 'FileProblem' });
		const predict: PredictCalls = { calls: [], failures: [problem], segmentCalls: 0 };
		const { session, predictions } = pageOver(fakeEngine(opened(false), undefined, false, predict).handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		await vi.waitFor(() => expect(predictions.problem).toBe('There are no dated orders to learn from.'), { timeout: 5000 });
		expect(session.problem).toBeNull();
		expect(predictions.report).toBeNull();
		expect(predictions.segments).toBeNull();
	});
});

describe('Session and the customer list', () => {
	it('opens a selection without asking the engine: the list reads its own rows (one query path)', async () => {
		// The fake engine has no list call: any call to it would fail the test.
		const { session } = pageOver(fakeEngine(opened(false)).handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		session.openCustomers({ kind: 'segment', segment: 'Champions' });
		expect(session.selection).toEqual({ kind: 'segment', segment: 'Champions' });
		expect(session.tab).toBe('customers');
		expect(session.busy).toBe(false);
		session.openCustomers({ kind: 'all' }, false);
		expect(session.tab).toBe('customers');
	});
});

describe('EngineCalls', () => {
	it('maps every engine error to the merchant’s message in one place', () => {
		expect(problemFor(cancelled(), 'list')).toBeNull();
		const file = Object.assign(new Error(withDetails('This .gz file could not be unpacked.', 'unexpected end of file')), {
			name: 'FileProblem'
		});
		expect(problemFor(file, 'analysis')).toEqual({ message: 'This .gz file could not be unpacked.', details: 'unexpected end of file' });
		// A file problem is told in its own words whatever the merchant was doing.
		expect(problemFor(file, 'export')?.message).toBe('This .gz file could not be unpacked.');
		const prediction = Object.assign(new Error('There are no dated orders to learn from.'), { name: 'PredictionProblem' });
		expect(problemFor(prediction, 'predictions')).toEqual({ message: 'There are no dated orders to learn from.', details: null });
		const crash = new Error('Binder Error: Referenced column "x" not found');
		expect(problemFor(crash, 'export')).toEqual({ message: FAILED.export, details: 'Binder Error: Referenced column "x" not found' });
		expect(problemFor('a string thrown', 'count')).toEqual({ message: FAILED.count, details: 'a string thrown' });
		// On one line (a panel without a details disclosure): our words, then the engine's; a file problem alone.
		expect(problemText(problemFor(crash, 'export')!)).toBe('The export failed: Binder Error: Referenced column "x" not found');
		expect(problemText(problemFor(file, 'export')!)).toBe('This .gz file could not be unpacked.');
	});

	it('asks a cancelled read again by one policy: while wanted, at most READ_RETRY.attempts times', async () => {
		vi.useFakeTimers();
		try {
			const calls = new EngineCalls(fakeEngine(opened(false)).handle);
			let asked = 0;
			const failTimes = (n: number) => async () => {
				asked++;
				if (asked <= n) throw cancelled();
				return 'rows';
			};
			// Cancelled twice by newer page steps, then answered.
			let outcome = calls.read('list', failTimes(2));
			await vi.runAllTimersAsync();
			expect(await outcome).toEqual({ ok: true, value: 'rows' });
			expect(asked).toBe(3);

			// Cancelled every time: given up after the policy's attempts, with nothing to tell.
			asked = 0;
			outcome = calls.read('list', failTimes(Infinity));
			await vi.runAllTimersAsync();
			expect(await outcome).toEqual({ ok: false, problem: null });
			expect(asked).toBe(READ_RETRY.attempts);

			// A newer request of the caller's replaced it: not asked again.
			asked = 0;
			outcome = calls.read('list', failTimes(Infinity), () => false);
			await vi.runAllTimersAsync();
			expect(await outcome).toEqual({ ok: false, problem: null });
			expect(asked).toBe(1);

			// Any other error is not retried, and comes back as the merchant's message.
			asked = 0;
			const failing = calls.read('charts', async () => {
				asked++;
				throw new Error('IO Error');
			});
			expect(await failing).toEqual({ ok: false, problem: { message: FAILED.charts, details: 'IO Error' } });
			expect(asked).toBe(1);
			expect(calls.problem).toBeNull();
		} finally {
			vi.useRealTimers();
		}
	});

	it('tells nothing for a task a newer one replaced, and "Cancelled" when the merchant cancelled the newest', async () => {
		const calls = new EngineCalls(fakeEngine(opened(false)).handle);
		let cancelFirst: (e: Error) => void = () => {};
		const first = calls.task('analysis', () => new Promise((_, reject) => (cancelFirst = reject)));
		const second = calls.task('analysis', async () => 'scored');
		cancelFirst(cancelled());
		expect(await first).toBeUndefined();
		expect(await second).toBe('scored');
		expect(calls.problem).toBeNull();
		expect(calls.busy).toBe(false);

		expect(await calls.task('analysis', async () => Promise.reject(cancelled()))).toBeUndefined();
		expect(calls.problem).toBe(CANCELLED_MESSAGE);
		expect(calls.problemDetails).toBeNull();
	});

	it('says so when the engine cannot start, with its words as details', async () => {
		const handle = { ...fakeEngine(opened(false)).handle, ready: Promise.reject(new Error('no WebAssembly')) };
		const calls = new EngineCalls(handle);
		await vi.waitFor(() => expect(calls.status).toBe('failed'));
		expect(calls.problem).toBe(FAILED.start);
		expect(calls.problemDetails).toBe('no WebAssembly');
	});
});
