/**
 * What the explore views show: the matrix metric, the charts' aggregates, the customer list
 * (query, chosen columns, rows fetched a page at a time) and the open customer profile. One
 * instance per page, beside the Session, shared through context.
 */
import { createContext } from 'svelte';
import {
	DEFAULT_LIST_COLUMNS,
	type CustomerProfile,
	type CustomerQuery,
	type ExploreCharts,
	type ExploreRow,
	type ListColumn,
	type MatrixMetric
} from '../rfm/explore';
import type { CustomerSelection } from '../rfm/customer-list';
import type { PredictionColumns } from '../predict/predictions-sql';
import type { RfmResult } from '../rfm/analysis';
import { PageCache, pagesFor } from './list-window';
import type { Session } from './session.svelte';
import { problemText, type EngineCalls } from './engine-calls.svelte';

/** Rows per request: a screenful or three, small enough to come back in a frame or two. */
export const LIST_PAGE = 100;
/** Pages kept: about 40 screens, a few hundred KB. */
const CACHED_PAGES = 40;

/**
 * The customer list's rows: a query's rows fetched a page at a time as the list asks for them,
 * one request at a time, newest wish first, with a small LRU cache. The list's only query path:
 * its heading's count is the answers' total too.
 */
export class CustomerRows {
	/** Customers matching the query; null until the first answer. */
	total = $state<number | null>(null);
	/** Customers in the selection, whatever the search (the heading's count); null until known. */
	selectionTotal = $state<number | null>(null);
	hasName = $state(false);
	hasEmail = $state(false);
	/** The prediction columns the rows carry (null: no predictions). */
	predictions = $state.raw<PredictionColumns | null>(null);
	/** Bumped when a page arrives: rows read through `row()` redraw. */
	version = $state(0);
	problem = $state<string | null>(null);

