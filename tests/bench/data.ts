/**
 * A synthetic order export for the benchmark: `order_id,customer_id,order_date,amount`, N rows,
 * the same bytes for the same (N, seed) on every machine.
 *
 * Randomness comes from d3-random (already a dependency through d3): `randomLcg(seed)` is a
 * seeded 32-bit LCG whose arithmetic stays exact in doubles, and the distributions take it as
 * their `.source()`. No hand-written PRNG needed.
 *
 * Shape (close to a real shop's): about N/5 customers; 55 % of them order once, the rest have a
 * Pareto tail of repeat orders (capped at 1,000) — the "loyal tail". Customers arrive more often
 * late in the 3-year window (a growing shop); a repeat customer buys over an active span that may
 * end long before the last date (churn), which spreads recency. Amounts are log-normal around 45.00
 * with 2 decimals. Rows are in date order with increasing order ids, as shop exports are.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBernoulli, randomLcg, randomLogNormal, randomPareto } from 'd3';

/** Bump when the generated data changes, so cached files are not reused. */
export const GENERATOR_VERSION = 1;

const FIRST_DAY = Date.UTC(2022, 0, 1);
const DAYS = 1096; // 2022-01-01 .. 2024-12-31
const MAX_ORDERS = 1000;

export interface GeneratedFile {
	path: string;
	rows: number;
	seed: number;
	bytes: number;
	/** Whether this call wrote it (false: it came from the cache). */
	generated: boolean;
	ms: number;
}

/** The orders CSV for (rows, seed) in `dir`, generating it on first use. */
export function ordersCsv(dir: string, rows: number, seed: number): GeneratedFile {
	return cached(dir, `orders-n${rows}-seed${seed}-v${GENERATOR_VERSION}.csv`, rows, seed, (path) => writeOrders(path, rows, seed));
}

/** A generated file in `dir`, written by `write` on first use (atomically: an interrupted run never leaves a half file). */
function cached(dir: string, name: string, rows: number, seed: number, write: (path: string) => void): GeneratedFile {
	mkdirSync(dir, { recursive: true });
	const path = join(dir, name);
	const t0 = performance.now();
	let generated = false;
	if (!existsSync(path)) {
		const tmp = `${path}.${process.pid}.tmp`;
		write(tmp);
		renameSync(tmp, path);
		generated = true;
	}
	return { path, rows, seed, bytes: statSync(path).size, generated, ms: performance.now() - t0 };
}

/** Orders in date order: each one's customer, day (0 = FIRST_DAY) and amount in cents. */
function generateOrders(rows: number, seed: number) {
	const source = randomLcg(seed);
	const uniform = () => source();
	const once = randomBernoulli.source(source)(0.55);
	const tail = randomPareto.source(source)(1.3);
	const amount = randomLogNormal.source(source)(Math.log(45), 0.8);

	const day = new Int32Array(rows);
	const customer = new Int32Array(rows);
	const cents = new Int32Array(rows);
	let row = 0;
	let customers = 0;
	while (row < rows) {
		const c = customers++;
		const orders = Math.min(rows - row, once() ? 1 : Math.min(MAX_ORDERS, 1 + Math.ceil(3 * (tail() - 1) + 1e-4)));
		// sqrt: more customers arrive late in the window.
		const first = Math.floor(DAYS * Math.sqrt(uniform()));
		const spanEnd = first + Math.floor((DAYS - 1 - first) * Math.sqrt(uniform()));
		for (let k = 0; k < orders; k++, row++) {
			day[row] = k === 0 ? first : first + Math.floor((spanEnd - first + 1) * uniform());
			customer[row] = c;
			cents[row] = Math.max(100, Math.round(amount() * 100));
		}
	}

	// Counting sort by day (stable), so the file is in date order like a shop export.
	const starts = new Int32Array(DAYS + 1);
	for (let i = 0; i < rows; i++) starts[day[i]! + 1]!++;
	for (let d = 0; d < DAYS; d++) starts[d + 1]! += starts[d]!;
	const order = new Int32Array(rows);
	for (let i = 0; i < rows; i++) order[starts[day[i]!]!++] = i;

	const dates = Array.from({ length: DAYS }, (_, d) => new Date(FIRST_DAY + d * 86_400_000).toISOString().slice(0, 10));
	return { order, day, customer, cents, dates };
}

