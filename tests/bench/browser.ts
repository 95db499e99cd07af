/**
 * Drop-to-matrix in headless Chromium against the built site.
 *
 * Each run gets a fresh browser (so the renderer's peak RSS is this run's alone), opens the page,
 * waits for "Engine ready" and the end of the engine's warm-up (neither is timed: a merchant looking for
 * the file gives the engine that time; the start line prints both), then sets the file on the file input and
 * waits for the matrix. The primary figure is the page's own marks, `rfm:matrix-ready` minus
 * `rfm:file-received`; wall-clock from setInputFiles to a visible `svg[aria-label^="RFM matrix"]` is reported too.
 *
 * Memory, as far as Chromium lets us see it:
 *  - JS heap (V8 used size) of the page and of each worker (the engine worker and DuckDB-WASM's own
 *    worker), polled every 250 ms over CDP (Runtime.getHeapUsage) — the max seen;
 *  - DuckDB's wasm linear memory, read in the DuckDB worker after the run (see wasmMemoryBytes);
 *    wasm memory only grows, so its size then is its peak;
 *  - the renderer process's peak RSS (VmHWM in /proc; page + both workers share that process).
 * `performance.measureUserAgentSpecificMemory()` needs cross-origin isolation, which the site
 * (GitHub Pages, no COOP/COEP) does not have, so it is not used.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/browser-launch';
import { serveStatic } from '../support/serve-static';
import type { ResultSummary } from './pipeline';

export interface BrowserRunResult {
	/** matrix-ready − file-received, from the page's performance marks. */
	seconds: number;
	/** setInputFiles → `svg[aria-label^="RFM matrix"]` visible, measured in Node. */
	wallSeconds: number;
	/** From choosing 1–4 score levels after the first matrix to the new matrix on screen, ms. */
	rescoreMs: number;
	/** The worker's own split, when its answer could be seen (see CAPTURE_TIMINGS). */
	workerTimings: { readMs: number; scoreMs: number } | null;
	/**
	 * Phases on the page's clock, ms: file received → openFile() answered (classify, register,
	 * sniff, preview, detect) → analyze() answered (read + score + transfer) → matrix-ready (render).
	 * null when the answers could not be seen.
	 */
	phases: { openMs: number; analyzeMs: number; renderMs: number } | null;
	engineInfo: string | null;
	memory: {
		pageHeapMb: number | null;
		engineWorkerHeapMb: number | null;
		duckdbWorkerHeapMb: number | null;
		wasmMemoryMb: number | null;
		rendererPeakRssMb: number | null;
	};
	summary: ResultSummary;
}

export interface BrowserBench {
	chromiumVersion: string;
	run(file: string, timeoutMs: number): Promise<BrowserRunResult>;
	close(): Promise<void>;
}

/**
 * Records the engine's answers as they cross to the page: its start() info, when openFile() answered, and when
 * analyze() answered with its `timings` (the worker's read/score split). A passive listener on
 * the Worker: the page's code is unchanged. Comlink sends `{ id, type: 'RAW', value }`.
 *
 * Scripts for the page are strings: tsx (esbuild keepNames) would wrap functions passed to
 * page.evaluate in a `__name(...)` helper that does not exist in the page.
 */
const CAPTURE_TIMINGS = `(() => {
	const NativeWorker = window.Worker;
	window.Worker = class extends NativeWorker {
		constructor(url, options) {
			super(url, options);
			this.addEventListener('message', (e) => {
				const value = e.data && e.data.value;
				if (!value || typeof value !== 'object') return;
				if (value.duckdbVersion && value.bundle) window.__benchEngine = value;
				if (value.detection && value.columns && value.preview) window.__benchOpenedAt = performance.now();
				if (value.timings && value.rfm) {
					window.__benchAnalysis = value;
					window.__benchAnalyzedAt = performance.now();
				}
			});
		}
	};
})();`;

const READ_MARKS = `(() => {
	const at = (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN;
	return { received: at('rfm:file-received'), ready: at('rfm:matrix-ready'), opened: window.__benchOpenedAt ?? NaN, analyzed: window.__benchAnalyzedAt ?? NaN };
})()`;

