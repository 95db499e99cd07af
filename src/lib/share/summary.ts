/**
 * "Share a summary": the aggregates on screen — headline, matrix cells, segment table, settings —
 * packed into a link (JSON, deflate-raw, base64url in the hash). No customer id, email or name
 * can be in it: it is built only from figures already summed over customers, and `decodeSummary`
 * accepts nothing else.
 */
import type { Headline, MatrixCell, SegmentSummary } from '../rfm/analysis';
import type { ScoringSettings } from '../rfm/types';

export interface SharedSummary {
	/** Format version. */
	v: 1;
	/** What the data is called by whoever shared it ("Demo store", or the file's name when they chose to). */
	title: string;
	currency: string | null;
	headline: Pick<Headline, 'customers' | 'orders' | 'revenue' | 'firstOrder' | 'lastOrder' | 'analysisDate'>;
	scoring: Pick<ScoringSettings, 'method' | 'levels' | 'monetary'>;
	ruleSet: { id: string; name: string };
	matrix: MatrixCell[];
	segments: Pick<
		SegmentSummary,
		| 'segment'
		| 'color'
		| 'customers'
		| 'customerShare'
		| 'orders'
		| 'revenue'
		| 'revenueShare'
		| 'averageOrderValue'
		| 'averageRecencyDays'
		| 'fewerThan'
	>[];
}

/**
 * Cells and segments with fewer customers than this are shared as "< 5", without figures: a cell of
 * one customer would give away that customer's orders and spend to whoever holds the link.
 */
export const MIN_SHARED_GROUP = 5;

const small = (customers: number) => customers > 0 && customers < MIN_SHARED_GROUP;

/** The summary of an analysis: only the fields listed here, copied one by one. */
export function buildSummary(input: {
	title: string;
	currency: string | null;
	headline: Headline;
	scoring: ScoringSettings;
	ruleSet: { id: string; name: string };
	matrix: readonly MatrixCell[];
	segments: readonly SegmentSummary[];
}): SharedSummary {
	const h = input.headline;
	return {
		v: 1,
		title: input.title,
		currency: input.currency,
		headline: {
			customers: h.customers,
			orders: h.orders,
			revenue: h.revenue,
			firstOrder: h.firstOrder,
			lastOrder: h.lastOrder,
			analysisDate: h.analysisDate
		},
		scoring: { method: input.scoring.method, levels: input.scoring.levels, monetary: input.scoring.monetary },
		ruleSet: { id: input.ruleSet.id, name: input.ruleSet.name },
		matrix: input.matrix.map((c) =>
			small(c.customers) || c.fewerThan
				? { r: c.r, f: c.f, customers: 0, orders: 0, revenue: 0, segment: c.segment, fewerThan: MIN_SHARED_GROUP }
				: { r: c.r, f: c.f, customers: c.customers, orders: c.orders, revenue: c.revenue, segment: c.segment }
		),
		segments: input.segments.map((s) =>
			small(s.customers) || s.fewerThan
				? {
						segment: s.segment,
						color: s.color,
						customers: 0,
						customerShare: 0,
						orders: 0,
						revenue: 0,
						revenueShare: 0,
						averageOrderValue: 0,
						averageRecencyDays: 0,
						fewerThan: MIN_SHARED_GROUP
					}
				: {
						segment: s.segment,
						color: s.color,
						customers: s.customers,
						customerShare: s.customerShare,
						orders: s.orders,
						revenue: s.revenue,
						revenueShare: s.revenueShare,
						averageOrderValue: s.averageOrderValue,
						averageRecencyDays: s.averageRecencyDays
					}
		)
	};
}

function toBase64Url(bytes: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
	const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
	const out = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
	return new Uint8Array(await new Response(out).arrayBuffer());
}

/** The summary as a hash value: deflate-raw, base64url. */
export async function encodeSummary(summary: SharedSummary): Promise<string> {
	return toBase64Url(await pipe(new TextEncoder().encode(JSON.stringify(summary)), new CompressionStream('deflate-raw')));
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v.length <= 200;

/**
 * Reads a summary link back, checking every field's type (a link is input from anywhere), and
 * keeping only the known fields. Throws an Error with a message for the reader when it cannot.
 */
export async function decodeSummary(text: string): Promise<SharedSummary> {
	let raw: unknown;
	try {
		raw = JSON.parse(new TextDecoder().decode(await pipe(fromBase64Url(text), new DecompressionStream('deflate-raw'))));
	} catch {
		throw new Error('This summary link is damaged (it may have been cut off when it was copied). Ask for the link again.');
	}
	const s = raw as SharedSummary;
	const ok =
		s?.v === 1 &&
		isString(s.title) &&
		(s.currency === null || isString(s.currency)) &&
		[s.headline?.customers, s.headline?.orders, s.headline?.revenue].every(isNumber) &&
		[s.headline?.firstOrder, s.headline?.lastOrder, s.headline?.analysisDate].every(isString) &&
		[3, 4, 5].includes(s.scoring?.levels) &&
		isString(s.ruleSet?.name) &&
		Array.isArray(s.matrix) &&
		s.matrix.every(
			(c) =>
				[c.r, c.f, c.customers, c.orders, c.revenue].every(isNumber) &&
				(c.segment === null || isString(c.segment)) &&
				(c.fewerThan === undefined || isNumber(c.fewerThan))
		) &&
		Array.isArray(s.segments) &&
		s.segments.every(
			(g) =>
				isString(g.segment) &&
				isString(g.color) &&
				[g.customers, g.orders, g.revenue].every(isNumber) &&
				(g.fewerThan === undefined || isNumber(g.fewerThan))
		);
	if (!ok) throw new Error('This summary link is not one RFM Studio can read (it may come from a newer version).');
	return buildSummary({
		title: s.title,
		currency: s.currency,
		headline: { ...s.headline } as Headline,
		scoring: { ...s.scoring } as ScoringSettings,
		ruleSet: s.ruleSet,
		matrix: s.matrix,
		segments: s.segments as SegmentSummary[]
	});
}

/**
 * The store's currency for a summary link: the one scored, or the only one a currency column holds
 * (Shopify's `Currency`), or what the amounts say. A summary without it reads as bare numbers.
 */
export function summaryCurrency(
	ingest: { scoredCurrency: string | null; currencies: { currency: string }[] },
	page: string | null
): string | null {
	const only = ingest.currencies.length === 1 ? ingest.currencies[0]!.currency : null;
	const code = ingest.scoredCurrency ?? only;
	return code && /^[A-Z]{3}$/.test(code) ? code : page;
}
