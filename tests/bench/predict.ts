/**
 * Fitting time of the purchase (BG/NBD) and spend (Gamma-Gamma) models, and of the per-customer
 * predictions, on 2,357 customers (the CDNOW sample), 23,570 (the CDNOW master file), both in weeks
 * with calibration to 1997-09-30, and 200,000 simulated customers in days. Pure fitting code: the
 * summary SQL is not timed. Runs in Node, then in headless Chromium (the same modules bundled with
 * esbuild), unless `--node-only`.
 *
 *   npx tsx tests/bench/predict.ts [--runs 3] [--node-only] [--resamples 200]
 *
 * Then, in Chromium at 200,000 customers: each repeat-purchase model's fit (BG/NBD, MBG/NBD,
 * Pareto/NBD), and the bootstrap (`--resamples`, 200 by default) in a Web Worker as the app runs it,
 * with the page's longest stall meanwhile (a 50 ms timer on the page: how responsive it stayed).
 *
 * Goals: under 2 s at 200,000 customers in the browser (issue 8), Pareto/NBD's fit too; 200
 * resamples under 30 s with the page responsive (issue 19).
 */
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { resolve } from 'node:path';
import { chromiumLaunchOptions } from '../support/browser-launch';
import { CDNOW_MASTER } from '../support/cdnow';
import { fromCdnow, simulated, type Dataset } from './predict-data';
import type { Browser } from '@playwright/test';
import { fitModels, predictCustomers, DEFAULT_PREDICT } from '../../src/lib/predict/predict';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const nodeOnly = args.includes('--node-only');
/** Bootstrap resamples at 200,000 customers in Chromium (0: skip). */
const resamples = args.includes('--resamples') ? Number(args[args.indexOf('--resamples') + 1]) : 200;

const median = (xs: number[]) => [...xs].sort((u, v) => u - v)[Math.floor(xs.length / 2)]!;

interface Timing {
	fitMs: number;
	bgnbdMs: number;
	ggMs: number;
	predictMs: number;
	iterations: string;
	converged: boolean;
}

function timeOnce(d: Dataset): Timing {
	const t0 = performance.now();
	const fit = fitModels(d.summary, d.unit);
	const t1 = performance.now();
	predictCustomers(fit, d.summary, { ...DEFAULT_PREDICT, unit: d.unit });
	const t2 = performance.now();
	return {
		fitMs: t1 - t0,
		bgnbdMs: fit.purchase.ms,
		ggMs: fit.gammaGamma?.ms ?? 0,
		predictMs: t2 - t1,
		iterations: `${fit.purchase.iterations}/${fit.gammaGamma?.iterations ?? 0}`,
		converged: fit.purchase.converged && (fit.gammaGamma?.converged ?? false)
	};
}

function report(where: string, name: string, customers: number, timings: Timing[]) {
	const m = (f: (t: Timing) => number) => median(timings.map(f)).toFixed(0).padStart(6);
	console.log(
		`${where.padEnd(8)} ${name.padEnd(28)} ${customers.toLocaleString('en').padStart(8)}  fit ${m((t) => t.fitMs)} ms (BG/NBD ${m((t) => t.bgnbdMs)}, GG ${m(
			(t) => t.ggMs
		)})  predict ${m((t) => t.predictMs)} ms  iterations ${timings[0]!.iterations}  converged ${timings.every((t) => t.converged)}`
	);
}

const datasets = [fromCdnow('CDNOW sample (weeks)'), fromCdnow('CDNOW master (weeks)', CDNOW_MASTER), simulated(200_000)];
console.log(`Medians of ${runs} runs. fit = both models incl. checks; predict = P(alive), 3 horizons, value (no discount).`);
for (const d of datasets)
	report(
		'node',
		d.name,
		d.summary.x.length,
		Array.from({ length: runs }, () => timeOnce(d))
	);

