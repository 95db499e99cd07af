/**
 * The view in the URL hash: which data (demo seed and size, or the fingerprint of the merchant's
 * own file), the scoring settings, the rule set, the tab and the selected segment or cell, plus
 * keys any view registers for itself (`registerViewKey`). Never customer data: a link may be pasted
 * anywhere, so it names the view, not what is in the file.
 *
 * The hash is `key=value&key=value`, values percent-encoded; only values that differ from the
 * defaults are written, so a default view is an empty hash. Pure: no DOM, no Svelte.
 */
import { decodeJourneyCustomers, encodeJourneyCustomers } from '../journeys/journey-customers';
import type { CustomerSelection } from '../rfm/customer-list';
import type { HistoryState } from '../history/as-of';
import { GRID_MAP } from '../rfm/segments';
import { DEFAULT_FIXED, DEFAULT_SCORING, type LookBack, type Metric, type ScoringSettings } from '../rfm/types';

/** Keys this module owns; registered view keys must not reuse them. */
export const CORE_KEYS = ['demo', 'n', 'file', 'summary', 'tab', 'sc', 'lv', 'ad', 'lb', 'mo', 'fx', 'rs', 'sel'] as const;

/** The hash's key/value pairs, in order. */
export type HashParams = Map<string, string>;

/** Parses `#a=1&b=x%20y` (with or without the `#`). Empty values and keys without `=` are kept as ''. */
export function parseHash(hash: string): HashParams {
	const params: HashParams = new Map();
	const text = hash.startsWith('#') ? hash.slice(1) : hash;
	for (const pair of text.split('&')) {
		if (!pair) continue;
		const eq = pair.indexOf('=');
		const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
		if (key) params.set(key, eq < 0 ? '' : safeDecode(pair.slice(eq + 1)));
	}
	return params;
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text.replaceAll('+', ' '));
	} catch {
		return text;
	}
}

/** Characters a hash value keeps as they are (readable links): letters, digits and `-_.~!*'()~:,/`. */
const encodeValue = (v: string) => encodeURIComponent(v).replace(/%(2C|3A|2F|7E)/gi, (m) => decodeURIComponent(m));

/** Writes params as `#a=1&b=2`, or '' when there are none. */
export function formatHash(params: HashParams): string {
	const pairs = [...params].map(([k, v]) => `${encodeURIComponent(k)}=${encodeValue(v)}`);
	return pairs.length ? `#${pairs.join('&')}` : '';
}

/** Which data a view is of. */
export type ViewSource =
	| { kind: 'none' }
	| { kind: 'demo'; seed: number; customers: number | null }
	| { kind: 'file'; size: number; fingerprint: string }
	| { kind: 'summary'; data: string };

/** Everything the app itself keeps in the hash. */
export interface ViewState {
	source: ViewSource;
	tab: string | null;
	scoring: ScoringSettings;
	ruleSetId: string | null;
	selection: CustomerSelection | null;
	/** Registered view keys and their raw values. */
	extra: Map<string, string>;
	/**
	 * What the link asked for that cannot be applied (an unknown method, levels outside 3–5, a bad
	 * date…), each as a sentence for the merchant; the default is used instead. Reading only.
	 */
	unapplied?: string[];
}

const METHOD_CODES = { balanced: 'b', fixed: 'f', 'r-rfm': 'r' } as const;
const METRIC_ORDER: Metric[] = ['recency', 'frequency', 'monetary'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function encodeLookBack(lb: LookBack): string | null {
	if (lb.kind === 'all') return null;
	if (lb.kind === 'months') return `m${lb.months}`;
	return `r${lb.from ?? ''}~${lb.to ?? ''}`;
}

function decodeLookBack(text: string): LookBack | null {
	const months = /^m(\d{1,3})$/.exec(text);
	if (months) return Number(months[1]) > 0 ? { kind: 'months', months: Number(months[1]) } : null;
	const range = /^r(\d{4}-\d{2}-\d{2})?~(\d{4}-\d{2}-\d{2})?$/.exec(text);
	if (range) return { kind: 'range', from: range[1] ?? null, to: range[2] ?? null };
	return null;
}

const sameNumbers = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** A migration state in a link: `s:<segment>`, `n` (not yet a customer) or `o` (outside the window). */
function encodeState(state: HistoryState): string {
	return state.kind === 'segment' ? `s:${state.segment}` : state.kind === 'not-yet' ? 'n' : 'o';
}

function decodeState(text: string): HistoryState | null {
	if (text === 'n') return { kind: 'not-yet' };
	if (text === 'o') return { kind: 'outside' };
	return text.startsWith('s:') && text.length > 2 ? { kind: 'segment', segment: text.slice(2) } : null;
}

/**
 * Parses a selection: `c3.4` (matrix cell R3 F4), `s:Champions`, `b:<behaviour id>`, `all`, or a
 * migration flow `m:<from>~<to>~<was>~<now>`, or the customers behind a repeat-purchase number `j:<json>`.
 */
export function decodeSelection(text: string): CustomerSelection | null {
	if (text === 'all') return { kind: 'all' };
	const flow = /^m:(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})~([^~]+)~([^~]+)$/.exec(text);
	if (flow) {
		const was = decodeState(flow[3]!);
		const now = decodeState(flow[4]!);
		return was && now ? { kind: 'migration', from: flow[1]!, to: flow[2]!, was, now } : null;
	}
	const cell = /^c(\d)\.(\d)$/.exec(text);
	if (cell) return { kind: 'cell', r: Number(cell[1]), f: Number(cell[2]) };
	if (text.startsWith('s:') && text.length > 2) return { kind: 'segment', segment: text.slice(2) };
	if (text.startsWith('b:') && text.length > 2) return { kind: 'behaviour', id: text.slice(2) };
	if (text.startsWith('j:')) {
		const journey = decodeJourneyCustomers(text.slice(2));
		return journey && { kind: 'journey', ...journey };
	}
	return null;
}

