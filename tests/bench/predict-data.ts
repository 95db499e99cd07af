/**
 * The benchmark's prediction data: the CDNOW sample or master file summarised in weeks (calibration to
 * 1997-09-30), and a simulated store of any size in days.
 */
import { cdnowSummary, readCdnowSample } from '../support/cdnow';
import { seededRandom } from '../support/random';
import type { CustomerSummary } from '../../src/lib/predict/predict';
import type { TimeUnit } from '../../src/lib/predict/summary-sql';

export interface Dataset {
	name: string;
	unit: TimeUnit;
	summary: CustomerSummary;
}

export function fromCdnow(name: string, path?: string): Dataset {
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
export function simulated(customers: number, seed = 42): Dataset {
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
