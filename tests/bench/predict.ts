/**
 * Fitting time of the purchase (BG/NBD) and spend (Gamma-Gamma) models, and of the per-customer
 * predictions, on 2,357 customers (the CDNOW sample), 23,570 (the CDNOW master file), both in weeks
 * with calibration to 1997-09-30, and 200,000 simulated customers in days. Pure fitting code: the
 * summary SQL is not timed. Runs in Node, then in headless Chromium (the same modules bundled with
 * esbuild), unless `--node-only`.
 *
 *   npx tsx tests/bench/predict.ts [--runs 3] [--node-only]
 *
 * Goal (issue 8): under 2 s at 200,000 customers in the browser.
 */
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { resolve } from 'node:path';
import { chromiumLaunchOptions } from '../support/browser-launch';
import { cdnowSummary, CDNOW_MASTER, readCdnowSample } from '../support/cdnow';
import { seededRandom } from '../support/random';
import { fitModels, predictCustomers, DEFAULT_PREDICT, type CustomerSummary } from '../../src/lib/predict/predict';
import type { TimeUnit } from '../../src/lib/predict/summary-sql';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const nodeOnly = args.includes('--node-only');

interface Dataset {
	name: string;
	unit: TimeUnit;
	summary: CustomerSummary;
}

function fromCdnow(name: string, path?: string): Dataset {
	const rows = cdnowSummary(readCdnowSample(path));
	return {
		name,
		unit: 'weeks',
		summary: {
			customerId: rows.map((r) => r.id),
			x: Float64Array.from(rows, (r) => r.x),
			tx: Float64Array.from(rows, (r) => r.tx),
			T: Float64Array.from(rows, (r) => r.T),
			meanSpend: Float64Array.from(rows, (r) => (r.x > 0 ? r.zbar : NaN)),
			holdout: Float64Array.from(rows, (r) => r.holdout),
			firstDay: new Float64Array(rows.length)
		}
	};
}

/**
 * A store's customers drawn from the BG/NBD and Gamma-Gamma processes with CDNOW-like parameters in
 * days: first purchases spread over a year, observed for two, purchases on whole days.
 */
function simulated(customers: number, seed = 42): Dataset {
	const random = seededRandom(seed);
	// Gamma(shape, scale) by Marsaglia–Tsang (shape < 1 boosted by U^(1/shape)).
	const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
	const gamma = (shape: number, scale: number): number => {
		if (shape < 1) return gamma(shape + 1, scale) * Math.pow(random(), 1 / shape);
		const d = shape - 1 / 3;
		const c = 1 / Math.sqrt(9 * d);
		for (;;) {
			const z = normal();
			const v = (1 + c * z) ** 3;
			if (v > 0 && Math.log(1 - random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v * scale;
		}
	};
	const beta = (a: number, b: number) => {
		const x = gamma(a, 1);
		return x / (x + gamma(b, 1));
	};
	const [r, alpha, a, b] = [0.243, 4.414 * 7, 0.793, 2.426];
	const [p, q, g] = [6.25, 3.74, 15.44];
	const s: CustomerSummary = {
		customerId: [],
		x: new Float64Array(customers),
		tx: new Float64Array(customers),
		T: new Float64Array(customers),
		meanSpend: new Float64Array(customers).fill(NaN),
		holdout: new Float64Array(customers),
		firstDay: new Float64Array(customers)
	};
	for (let i = 0; i < customers; i++) {
		const first = Math.floor(random() * 365);
		const T = 730 - first;
		const lambda = gamma(r, 1 / alpha);
		const drop = beta(a, b);
		const days = new Set<number>();
		let t = 0;
		for (;;) {
			t += -Math.log(1 - random()) / lambda;
			if (t > T) break;
			days.add(Math.floor(t));
			if (random() < drop) break;
		}
		days.delete(0);
		const x = days.size;
		const nu = gamma(q, 1 / g);
		let spend = 0;
		for (let k = 0; k < x; k++) spend += gamma(p, 1 / nu);
		s.customerId.push(`c${i}`);
		s.x[i] = x;
		s.tx[i] = x > 0 ? Math.max(...days) : 0;
		s.T[i] = T;
		if (x > 0) s.meanSpend[i] = spend / x;
		s.firstDay[i] = first;
	}
	return { name: `${customers.toLocaleString('en')} simulated (days)`, unit: 'days', summary: s };
}

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
	} finally {
		await browser.close();
	}
}