/**
 * A selection as link text, or null for one a link cannot carry: a builder segment's conditions
 * (they live in this browser's saved segments).
 */
export function encodeSelection(selection: CustomerSelection): string | null {
	switch (selection.kind) {
		case 'all':
			return 'all';
		case 'cell':
			return `c${selection.r}.${selection.f}`;
		case 'segment':
			return `s:${selection.segment}`;
		case 'behaviour':
			return `b:${selection.id}`;
		case 'migration':
			return `m:${selection.from}~${selection.to}~${encodeState(selection.was)}~${encodeState(selection.now)}`;
		case 'journey':
			return `j:${encodeJourneyCustomers(selection.customers, selection.label)}`;
		case 'builder':
			return null;
	}
}

/** Reads the view from the hash; anything unreadable falls back to its default (a link must never break the page). */
export function readViewState(params: HashParams, viewKeys: readonly string[] = []): ViewState {
	let source: ViewSource = { kind: 'none' };
	const demo = params.get('demo');
	const file = params.get('file');
	const summary = params.get('summary');
	if (summary) source = { kind: 'summary', data: summary };
	else if (demo !== undefined && /^\d{1,9}$/.test(demo)) {
		const n = Number(params.get('n'));
		source = { kind: 'demo', seed: Number(demo), customers: Number.isInteger(n) && n > 0 ? n : null };
	} else if (file) {
		const m = /^(\d+)-([0-9a-f]{16,64})$/.exec(file);
		if (m) source = { kind: 'file', size: Number(m[1]), fingerprint: m[2]! };
	}

	const scoring: ScoringSettings = structuredClone(DEFAULT_SCORING);
	// A setting the link names but this page cannot apply is said, not silently dropped: a colleague
	// would otherwise see other numbers than the link's author without knowing it.
	const unapplied: string[] = [];
	const method = params.get('sc');
	const found = Object.entries(METHOD_CODES).find(([, code]) => code === method);
	if (found) scoring.method = found[0] as ScoringSettings['method'];
	else if (method !== undefined) unapplied.push(`the scoring method "${method}" is unknown (balanced scoring is used)`);
	const lv = params.get('lv');
	if (lv !== undefined) {
		const levels = Number(lv);
		if ([3, 4, 5].includes(levels)) scoring.levels = levels;
		else unapplied.push(`score levels "${lv}" are not 3, 4 or 5 (1–5 is used)`);
	}
	const ad = params.get('ad');
	if (ad && ISO_DATE.test(ad)) scoring.analysisDate = ad;
	else if (ad !== undefined)
		unapplied.push(`the analysis date "${ad}" is not a date like 2024-12-31 (the day after the latest order is used)`);
	const lb = params.get('lb');
	if (lb) {
		const lookBack = decodeLookBack(lb);
		if (lookBack) scoring.lookBack = lookBack;
		else unapplied.push(`the look-back window "${lb}" cannot be read (all history is used)`);
	}
	const mo = params.get('mo');
	if (mo === 'avg') scoring.monetary = 'average';
	else if (mo !== undefined) unapplied.push(`monetary "${mo}" is unknown (total revenue is used)`);
	const fx = params.get('fx');
	if (fx) {
		const lists = fx.split('_').map((part) => part.split('.').filter(Boolean).map(Number));
		if (lists.length === 3 && lists.every((l) => l.length === scoring.levels - 1 && l.every(Number.isFinite))) {
			scoring.fixed = Object.fromEntries(METRIC_ORDER.map((m, i) => [m, lists[i]!])) as Record<Metric, number[]>;
		} else unapplied.push(`the fixed thresholds "${fx}" do not fit ${scoring.levels} score levels (the default thresholds are used)`);
	} else if (scoring.levels !== DEFAULT_FIXED.recency.length + 1) {
		// Default cut points for fewer levels: the first `levels - 1` of the defaults, as the settings panel fits them.
		scoring.fixed = Object.fromEntries(METRIC_ORDER.map((m) => [m, DEFAULT_FIXED[m].slice(0, scoring.levels - 1)])) as Record<
			Metric,
			number[]
		>;
	}

	const selection = params.get('sel');
	const extra = new Map<string, string>();
	for (const key of viewKeys) {
		const v = params.get(key);
		if (v !== undefined) extra.set(key, v);
	}
	const decoded = selection ? decodeSelection(selection) : null;
	if (selection && !decoded) unapplied.push(`the selection "${selection}" cannot be read`);
	return {
		source,
		tab: params.get('tab') || null,
		scoring,
		ruleSetId: params.get('rs') || null,
		selection: decoded,
		extra,
		...(unapplied.length ? { unapplied } : {})
	};
}

