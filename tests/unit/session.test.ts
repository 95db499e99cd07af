/** The page's rune class, constructed directly over a hand-made fake engine. */
import { withDetails } from '../../src/lib/problem';
import { describe, expect, it, vi } from 'vitest';
import { Session, type EngineHandle } from '../../src/lib/state/session.svelte';
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

describe('Session', () => {
	it('analyses at once when every required column was detected', async () => {
		const { handle, requests } = fakeEngine(opened(false));
		const session = new Session(handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(requests).toHaveLength(1);
		expect(requests[0]!.mapping.orderDate).toBe('when');
		expect(session.analysis).toBe(analysis);
		expect(session.problem).toBeNull();
		expect(session.busy).toBe(false);
	});

	it('waits for the merchant when a required column is missing, then runs on remap', async () => {
		const { handle, requests } = fakeEngine(opened(true));
		const session = new Session(handle);
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
		const session = new Session(handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(session.problem).toBe('None of the 3 rows could be used');
		expect(session.analysis).toBeNull();

		const cancelled = Object.assign(new Error('Cancelled'), { name: 'CancelledError' });
		const second = new Session(fakeEngine(opened(false), cancelled).handle);
		await second.openFile(new File(['x'], 'orders.csv'));
		expect(second.problem).toMatch(/^Cancelled/);
	});

	it("keeps the engine's words out of the message: a file problem's details and an unknown error go to problemDetails", async () => {
		const problem = Object.assign(new Error(withDetails('This .gz file could not be unpacked.', 'unexpected end of file')), {
			name: 'FileProblem'
		});
		const session = new Session(fakeEngine(opened(false), problem).handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(session.problem).toBe('This .gz file could not be unpacked.');
		expect(session.problemDetails).toBe('unexpected end of file');

		const crash = new Error('Binder Error: Referenced column "x" not found');
		const second = new Session(fakeEngine(opened(false), crash).handle);
		await second.openFile(new File(['x'], 'orders.csv'));
		expect(second.problem).toMatch(/^Something went wrong while analysing the file\. Drop it again/);
		expect(second.problem).not.toContain('Binder');
		expect(second.problemDetails).toBe('Binder Error: Referenced column "x" not found');
	});

	it('ignores a progress report that arrives after the result (regression: spinner stayed up)', async () => {
		const session = new Session(fakeEngine(opened(false), undefined, true).handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		await new Promise((r) => setTimeout(r, 5));
		expect(session.analysis).toBe(analysis);
		expect(session.progress).toBeNull();
		expect(session.busy).toBe(false);
	});

	it('makes predictions in the background after an analysis, once, and retries when a page step cancelled them', async () => {
		const predict: PredictCalls = {
			calls: [],
			failures: [Object.assign(new Error('Cancelled'), { name: 'CancelledError' })],
			segmentCalls: 0
		};
		const session = new Session(fakeEngine(opened(false), undefined, false, predict).handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		expect(session.predicting).toBe(true);
		await vi.waitFor(() => expect(session.predictions).toBe(report), { timeout: 5000 });
		expect(predict.calls).toEqual([{ background: true }, { background: true }]);
		expect(session.segmentPredictions).toEqual(averages);
		expect(session.predicting).toBe(false);
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
		const session = new Session(fakeEngine(opened(false), undefined, false, predict).handle);
		await session.openFile(new File(['x'], 'orders.csv'));
		await vi.waitFor(() => expect(session.predictionProblem).toBe('There are no dated orders to learn from.'), { timeout: 5000 });
		expect(session.problem).toBeNull();
		expect(session.predictions).toBeNull();
		expect(session.segmentPredictions).toBeNull();
	});
});