	#started = $state(false);
	/** The first answer of a new query is awaited (the page counts as busy meanwhile). */
	loading = $derived(this.total === null && this.problem === null && this.#started);
	readonly #calls: EngineCalls;
	#cache = new PageCache<ExploreRow>(LIST_PAGE, CACHED_PAGES);
	#query: CustomerQuery | null = null;
	#scoring: unknown = null;
	#generation = 0;
	#wanted: number[] = [0];
	/** Pages held from before a refresh: shown, but fetched again when wanted. Not reactive: `version` redraws. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#stale = new Set<number>();
	#fetching = false;

	constructor(calls: EngineCalls) {
		this.#calls = calls;
	}

	/**
	 * Starts over with another query (or the same after a rescoring).
	 * @param scoring what the rows are scored by (the session's analysis): another one may change the selection's count
	 */
	reset(query: CustomerQuery, scoring: unknown = null): void {
		if (scoring !== this.#scoring || JSON.stringify(query.selection) !== JSON.stringify(this.#query?.selection)) this.selectionTotal = null;
		this.#scoring = scoring;
		this.#query = query;
		this.#started = true;
		this.#generation++;
		this.#cache.clear();
		this.#stale.clear();
		this.total = null;
		this.problem = null;
		this.#wanted = [0];
		this.version++;
		void this.#pump();
	}

	/**
	 * Reads the same query's rows again where the merchant is (new predictions add columns): the
	 * total, the scroll position and the active row stay; the rows in view are fetched again.
	 */
	refresh(): void {
		if (!this.#query) return;
		this.#generation++;
		// The rows on screen stay until their new versions arrive: no flash of empty rows, and Enter still opens one.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state: `version` redraws
		this.#stale = new Set(this.#cache.pages());
		void this.#pump();
	}

	/** The list shows rows `first` … `last`: fetch the pages it lacks. */
	want(first: number, last: number): void {
		// The pages in view first, then one on each side, so a steady scroll finds its next rows there.
		const pages = pagesFor(first, last, LIST_PAGE);
		const around = [pages[0]! - 1, pages.at(-1)! + 1].filter((p) => p >= 0 && (this.total === null || p * LIST_PAGE < this.total));
		this.#wanted = [...pages, ...around];
		if (pages.some((p) => !this.#cache.has(p) || this.#stale.has(p))) void this.#pump();
	}

	/** Row `index` when fetched (reactive). */
	row(index: number): ExploreRow | undefined {
		void this.version;
		return this.#cache.row(index);
	}

	/** Fetches the wanted pages one request at a time; a scroll changes `#wanted` under it. */
	async #pump(): Promise<void> {
		if (this.#fetching) return;
		this.#fetching = true;
		try {
			for (;;) {
				const query = this.#query;
				const page = this.#wanted.find((p) => !this.#cache.has(p) || this.#stale.has(p));
				if (!query || page === undefined) return;
				const generation = this.#generation;
				const asked = $state.snapshot(query) as CustomerQuery;
				const outcome = await this.#calls.read(
					'list',
					(api) => api.customerWindow(asked, page * LIST_PAGE, LIST_PAGE),
					() => generation === this.#generation
				);
				if (generation !== this.#generation) continue;
				if (!outcome.ok) {
					// Nothing to tell (cancelled again and again): the next scroll asks again.
					if (outcome.problem) this.problem = problemText(outcome.problem);
					else this.#started = false;
					return;
				}
				const window = outcome.value;
				if (!asked.search) this.selectionTotal = window.total;
				this.#cache.set(page, window.rows);
				this.#stale.delete(page);
				this.total = window.total;
				this.hasName = window.hasName;
				this.hasEmail = window.hasEmail;
				if (JSON.stringify(window.predictions) !== JSON.stringify(this.predictions)) this.predictions = window.predictions;
				this.version++;
			}
		} finally {
			this.#fetching = false;
		}
	}
}

export class Explore {
	matrixMetric = $state<MatrixMetric>('customers');
	charts = $state.raw<ExploreCharts | null>(null);
	chartsProblem = $state<string | null>(null);
	/** Columns the merchant chose for the list, in display order. */
	columns = $state<ListColumn[]>([...DEFAULT_LIST_COLUMNS]);
	sort = $state<CustomerQuery['sort']>({ by: 'revenue', descending: true });
	search = $state('');
	readonly rows: CustomerRows;
	profile = $state.raw<CustomerProfile | null>(null);
	profileProblem = $state<string | null>(null);

	readonly #calls: EngineCalls;
	readonly #session: Session;
	#chartsFor: RfmResult | null = null;

	constructor(calls: EngineCalls, session: Session) {
		this.#calls = calls;
		this.#session = session;
		this.rows = new CustomerRows(calls);
	}

	/** The list's selection: the session's (cell, segment, behaviour segment), else everyone. */
	get selection(): CustomerSelection {
		return this.#session.selection ?? { kind: 'all' };
	}

	/** Loads the charts' aggregates once per scoring. */
	async loadCharts(): Promise<void> {
		const rfm = this.#session.analysis?.rfm ?? null;
		if (!rfm || this.#chartsFor === rfm) return;
		this.#chartsFor = rfm;
		this.chartsProblem = null;
		const wanted = () => this.#chartsFor === rfm;
		const outcome = await this.#calls.read('charts', (api) => api.exploreCharts(), wanted);
		if (!wanted()) return;
		if (outcome.ok) this.charts = outcome.value;
		else {
			this.#chartsFor = null;
			if (outcome.problem) this.chartsProblem = problemText(outcome.problem);
		}
	}

	/** Opens one customer's profile. */
	async openProfile(customerId: string): Promise<void> {
		this.profileProblem = null;
		const outcome = await this.#calls.read('profile', (api) => api.customerProfile(customerId));
		if (!outcome.ok) this.profileProblem = outcome.problem ? problemText(outcome.problem) : null;
		else if (outcome.value) this.profile = outcome.value;
		else this.profileProblem = `No scored customer has the id “${customerId}”.`;
	}

	closeProfile(): void {
		this.profile = null;
	}
}

/** The page's explore state, for the views under it; `getExplore` throws outside the page that sets it. */
export const [getExplore, setExplore] = createContext<Explore>();