const READ_RESULT = `(() => {
	const analysis = window.__benchAnalysis;
	const cells = [...document.querySelectorAll('svg[aria-label^="RFM matrix"] g.cell')].map((g) => ({
		key: g.getAttribute('data-r') + ':' + g.getAttribute('data-f'),
		customers: Number(g.getAttribute('data-customers')),
		revenue: Number(g.getAttribute('data-revenue')),
		segment: g.getAttribute('data-segment') || null
	}));
	return {
		cells,
		timings: analysis?.timings ?? null,
		ingest: analysis ? { rowsRead: analysis.ingest.rowsRead, rowsUsed: analysis.ingest.rowsUsed } : null,
		headline: analysis?.rfm.headline ?? null,
		engine: window.__benchEngine
			? 'DuckDB-WASM ' + window.__benchEngine.duckdbVersion + ' (' + window.__benchEngine.bundle + ' bundle, started in ' + window.__benchEngine.startMs + ' ms, then warmed up in ' + Math.round(performance.getEntriesByName('rfm:engine-warm')[0].startTime - performance.getEntriesByName('rfm:engine-ready')[0].startTime) + ' ms)'
			: null
	};
})()`;

/**
 * Resolves with 'matrix' once `svg[aria-label^="RFM matrix"]` is in the page with a size (checking forces layout),
 * or with the problem's text if the page shows one (`[role=alert]`).
 */
const WAIT_FOR_MATRIX = `new Promise((resolve) => {
	const check = () => {
		const problem = document.querySelector('[role=alert]');
		if (problem && problem.getClientRects().length > 0) return problem.textContent.trim() || 'problem';
		const svg = document.querySelector('svg[aria-label^="RFM matrix"]');
		return svg && svg.getBoundingClientRect().width > 0 ? 'matrix' : null;
	};
	const observer = new MutationObserver(() => {
		const seen = check();
		if (seen) {
			observer.disconnect();
			resolve(seen);
		}
	});
	observer.observe(document.body, { childList: true, subtree: true, characterData: true });
})`;

interface PageResult {
	cells: { key: string; customers: number; revenue: number; segment: string | null }[];
	timings: { readMs: number; scoreMs: number } | null;
	ingest: { rowsRead: number; rowsUsed: number } | null;
	headline: { customers?: number; orders?: number; revenue?: number; analysisDate?: string } | null;
	engine: string | null;
}

export async function startBrowserBench(buildDir: string): Promise<BrowserBench> {
	const server: Server = await serveStatic(buildDir, 0);
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	const probe = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
	const chromiumVersion = probe.version();
	await probe.close();
	return {
		chromiumVersion,
		async run(file, timeoutMs) {
			const browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
			try {
				return await runOnce(browser, url, file, timeoutMs);
			} finally {
				await browser.close();
			}
		},
		async close() {
			await new Promise((r) => server.close(r));
		}
	};
}