/** Writes a view as hash params, leaving out every default. */
export function writeViewState(view: ViewState): HashParams {
	const params: HashParams = new Map();
	const { source, scoring } = view;
	if (source.kind === 'demo') {
		params.set('demo', String(source.seed));
		if (source.customers !== null) params.set('n', String(source.customers));
	} else if (source.kind === 'file') params.set('file', `${source.size}-${source.fingerprint}`);
	else if (source.kind === 'summary') {
		params.set('summary', source.data);
		return params;
	}
	if (view.tab && view.tab !== 'overview') params.set('tab', view.tab);
	if (scoring.method !== DEFAULT_SCORING.method) params.set('sc', METHOD_CODES[scoring.method]);
	if (scoring.levels !== DEFAULT_SCORING.levels) params.set('lv', String(scoring.levels));
	if (scoring.analysisDate) params.set('ad', scoring.analysisDate);
	const lb = encodeLookBack(scoring.lookBack);
	if (lb) params.set('lb', lb);
	if (scoring.monetary === 'average') params.set('mo', 'avg');
	if (
		scoring.method === 'fixed' &&
		!METRIC_ORDER.every((m) => sameNumbers(scoring.fixed[m], DEFAULT_FIXED[m].slice(0, scoring.levels - 1)))
	) {
		params.set('fx', METRIC_ORDER.map((m) => scoring.fixed[m].join('.')).join('_'));
	}
	if (view.ruleSetId && view.ruleSetId !== GRID_MAP.id) params.set('rs', view.ruleSetId);
	const selection = view.selection ? encodeSelection(view.selection) : null;
	if (selection) params.set('sel', selection);
	for (const [k, v] of view.extra) params.set(k, v);
	return params;
}

/**
 * A view's own key in the hash (a tab's filters, a builder's conditions…). `read` returns the
 * current value (null for the default, which leaves the key out); `apply` sets the view from a
 * link or from back/forward (null: the key is absent, back to the default). `read` may read
 * Svelte state: the URL follows it.
 */
export interface ViewKey {
	key: string;
	read: () => string | null;
	apply: (value: string | null) => void;
}

const viewKeys = new Map<string, ViewKey>();

/**
 * Registers a view's key; returns the function that unregisters it (call it when the view goes away).
 * Throws on a key the app or another view already uses: two views writing one key would fight.
 */
export function registerViewKey(view: ViewKey): () => void {
	if ((CORE_KEYS as readonly string[]).includes(view.key) || viewKeys.has(view.key) || !/^[a-z][a-z0-9_-]*$/i.test(view.key)) {
		throw new Error(`URL key "${view.key}" is taken or not a plain name`);
	}
	viewKeys.set(view.key, view);
	return () => {
		if (viewKeys.get(view.key) === view) viewKeys.delete(view.key);
	};
}

/** The views' registered keys, in registration order. */
export function registeredViewKeys(): ViewKey[] {
	return [...viewKeys.values()];
}

/** The current values of the registered view keys (defaults left out). */
export function readRegisteredKeys(): Map<string, string> {
	const values = new Map<string, string>();
	for (const key of viewKeys.values()) {
		const value = key.read();
		if (value !== null) values.set(key.key, value);
	}
	return values;
}

/** An address with another hash (and, for a summary link, without the `?src` query). */
export function withHash(href: string, hash: string, dropQuery = false): string {
	const url = new URL(href);
	url.hash = hash;
	if (dropQuery) url.search = '';
	return url.href;
}

/** The `?src=` file address of a page address, or null. */
export function sourceParam(search: string): string | null {
	return new URLSearchParams(search).get('src') || null;
}
