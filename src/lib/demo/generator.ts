/**
 * A synthetic store, generated in the browser from a seed: one CSV row per line item, in the demo
 * layout the ingest reads without questions (see DEMO_HEADER). The same seed and size always give
 * the same bytes, so a `#demo=<seed>` link reopens the same store for anyone.
 *
 * Pure TypeScript (no DOM, no Svelte): the page wraps the parts in a File; the unit tests hash them.
 */
import { randomLcg } from 'd3';
import { CATALOGUE, CHANNELS, COUNTRIES, FIRST_NAMES, LAST_NAMES, PAYMENT_METHODS } from './catalogue';
import { ByteTable, ByteWriter, NEWLINE, encodeAscii } from './byte-writer';

/** The demo file's header, exactly as the ingest expects it. */
export const DEMO_HEADER =
	'order_id,customer_id,email,first_name,last_name,phone,ordered_at,status,currency,channel,coupon,country,city,payment_method,accepts_marketing,tags,sku,product,category,quantity,unit_price,line_total';

/** Store sizes offered on the page (customers). */
export const DEMO_SIZES = [5_000, 50_000, 200_000] as const;
export const DEFAULT_DEMO_CUSTOMERS = 5_000;
export const MIN_DEMO_CUSTOMERS = 100;
export const MAX_DEMO_CUSTOMERS = 200_000;

/** Orders run over three calendar years; fixed, so the store does not depend on today's date. */
export const DEMO_FIRST_DAY = '2023-01-01';
export const DEMO_LAST_DAY = '2025-12-31';
const START_MS = Date.UTC(2023, 0, 1);
const DAYS = Math.round((Date.UTC(2025, 11, 31) - START_MS) / 86_400_000) + 1;

export interface DemoStore {
	fileName: string;
	/** UTF-8 CSV in chunks (a File or Blob takes them as they are; joining would copy 100 MB). */
	parts: Uint8Array[];
	bytes: number;
	rows: number;
	orders: number;
	guestOrders: number;
	customers: number;
}

/** Coupon codes and their discount on every line of the order. */
export const COUPONS = { '': 0, WELCOME10: 0.1, BFCM25: 0.25, VIP20: 0.2, SPRING15: 0.15 } as const;
type Coupon = keyof typeof COUPONS;

/** Who a customer is decides how often they come back. */
type Kind = 'one-time' | 'occasional' | 'loyal' | 'lapsed';

/** Share of each kind: many one-time buyers, a loyal core, some who lapse. */
const KINDS: [Kind, number][] = [
	['one-time', 0.52],
	['occasional', 0.27],
	['loyal', 0.09],
	['lapsed', 0.12]
];