const debug = process.env.BENCH_DEBUG
	? (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 23)}]`, ...a)
	: () => {};

async function runOnce(browser: Browser, url: string, file: string, timeoutMs: number): Promise<BrowserRunResult> {
	const context = await browser.newContext();
	const page = await context.newPage();
	// BENCH_BREAK_CAPTURE=1 leaves the capture out, to check that the bench then fails (README, "Agreement").
	if (process.env.BENCH_BREAK_CAPTURE !== '1') await page.addInitScript(CAPTURE_TIMINGS);
	page.on('pageerror', (e) => console.warn(`  [page error] ${e.message}`));
	page.on('crash', () => console.warn('  [page crashed]'));
	page.on('console', (m) => debug(`console.${m.type()}: ${m.text()}`));
	await page.goto(url);
	debug('goto done');
	await page.getByText('Engine ready').waitFor({ timeout: 120_000 });
	// As a merchant who looks for the file: dropped once the engine's warm-up is over (src/lib/engine/warm-up.ts).
	for (let i = 0; i < 1200 && !(await page.evaluate(`performance.getEntriesByName('rfm:engine-warm').length > 0`)); i++)
		await page.waitForTimeout(50);
	debug('engine ready');

	const pageCdp = await context.newCDPSession(page);
	const workers = await attachWorkers(browser);
	debug('workers attached');
	const heaps = new Map<string, number>();
	const sample = async (key: string, get: () => Promise<{ usedSize: number } | null>) => {
		const h = await get().catch(() => null);
		if (h) heaps.set(key, Math.max(heaps.get(key) ?? 0, h.usedSize));
	};
	const sampleAll = () =>
		Promise.all([
			sample('page', () => pageCdp.send('Runtime.getHeapUsage')),
			...workers.list.map((w) => sample(w.kind, () => workers.call(w.sessionId, 'Runtime.getHeapUsage') as Promise<{ usedSize: number }>))
		]);
	await sampleAll();
	let polling = false;
	const poll = setInterval(() => {
		if (polling) return; // never queue requests behind a busy thread
		polling = true;
		void sampleAll().finally(() => (polling = false));
	}, 250);

	// Watched with a MutationObserver in the page (no polling interval to add to the figure, no
	// work for the main thread while the workers compute). Installed before the file is set.
	const appeared = page.evaluate(WAIT_FOR_MATRIX) as Promise<string>;
	appeared.catch(() => {}); // a failed run closes the page under it
	const t0 = performance.now();
	let wallSeconds: number;
	try {
		await page.locator('input[type=file]').setInputFiles(file);
		debug('file set');
		const seen = await Promise.race([
			appeared,
			new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`No matrix after ${timeoutMs / 1000} s`)), timeoutMs).unref())
		]);
		if (seen !== 'matrix') throw new Error(`The page reported a problem: ${seen}`);
		wallSeconds = (performance.now() - t0) / 1000;
	} finally {
		clearInterval(poll);
	}
	await waitForMarks(page, 0, 10_000);
	const marks = (await page.evaluate(READ_MARKS)) as { received: number; ready: number; opened: number; analyzed: number };
	debug('marks read');
	await sampleAll();

	const fromPage = (await page.evaluate(READ_RESULT)) as PageResult;
	const matrix: ResultSummary['matrix'] = {};
	for (const c of fromPage.cells) if (c.customers > 0) matrix[c.key] = { customers: c.customers, revenue: c.revenue, segment: c.segment };
	const h = fromPage.headline;
	const summary: ResultSummary = {
		rowsRead: fromPage.ingest?.rowsRead ?? null,
		rowsUsed: fromPage.ingest?.rowsUsed ?? null,
		// Not made up from the on-screen cells when the answer was not captured: the cells are compared
		// on their own, and a missing headline must fail the run rather than repeat the cells' sums.
		customers: h?.customers ?? null,
		orders: h?.orders ?? null,
		revenue: h?.revenue ?? null,
		analysisDate: h?.analysisDate ?? null,
		matrix
	};

	// A settings change after the matrix: levels 1–5 → 1–4, to the next matrix on screen. A rescore
	// of the same orders reuses the metrics, so this is the scoring alone (and the render).
	const marksBefore = await readyMarks(page);
	const r0 = (await page.evaluate('performance.now()')) as number;
	await page.getByLabel('Score levels').selectOption({ label: '1–4' });
	await waitForMarks(page, marksBefore, timeoutMs);
	const rescoreMs = ((await page.evaluate(`performance.getEntriesByName('rfm:matrix-ready').at(-1).startTime`)) as number) - r0;
	const wasmBytes = await wasmMemoryBytes(workers).catch(() => null);
	debug('wasm memory read');
	const mb = (n: number | null | undefined) => (n == null ? null : n / 2 ** 20);
	const result: BrowserRunResult = {
		seconds: (marks.ready - marks.received) / 1000,
		wallSeconds,
		rescoreMs,
		workerTimings: fromPage.timings,
		phases:
			Number.isFinite(marks.opened) && Number.isFinite(marks.analyzed)
				? { openMs: marks.opened - marks.received, analyzeMs: marks.analyzed - marks.opened, renderMs: marks.ready - marks.analyzed }
				: null,
		engineInfo: fromPage.engine,
		memory: {
			pageHeapMb: mb(heaps.get('page')),
			engineWorkerHeapMb: mb(heaps.get('engine')),
			duckdbWorkerHeapMb: mb(heaps.get('duckdb')),
			wasmMemoryMb: mb(wasmBytes),
			rendererPeakRssMb: rendererPeakRssMb()
		},
		summary
	};
	await workers.detach();
	await context.close();
	return result;
}

const readyMarks = (page: Page) => page.evaluate(`performance.getEntriesByName('rfm:matrix-ready').length`) as Promise<number>;

/**
 * Waits until the page has marked more than `count` matrices. Polled with evaluate: waitForFunction
 * compiles its string in the page, which the site's CSP forbids.
 */
async function waitForMarks(page: Page, count: number, timeoutMs: number): Promise<void> {
	for (const end = Date.now() + timeoutMs; (await readyMarks(page)) <= count;) {
		if (Date.now() > end) throw new Error(`No new matrix on the page after ${timeoutMs / 1000} s`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

interface WorkerSession {
	kind: 'engine' | 'duckdb' | 'other';
	sessionId: string;
}

/**
 * CDP sessions on the page's workers. Playwright's CDPSession cannot address flattened child
 * sessions, so this uses the older non-flat form: attach from a browser session with
 * `flatten: false` and wrap each command in Target.sendMessageToTarget. The DuckDB worker is
 * started by the engine worker (nested), which Target.getTargets lists all the same.
 */
async function attachWorkers(browser: Browser) {
	const cdp: CDPSession = await browser.newBrowserCDPSession();
	const { targetInfos } = (await cdp.send('Target.getTargets')) as {
		targetInfos: { targetId: string; type: string; title: string; url: string }[];
	};
	const list: WorkerSession[] = [];
	for (const t of targetInfos.filter((t) => t.type === 'worker')) {
		const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })) as { sessionId: string };
		const kind = /duckdb/i.test(t.url) ? 'duckdb' : /engine/i.test(t.url) || t.title === 'rfm-engine' ? 'engine' : 'other';
		list.push({ kind, sessionId });
	}
	let nextId = 0;
	const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
	cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
		const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
		const w = m.id === undefined ? undefined : waiting.get(m.id);
		if (!w) return;
		waiting.delete(m.id!);
		if (m.error) w.reject(new Error(m.error.message));
		else w.resolve(m.result);
	});
	const call = (sessionId: string, method: string, params: object = {}) =>
		new Promise<unknown>((resolve, reject) => {
			const id = ++nextId;
			waiting.set(id, { resolve, reject });
			cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
		});
	return {
		list,
		call,
		async detach() {
			await cdp.detach().catch(() => {});
		}
	};
}

/**
 * Size of DuckDB's wasm linear memory, read in the DuckDB worker: duckdb-wasm keeps its bindings at
 * `globalThis.DUCKDB_BINDINGS`, whose Emscripten module's HEAPU8 views the whole memory (renewed on
 * every growth). (Runtime.queryObjects on WebAssembly.Memory.prototype crashed the renderer.)
 */
async function wasmMemoryBytes(workers: Awaited<ReturnType<typeof attachWorkers>>): Promise<number | null> {
	const duck = workers.list.find((w) => w.kind === 'duckdb');
	if (!duck) return null;
	const r = (await workers.call(duck.sessionId, 'Runtime.evaluate', {
		expression: `(() => { const m = globalThis.DUCKDB_BINDINGS && globalThis.DUCKDB_BINDINGS.mod; const v = m && (m.HEAPU8 || m.HEAP8); return v ? v.buffer.byteLength : null; })()`,
		returnByValue: true
	})) as { result: { value: number | null } };
	return r.result.value ?? null;
}

/**
 * Peak RSS (VmHWM) of the largest renderer process below this Node process — the page's (Playwright
 * spawns Chromium as our child, and only one browser is open at a time). Linux only.
 */
function rendererPeakRssMb(): number | null {
	const root = process.pid;
	if (!root) return null;
	try {
		const parent = new Map<number, number>();
		for (const d of readdirSync('/proc')) {
			if (!/^\d+$/.test(d)) continue;
			try {
				const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
				parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
			} catch {
				/* gone */
			}
		}
		const descends = (pid: number): boolean => {
			for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
			return false;
		};
		let peakKb = 0;
		for (const pid of parent.keys()) {
			if (!descends(pid)) continue;
			try {
				if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
				const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
				if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
			} catch {
				/* gone */
			}
		}
		return peakKb ? peakKb / 1024 : null;
	} catch {
		return null;
	}
}