if (!nodeOnly) {
	const bundle = await build({
		stdin: {
			contents: `import { fitModels, predictCustomers, DEFAULT_PREDICT } from './src/lib/predict/predict';
globalThis.benchPredict = (d) => {
	const s = { ...d.summary, x: Float64Array.from(d.summary.x), tx: Float64Array.from(d.summary.tx), T: Float64Array.from(d.summary.T),
		meanSpend: Float64Array.from(d.summary.meanSpend, (v) => v ?? NaN), holdout: Float64Array.from(d.summary.holdout), firstDay: Float64Array.from(d.summary.firstDay) };
	const t0 = performance.now();
	const fit = fitModels(s, d.unit);
	const t1 = performance.now();
	predictCustomers(fit, s, { ...DEFAULT_PREDICT, unit: d.unit });
	const t2 = performance.now();
	return { fitMs: t1 - t0, bgnbdMs: fit.purchase.ms, ggMs: fit.gammaGamma?.ms ?? 0, predictMs: t2 - t1,
		iterations: fit.purchase.iterations + '/' + (fit.gammaGamma?.iterations ?? 0), converged: fit.purchase.converged && !!fit.gammaGamma?.converged };
};`,
			resolveDir: resolve(import.meta.dirname, '../..'),
			loader: 'ts'
		},
		bundle: true,
		format: 'iife',
		write: false,
		target: 'es2022'
	});
	const browser = await chromium.launch(chromiumLaunchOptions());
	try {
		const page = await browser.newPage();
		await page.setContent('<!doctype html><title>predict bench</title>');
		await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
		for (const d of datasets) {
			// NaN does not survive the hand-over to the page: null stands for it.
			const plain = {
				unit: d.unit,
				summary: {
					customerId: d.summary.customerId,
					x: [...d.summary.x],
					tx: [...d.summary.tx],
					T: [...d.summary.T],
					meanSpend: [...d.summary.meanSpend].map((v) => (Number.isNaN(v) ? null : v)),
					holdout: [...d.summary.holdout],
					firstDay: [...d.summary.firstDay]
				}
			};
			await page.evaluate((data) => {
				(globalThis as unknown as { benchData: unknown }).benchData = data;
			}, plain);
			const timings: Timing[] = [];
			for (let i = 0; i < runs; i++)
				timings.push(
					await page.evaluate(() => {
						const g = globalThis as unknown as { benchPredict: (d: unknown) => Timing; benchData: unknown };
						return g.benchPredict(g.benchData);
					})
				);
			report('chromium', d.name, d.summary.x.length, timings);
		}
		await benchModelsAndBootstrap(browser, datasets[datasets.length - 1]!);
	} finally {
		await browser.close();
	}
}

/** The summary as plain arrays for the page (NaN does not survive the hand-over: null stands for it). */
function plainSummary(d: Dataset) {
	return {
		unit: d.unit,
		summary: {
			customerId: d.summary.customerId,
			x: [...d.summary.x],
			tx: [...d.summary.tx],
			T: [...d.summary.T],
			meanSpend: [...d.summary.meanSpend].map((v) => (Number.isNaN(v) ? null : v)),
			holdout: [...d.summary.holdout],
			firstDay: [...d.summary.firstDay]
		}
	};
}

