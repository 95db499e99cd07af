/**
 * How large a file this browser can analyse, said before reading it rather than after memory ran
 * out. A browser tab gives DuckDB one WebAssembly memory (DuckDB keeps it to `memory_limit`,
 * 3.1 GiB by default) and no disk to spill to, so the limit is the orders and customers kept in
 * memory plus the grouping of one pass (see `orderPasses`).
 */

/** DuckDB-WASM's own `memory_limit` (3.1 GiB), for callers that did not read the setting. */
export const DEFAULT_MEMORY_LIMIT = 3.1 * 2 ** 30;

/**
 * Memory the grouping of orders may hold at once: above it the orders are grouped in several passes
 * over the file (`OrderPart` in ingest-sql.ts); a third of a smaller memory limit.
 */
export const GROUPING_BUDGET_BYTES = 1.25 * 2 ** 30;

/**
 * What one order costs while grouping, by how many optional fields (status, e-mail, names, country…)
 * are kept per order: each is a text aggregate. Measured on DuckDB-WASM: the bench file's 4 columns,
 * 140 bytes an order (5M orders grew its memory by 680 MB); a 24-column Shopify export with 13 of
 * them, about 730 bytes (2M lines, 667k orders, 486 MB).
 */
export function groupingBytesPerOrder(optionalFields: number): number {
	return 140 + 46 * optionalFields;
}

function groupingBudget(memoryLimit: number): number {
	return Math.min(GROUPING_BUDGET_BYTES, memoryLimit / 3);
}

/** How many passes group about `orders` orders of `bytesPerOrder` each within the budget. */
export function orderPasses(orders: number, memoryLimit = DEFAULT_MEMORY_LIMIT, bytesPerOrder = groupingBytesPerOrder(0)): number {
	return Math.max(1, Math.ceil((orders * bytesPerOrder) / groupingBudget(memoryLimit)));
}

/**
 * The share of a file's rows that start an order, from a sample of its rows: the distinct order
 * ids among them (1 without an order id column: every row is an order). A line-item export has
 * several rows an order, so fewer orders to group than rows.
 */
export function ordersPerRow(orderIds: readonly string[] | null): number {
	if (!orderIds || orderIds.length === 0) return 1;
	const ids = orderIds.map((v) => v.trim());
	return Math.min(1, new Set(ids.filter((v) => v !== '')).size / ids.length + ids.filter((v) => v === '').length / ids.length);
}

/**
 * What a file row keeps in memory once analysed, at most: its order in the compressed orders
 * table and its share of the per-customer tables (measured: 5M rows of the bench file, about a
 * million customers, kept 254 MB; a row is rarely less than one fifth of a customer).
 */
export const RESIDENT_BYTES_PER_ROW = 60;

/** Memory that is not the file's: DuckDB itself, the scores' summaries, the page's reads (a quarter of a smaller limit). */
export const BASE_BYTES = 256 * 2 ** 20;

/** About how many rows a text file of `bytes` holds, from the lines of its start (`head`). */
export function estimateRows(bytes: number, head: string): number {
	const lines = head.split('\n');
	// The last line of the head may be cut short; a head that is the whole file has no more.
	const whole = lines.length > 1 ? lines.slice(0, -1) : lines;
	const headBytes = new TextEncoder().encode(whole.join('\n')).length + whole.length;
	if (whole.length === 0 || headBytes === 0) return 0;
	return Math.round((bytes / headBytes) * whole.length);
}

/** DuckDB's `memory_limit` setting as bytes ('3.1 GiB', '64.0 MiB', '500 MB'); null when unreadable. */
export function parseMemoryLimit(text: string): number | null {
	const m = /^\s*([\d.]+)\s*(bytes|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.exec(text);
	if (!m) return null;
	const unit = m[2]!.toLowerCase();
	const power = { bytes: 0, b: 0, kb: 1, kib: 1, mb: 2, mib: 2, gb: 3, gib: 3, tb: 4, tib: 4 }[unit] ?? 0;
	return Number(m[1]) * (unit.includes('i') ? 1024 : unit === 'bytes' || unit === 'b' ? 1 : 1000) ** power;
}

/** The most rows a file may have to be analysed within `memoryLimit` bytes. */
export function capacityRows(memoryLimit: number): number {
	const base = Math.min(BASE_BYTES, memoryLimit / 4);
	return Math.max(0, Math.floor((memoryLimit - base - groupingBudget(memoryLimit)) / RESIDENT_BYTES_PER_ROW));
}

const count = new Intl.NumberFormat('en', { maximumSignificantDigits: 2 });
const size = (bytes: number) =>
	bytes >= 2 ** 30
		? `${(bytes / 2 ** 30).toFixed(1)} GB`
		: bytes >= 2 ** 20
			? `${Math.round(bytes / 2 ** 20)} MB`
			: `${Math.round(bytes / 1024)} KB`;

/**
 * The merchant's message for a file beyond this browser: how big it is, how much fits, what was
 * read (`readShare`, 0–1, when reading had started before memory ran out), and what to do.
 */
export function tooLargeMessage(file: { rows: number; bytes: number }, memoryLimit: number, readShare: number | null = null): string {
	// The share read is known from DuckDB's progress, which a short or a final step may not report.
	const read =
		readShare === null
			? 'Nothing was read: the page is ready for another file.'
			: readShare < 0.01 || readShare > 0.99
				? 'Memory ran out while it was read; nothing of it was kept, and the page is ready for another file.'
				: `Reading stopped when memory ran out, after about ${Math.round(readShare * 100)} % of the file (about ${count.format(Math.round(readShare * file.rows))} rows); nothing of it was kept, and the page is ready for another file.`;
	return (
		`This file has about ${count.format(file.rows)} rows (${size(file.bytes)}): more than this browser can analyse at once ` +
		`(about ${count.format(capacityRows(memoryLimit))} rows, with the ${size(memoryLimit)} of memory a browser tab gives the analysis). ${read} ` +
		'Export a shorter period (for example the last two or three years) or split the export by date, and drop the most recent part.'
	);
}
