/**
 * The arithmetic of a virtual list with fixed-height rows: which rows are on screen for a scroll
 * position, and which pages of rows to fetch. Pure, so it is tested without a browser.
 */

/** Browsers cap an element's height (Firefox near 17.9 million px, Chromium near 33.5 million): a million 32 px rows would not fit. */
export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface WindowInput {
	scrollTop: number;
	/** Height of the scrolling viewport. */
	viewport: number;
	total: number;
	rowHeight: number;
	/** Extra rows drawn above and below the viewport. */
	overscan?: number;
	maxHeight?: number;
}

export interface VisibleWindow {
	/** Height of the scrolling content. */
	height: number;
	/** First and last (inclusive) row index to draw; last < first when there are no rows. */
	first: number;
	last: number;
	/** Where the first drawn row goes, from the top of the scrolling content. */
	top: number;
}

/**
 * Rows to draw for a scroll position. Past `maxHeight` the content is squeezed: scroll position
 * maps linearly onto row positions, and the drawn rows keep their real height and follow the
 * viewport, so the last row is still reachable and a row never appears twice.
 */
export function visibleWindow({
	scrollTop,
	viewport,
	total,
	rowHeight,
	overscan = 4,
	maxHeight = MAX_SCROLL_HEIGHT
}: WindowInput): VisibleWindow {
	const real = total * rowHeight;
	const height = Math.min(real, maxHeight);
	if (total === 0) return { height: 0, first: 0, last: -1, top: 0 };
	const maxScroll = Math.max(0, height - viewport);
	const top = Math.min(Math.max(0, scrollTop), maxScroll);
	// Position in the real (unsqueezed) list that sits at the top of the viewport.
	const realTop = maxScroll === 0 ? 0 : (top / maxScroll) * Math.max(0, real - viewport);
	// The epsilon keeps a row whose top is exactly at the viewport top from rounding to the row above.
	const firstVisible = Math.floor(realTop / rowHeight + 1e-6);
	const first = Math.max(0, firstVisible - overscan);
	const last = Math.min(total - 1, Math.ceil((realTop + viewport) / rowHeight) + overscan);
	return { height, first, last, top: top - (realTop - first * rowHeight) };
}

/** Scroll position that shows row `index` at the top (or as near as the end allows). */
export function scrollTopFor(
	index: number,
	{ viewport, total, rowHeight, maxHeight = MAX_SCROLL_HEIGHT }: Omit<WindowInput, 'scrollTop'>
): number {
	const real = total * rowHeight;
	const height = Math.min(real, maxHeight);
	const maxScroll = Math.max(0, height - viewport);
	const realMax = Math.max(0, real - viewport);
	if (realMax === 0) return 0;
	return Math.min(maxScroll, ((index * rowHeight) / realMax) * maxScroll);
}

/** The pages (of `pageSize` rows) that hold rows `first` … `last`. */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
	if (last < first) return [];
	const pages: number[] = [];
	for (let p = Math.floor(first / pageSize); p <= Math.floor(last / pageSize); p++) pages.push(p);
	return pages;
}

/** A small least-recently-used cache of pages (a Map keeps insertion order: re-inserting marks use). */
export class PageCache<T> {
	#pages = new Map<number, T[]>();
	constructor(
		readonly pageSize: number,
		readonly maxPages: number
	) {}

	has(page: number): boolean {
		return this.#pages.has(page);
	}

	set(page: number, rows: T[]): void {
		this.#pages.delete(page);
		this.#pages.set(page, rows);
		while (this.#pages.size > this.maxPages) this.#pages.delete(this.#pages.keys().next().value!);
	}

	/** Row `index`, or undefined when its page is not here (yet). */
	row(index: number): T | undefined {
		const page = Math.floor(index / this.pageSize);
		const rows = this.#pages.get(page);
		if (!rows) return undefined;
		this.#pages.delete(page);
		this.#pages.set(page, rows);
		return rows[index - page * this.pageSize];
	}

	clear(): void {
		this.#pages.clear();
	}

	/** The page numbers held. */
	pages(): number[] {
		return [...this.#pages.keys()];
	}

	get size(): number {
		return this.#pages.size;
	}
}