/** Each model's fit in the page, then the bootstrap in a worker with the page's longest stall. */
async function benchModelsAndBootstrap(browser: Browser, d: Dataset): Promise<void> {
	const revive = `const revive = (d) => ({ ...d.summary, x: Float64Array.from(d.summary.x), tx: Float64Array.from(d.summary.tx), T: Float64Array.from(d.summary.T),
	meanSpend: Float64Array.from(d.summary.meanSpend, (v) => v ?? NaN), holdout: Float64Array.from(d.summary.holdout), firstDay: Float64Array.from(d.summary.firstDay) });`;
	const bundle = async (contents: string) =>
		(
			await build({
				stdin: { contents, resolveDir: resolve(import.meta.dirname, '../..'), loader: 'ts' },
				bundle: true,
				format: 'iife',
				write: false,
				target: 'es2022'
			})
		).outputFiles[0]!.text;
	const pageCode = await bundle(`import { fitModels } from './src/lib/predict/predict';
${revive}
globalThis.benchModel = (d, model) => { const s = revive(d); const t0 = performance.now(); const fit = fitModels(s, d.unit, model);
	return { ms: performance.now() - t0, purchaseMs: fit.purchase.ms, iterations: fit.purchase.iterations, converged: fit.purchase.converged && !fit.purchase.atBound }; };`);
	const workerCode = await bundle(`import { fitModels, DEFAULT_PREDICT } from './src/lib/predict/predict';
import { estimateUncertainty } from './src/lib/predict/uncertainty';
${revive}
self.onmessage = ({ data }) => {
	const s = revive(data.d);
	const fit = fitModels(s, data.d.unit, data.model);
	const t0 = performance.now();
	const run = estimateUncertainty({ summary: s, fit, settings: { ...DEFAULT_PREDICT, unit: data.d.unit }, segmentOf: null }, { resamples: data.resamples, seed: 1 });
	let step = run.next();
	while (!step.done) { if (step.value.done % 20 === 0) self.postMessage({ progress: step.value.done, ms: performance.now() - t0 }); step = run.next(); }
	self.postMessage({ ms: performance.now() - t0, settled: step.value.report.settled });
};`);
	const page = await browser.newPage();
	page.on('console', (message) => console.log(`  ${message.text()}`));
	// A real origin, so the page may start a worker from a blob.
	await page.route('http://bench.invalid/**', (route) =>
		route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>predict bench</title>' })
	);
	await page.goto('http://bench.invalid/');
	await page.addScriptTag({ content: pageCode });
	await page.evaluate((data) => {
		(globalThis as unknown as { benchData: unknown }).benchData = data;
	}, plainSummary(d));
	for (const model of ['bg-nbd', 'mbg-nbd', 'pareto-nbd'] as const) {
		const t = await page.evaluate((m) => {
			const g = globalThis as unknown as {
				benchModel: (d: unknown, m: string) => { ms: number; purchaseMs: number; iterations: number; converged: boolean };
				benchData: unknown;
			};
			return g.benchModel(g.benchData, m);
		}, model);
		console.log(
			`chromium ${model.padEnd(10)} fit at ${d.summary.x.length.toLocaleString('en')} customers: ${t.purchaseMs.toFixed(0)} ms (with Gamma-Gamma and checks ${t.ms.toFixed(0)} ms), ${t.iterations} iterations, converged ${t.converged}`
		);
	}
	if (resamples > 0) {
		const result = await page.evaluate(
			({ code, resamples: r }) =>
				new Promise<{ ms: number; settled: number; longestStallMs: number }>((done, fail) => {
					const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
					let last = performance.now();
					let longest = 0;
					const timer = setInterval(() => {
						const now = performance.now();
						longest = Math.max(longest, now - last);
						last = now;
					}, 50);
					worker.onerror = (e) => fail(new Error(e.message));
					worker.onmessage = ({ data }) => {
						if (data.progress !== undefined) return console.log(`resample ${data.progress}: ${Math.round(data.ms)} ms`);
						clearInterval(timer);
						worker.terminate();
						done({ ms: data.ms, settled: data.settled, longestStallMs: longest });
					};
					worker.postMessage({ d: (globalThis as unknown as { benchData: unknown }).benchData, model: 'pareto-nbd', resamples: r });
				}),
			{ code: workerCode, resamples }
		);
		console.log(
			`chromium bootstrap ${resamples} resamples (Pareto/NBD + Gamma-Gamma) at ${d.summary.x.length.toLocaleString('en')} customers: ${(result.ms / 1000).toFixed(1)} s in a worker, ${result.settled} settled; the page's longest stall meanwhile ${Math.round(result.longestStallMs)} ms (50 ms timer)`
		);
	}
	await page.close();
}
