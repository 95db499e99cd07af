/**
 * What the explore views show: the matrix metric, the charts' aggregates, the customer list
 * (query, chosen columns, rows fetched a page at a time) and the open customer profile. One
 * instance per page, beside the Session, shared through context.
 */
import { getContext, setContext } from 'svelte';
import type { Remote } from 'comlink';
import { CANCELLED, type EngineApi } from '../engine/api';
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

/** Rows per request: a screenful or three, small enough to come back in a frame or two. */
export const LIST_PAGE = 100;
/** Pages kept: about 40 screens, a few hundred KB. */
const CACHED_PAGES = 40;

/** Retries a read that a newer engine step cancelled (the engine runs one thing at a time). */
async function read<T>(call: () => Promise<T>): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await call();
		} catch (e) {
			if ((e as { name?: string }).name !== CANCELLED || attempt >= 5) throw e;
			await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
		}
	}
}

/**
 * The customer list's rows: a query's rows fetched a page at a time as the list asks for them,
 * one request at a time, newest wish first, with a small LRU cache.
 */
export class CustomerRows {
	/** Customers matching the query; null until the first answer. */
	total = $state<number | null>(null);
	hasName = $state(false);
	hasEmail = $state(false);
	/** The prediction columns the rows carry (null: no predictions). */
	predictions = $state.raw<PredictionColumns | null>(null);
	/** Bumped when a page arrives: rows read through `row()` redraw. */
	version = $state(0);
	problem = $state<string | null>(null);

	#api: Remote<EngineApi>;
	#cache = new PageCache<ExploreRow>(LIST_PAGE, CACHED_PAGES);
	#query: CustomerQuery | null = null;
	#generation = 0;
	#wanted: number[] = [0];
	/** Pages held from before a refresh: shown, but fetched again when wanted. Not reactive: `version` redraws. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#stale = new Set<number>();
	#fetching = false;

	constructor(api: Remote<EngineApi>) {
		this.#api = api;
	}

	/** Starts over with another query (or the same after a rescoring). */
	reset(query: CustomerQuery): void {
		this.#query = query;
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
				const window = await read(() => this.#api.customerWindow($state.snapshot(query) as CustomerQuery, page * LIST_PAGE, LIST_PAGE));
				if (generation !== this.#generation) continue;
				this.#cache.set(page, window.rows);
				this.#stale.delete(page);
				this.total = window.total;
				this.hasName = window.hasName;
				this.hasEmail = window.hasEmail;
				if (JSON.stringify(window.predictions) !== JSON.stringify(this.predictions)) this.predictions = window.predictions;
				this.version++;
			}
		} catch (e) {
			this.problem = `The customer list could not be read: ${(e as Error).message ?? String(e)}`;
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

	#api: Remote<EngineApi>;
	#session: Session;
	#chartsFor: RfmResult | null = null;

	constructor(api: Remote<EngineApi>, session: Session) {
		this.#api = api;
		this.#session = session;
		this.rows = new CustomerRows(api);
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
		try {
			const charts = await read(() => this.#api.exploreCharts());
			if (this.#chartsFor === rfm) this.charts = charts;
		} catch (e) {
			this.#chartsFor = null;
			this.chartsProblem = `The charts could not be computed: ${(e as Error).message ?? String(e)}`;
		}
	}

	/** Opens one customer's profile. */
	async openProfile(customerId: string): Promise<void> {
		this.profileProblem = null;
		try {
			const profile = await read(() => this.#api.customerProfile(customerId));
			if (profile) this.profile = profile;
			else this.profileProblem = `No scored customer has the id “${customerId}”.`;
		} catch (e) {
			this.profileProblem = `This customer could not be read: ${(e as Error).message ?? String(e)}`;
		}
	}

	closeProfile(): void {
		this.profile = null;
	}
}

const KEY = Symbol('rfm-explore');

export function setExplore(explore: Explore): Explore {
	return setContext(KEY, explore);
}

/** The page's explore state; throws outside the page that provides it. */
export function getExplore(): Explore {
	const explore = getContext<Explore | undefined>(KEY);
	if (!explore) throw new Error('getExplore() needs an Explore set by the page (setExplore)');
	return explore;
}