/** Clamps a requested size into the range the generator supports (and the page offers). */
export function demoCustomers(n: number | null | undefined): number {
	if (n === null || n === undefined || !Number.isFinite(n)) return DEFAULT_DEMO_CUSTOMERS;
	return Math.min(MAX_DEMO_CUSTOMERS, Math.max(MIN_DEMO_CUSTOMERS, Math.round(n)));
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** 'YYYY-MM-DD' for every day of the store's history, computed once. */
function dayStrings(): string[] {
	return Array.from({ length: DAYS }, (_, d) => new Date(START_MS + d * 86_400_000).toISOString().slice(0, 10));
}

/**
 * How likely a first order is on each day: the store grows (about ×2.5 over three years), sells
 * more in November–December (Black Friday, Christmas) and less in late summer, and a little more
 * at weekends. Returned cumulative, for sampling by binary search.
 */
function acquisitionWeights(): Float64Array {
	const MONTH = [0.85, 0.8, 0.95, 1, 1, 0.95, 0.85, 0.8, 0.95, 1.05, 1.7, 1.9];
	const cumulative = new Float64Array(DAYS);
	let total = 0;
	for (let d = 0; d < DAYS; d++) {
		const date = new Date(START_MS + d * 86_400_000);
		const weekday = date.getUTCDay();
		const growth = 1 + (1.5 * d) / DAYS;
		total += growth * MONTH[date.getUTCMonth()]! * (weekday === 0 || weekday === 6 ? 1.15 : 1);
		cumulative[d] = total;
	}
	for (let d = 0; d < DAYS; d++) cumulative[d]! /= total;
	return cumulative;
}

function sampleDay(cumulative: Float64Array, u: number): number {
	let lo = 0;
	let hi = cumulative.length - 1;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (cumulative[mid]! < u) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** A CSV cell: quoted only when it needs to be (names like O'Brien need not; "Smith, Jr." would). */
const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/**
 * Generates the demo store for a seed and a number of customers (clamped to 100..200,000).
 * About 2.3 orders per customer, 1.6 lines per order, plus guest orders (no customer id or email).
 */
export function generateDemoStore(seed: number, customerCount: number = DEFAULT_DEMO_CUSTOMERS): DemoStore {
	const n = demoCustomers(customerCount);
	// d3's LCG takes an integer or a number in [0, 1); any integer seed gives its own sequence.
	const random = randomLcg(Math.abs(Math.trunc(seed)) % 2 ** 31);
	const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
	const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
	const weighted = <T>(list: readonly (readonly [T, number])[]) => {
		let u = random();
		for (const [value, w] of list) if ((u -= w) < 0) return value;
		return list[list.length - 1]![0];
	};
	const days = dayStrings();
	const cumulative = acquisitionWeights();

	// Customers: a fixed prefix of their columns, their country and kind.
	const customerCells: string[] = new Array(n);
	const customerCountry = new Uint8Array(n);
	const customerCity: string[] = new Array(n);
	const customerTags: string[] = new Array(n);
	const customerKind: Kind[] = new Array(n);
	const marketing: string[] = new Array(n);
	const countryWeights = COUNTRIES.map((c, i) => [i, c.weight] as const);
	for (let i = 0; i < n; i++) {
		const first = pick(FIRST_NAMES);
		const last = pick(LAST_NAMES);
		const id = `C${100001 + i}`;
		// example.com and 555-01xx are reserved for examples: the demo names no real person.
		const email = `${first}.${last}${i % 7 === 0 ? i : ''}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '');
		const phone = `+1 555 01${pad2(i % 100)}`;
		customerCells[i] = `${id},${email},${cell(first)},${cell(last)},${phone}`;
		const country = weighted(countryWeights);
		customerCountry[i] = country;
		customerCity[i] = cell(pick(COUNTRIES[country]!.cities));
		customerKind[i] = weighted(KINDS);
		marketing[i] = random() < 0.46 ? 'yes' : 'no';
		customerTags[i] = customerKind[i] === 'loyal' && random() < 0.5 ? 'vip' : random() < 0.02 ? 'wholesale' : '';
	}

	// Orders: each customer's first order on a seasonal day, then repeats at their own pace.
	const orderDay: number[] = [];
	const orderCustomer: number[] = [];
	for (let i = 0; i < n; i++) {
		let day = sampleDay(cumulative, random());
		const kind = customerKind[i]!;
		let left = kind === 'one-time' ? 0 : kind === 'occasional' ? int(1, 3) : kind === 'loyal' ? int(4, 24) : int(1, 5);
		const meanGap = kind === 'loyal' ? int(20, 60) : kind === 'occasional' ? int(60, 240) : int(25, 90);
		// Lapsed customers stop buying after a while (and recency shows it).
		const stopAfter = kind === 'lapsed' ? day + int(60, 400) : DAYS;
		orderDay.push(day);
		orderCustomer.push(i);
		while (left-- > 0) {
			day += 1 + Math.floor(-Math.log(1 - random()) * meanGap);
			if (day >= DAYS || day > stopAfter) break;
			orderDay.push(day);
			orderCustomer.push(i);
		}
	}
	// Guest checkouts: about 7 % of orders, no customer id or email.
	const guests = Math.round(orderDay.length * 0.075);
	for (let g = 0; g < guests; g++) {
		orderDay.push(sampleDay(cumulative, random()));
		orderCustomer.push(-1 - g);
	}

	// The file lists orders by time, as shop exports do; order ids follow that order.
	// Sort key: the second of the order in the high bits, its index in the low 21 bits (exact in a double).
	const count = orderDay.length;
	const keys = new Float64Array(count);
	for (let k = 0; k < count; k++) keys[k] = (orderDay[k]! * 86_400 + int(6 * 3600, 86_399 - 60)) * 2 ** 21 + k;
	keys.sort();

	let lastCustomerOrder = count - 1;
	while (lastCustomerOrder > 0 && orderCustomer[keys[lastCustomerOrder]! % 2 ** 21]! < 0) lastCustomerOrder--;
	const seenFirstOrder = new Uint8Array(n);
	const out = new ByteWriter();
	out.text(DEMO_HEADER + '\n');
	let rows = 0;
	const dayBytes = new ByteTable(days.map((d) => `${d} `));
	const dayMonth = days.map((d) => Number(d.slice(5, 7)));
	const dayOfMonthOf = days.map((d) => Number(d.slice(8, 10)));
	const customerCountryCity = new ByteTable(customerCells.map((_, i) => `,${COUNTRIES[customerCountry[i]!]!.code},${customerCity[i]}`));
	const customerMarketingTags = new ByteTable(customerCells.map((_, i) => `,${marketing[i]},${customerTags[i]},`));
	const customerBytes = new ByteTable(customerCells.map((c) => `,${c},`));
	const productBytes = new ByteTable(CATALOGUE.map((p) => `${p.sku},${p.cell},${p.category},`));
	const priceBytes = new ByteTable(CATALOGUE.map((p) => `,${p.priceText},`));
	const GUEST_MIDDLE = encodeAscii(',,,');
	const GUEST_MARKETING_TAGS = encodeAscii(',no,,');
	const statusBytes = {
		paid: encodeAscii(',paid,USD,'),
		refunded: encodeAscii(',refunded,USD,'),
		cancelled: encodeAscii(',cancelled,USD,')
	};
	const channelBytes = CHANNELS.map(([name]) => encodeAscii(`${name},`));
	const channelIndex = CHANNELS.map(([, w], i) => [i, w] as const);
	const paymentBytes = PAYMENT_METHODS.map(([name]) => encodeAscii(`,${name}`));
	const paymentIndex = PAYMENT_METHODS.map(([, w], i) => [i, w] as const);
	const couponBytes = Object.fromEntries(Object.keys(COUPONS).map((k) => [k, encodeAscii(k)])) as Record<Coupon, Uint8Array>;

	for (let o = 0; o < count; o++) {
		const key = keys[o]!;
		const k = key % 2 ** 21;
		const second = (key - k) / 2 ** 21;
		const day = Math.floor(second / 86_400);
		const s = second - day * 86_400;
		const customer = orderCustomer[k]!;
		const guest = customer < 0;
		const first = !guest && seenFirstOrder[customer] === 0;
		if (!guest) seenFirstOrder[customer] = 1;
		const month = dayMonth[day]!;
		const dayOfMonth = dayOfMonthOf[day]!;

		// Every customer's first order is paid, so every customer has at least one counted order.
		const u = random();
		// The last customer order is paid too: the store's date range does not depend on how a reader treats cancellations.
		const status: 'paid' | 'refunded' | 'cancelled' =
			first || o === lastCustomerOrder ? 'paid' : u < 0.04 ? 'refunded' : u < 0.065 ? 'cancelled' : 'paid';
		const channel = weighted(channelIndex);
		const payment = weighted(paymentIndex);
		const kind = guest ? 'one-time' : customerKind[customer]!;
		let coupon: Coupon = '';
		const c = random();
		if (first && c < 0.18) coupon = 'WELCOME10';
		else if (month === 11 && dayOfMonth >= 20 && c < 0.35) coupon = 'BFCM25';
		else if (kind === 'loyal' && c < 0.15) coupon = 'VIP20';
		else if (c < 0.04) coupon = 'SPRING15';
		const discount = COUPONS[coupon];

		// 1 to 6 lines, mostly one or two; loyal customers fill bigger baskets.
		let lines = 1;
		while (lines < 6 && random() < (kind === 'loyal' ? 0.45 : 0.32)) lines++;
		out.reserve(lines * 512);

		// The order's columns up to the product, written once and copied for its other lines.
		const lineStart = out.pos;
		out.int(100001 + o);
		if (guest) {
			const country = COUNTRIES[weighted(countryWeights)]!;
			out.bytes(GUEST_MIDDLE);
			out.text(`${cell(pick(FIRST_NAMES))},${cell(pick(LAST_NAMES))},,`);
			out.entry(dayBytes, day);
			out.time(s);
			out.bytes(statusBytes[status]);
			out.bytes(channelBytes[channel]!);
			out.bytes(couponBytes[coupon]);
			out.text(`,${country.code},${cell(pick(country.cities))}`);
			out.bytes(paymentBytes[payment]!);
			out.bytes(GUEST_MARKETING_TAGS);
		} else {
			out.entry(customerBytes, customer);
			out.entry(dayBytes, day);
			out.time(s);
			out.bytes(statusBytes[status]);
			out.bytes(channelBytes[channel]!);
			out.bytes(couponBytes[coupon]);
			out.entry(customerCountryCity, customer);
			out.bytes(paymentBytes[payment]!);
			out.entry(customerMarketingTags, customer);
		}
		const prefixEnd = out.pos;
		for (let l = 0; l < lines; l++) {
			if (l > 0) out.copy(lineStart, prefixEnd);
			const p = Math.floor(random() ** 1.6 * CATALOGUE.length);
			const quantity = random() < 0.85 ? 1 : int(2, 4);
			out.entry(productBytes, p);
			out.int(quantity);
			out.entry(priceBytes, p);
			out.cents(Math.round(quantity * CATALOGUE[p]!.price * (1 - discount) * 100));
			out.byte(NEWLINE);
			rows++;
		}
	}
	const parts = out.finish();
	const bytes = parts.reduce((sum, part) => sum + part.length, 0);

	return {
		fileName: `demo-store-${seed}${n === DEFAULT_DEMO_CUSTOMERS ? '' : `-${n}`}.csv`,
		parts,
		bytes,
		rows,
		orders: count,
		guestOrders: guests,
		customers: n
	};
}