function writeOrders(path: string, rows: number, seed: number): void {
	const { order, day, customer, cents, dates } = generateOrders(rows, seed);
	const fd = openSync(path, 'w');
	try {
		let chunk = 'order_id,customer_id,order_date,amount\n';
		for (let j = 0; j < rows; j++) {
			const i = order[j]!;
			const c = cents[i]!;
			chunk += `#${1001 + j},C${100001 + customer[i]!},${dates[day[i]!]},${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}\n`;
			if (chunk.length > 1 << 20) {
				writeSync(fd, chunk);
				chunk = '';
			}
		}
		writeSync(fd, chunk);
	} finally {
		closeSync(fd);
	}
}

/**
 * A Shopify-style line-item export of `lines` rows (24 columns): the orders of `ordersCsv`'s
 * generator (about a third as many as lines), each written as 1 to 5 line items whose prices add up
 * to the order's amount; `Name`, `Email` and `Created at` on every line, the order's other fields
 * (status, totals, billing, tags) on its first line only, as Shopify writes them.
 */
export function lineItemsCsv(dir: string, lines: number, seed: number): GeneratedFile {
	return cached(dir, `lines-n${lines}-seed${seed}-v${GENERATOR_VERSION}.csv`, lines, seed, (path) => writeLineItems(path, lines, seed));
}

const LINE_HEADER =
	'Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing City,Billing Country,Billing Phone,Tags,Refunded Amount';
const COUNTRIES = ['DE', 'FR', 'NL', 'US', 'GB', 'ES', 'IT'];

function writeLineItems(path: string, lines: number, seed: number): void {
	const { order, day, customer, cents, dates } = generateOrders(Math.ceil(lines / 3), seed);
	const money = (c: number) => `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}`;
	const fd = openSync(path, 'w');
	try {
		let chunk = `${LINE_HEADER}\n`;
		let written = 0;
		for (let j = 0; j < order.length && written < lines; j++) {
			const i = order[j]!;
			const c = customer[i]!;
			const total = cents[i]!;
			// 1–5 lines, from the order's position (no extra randomness: the orders stay ordersCsv's).
			const count = Math.min(lines - written, 1 + ((j * 7 + c) % 5));
			const name = `#${1001 + j}`;
			const email = `customer${100001 + c}@example.com`;
			const created = `${dates[day[i]!]} ${String(8 + (j % 12)).padStart(2, '0')}:${String(j % 60).padStart(2, '0')}:00 +0100`;
			let left = total;
			for (let k = 0; k < count; k++) {
				const price = k === count - 1 ? left : Math.max(1, Math.floor(total / count));
				left -= price;
				const sku = `SKU-${(c * 13 + k * 7) % 500}`;
				const first =
					k === 0
						? `paid,${created},fulfilled,${c % 3 === 0 ? 'yes' : 'no'},EUR,${money(total)},0.00,0.00,${money(total)},${j % 11 === 0 ? 'WELCOME10' : ''},0.00`
						: ',,,,,,,,,,';
				const billing =
					k === 0
						? `Customer ${100001 + c},City ${c % 97},${COUNTRIES[c % COUNTRIES.length]},+49 30 ${String(1000000 + c).slice(-7)},${c % 5 === 0 ? 'vip' : ''},0.00`
						: ',,,,,';
				chunk += `${name},${email},${first},${created},1,Product ${sku},${money(price)},${sku},${billing}\n`;
				written++;
			}
			if (chunk.length > 1 << 20) {
				writeSync(fd, chunk);
				chunk = '';
			}
		}
		writeSync(fd, chunk);
	} finally {
		closeSync(fd);
	}
}
