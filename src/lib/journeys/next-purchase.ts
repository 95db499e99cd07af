/**
 * What they buy next. For customers with at least two orders:
 *
 * - paths: the item standing for each of their first three orders (`mainItemsSql`), counted
 *   per path order 1 → 2 and order 1 → 2 → 3;
 * - "after X, next": for each item X, the customers who bought X in an order that was followed by
 *   another (their first such order), and of them the share whose next order held Y. Its lift is
 *   that share over Y's base rate: the share of all repeat customers whose second order held Y. A
 *   lift above 1 means X's buyers pick Y next more often than repeat customers in general.
 */
import type { SqlRunner } from '../db/runner';
import { JOURNEY_ITEMS, JOURNEY_MAIN, JOURNEY_ORDERS } from '../db/tables';
import { mainItemsSql } from './journey-orders';
import { str } from '../sql';

/**
 * Customers per path of the items standing for orders 1, 2 (and 3 when `steps` is 3), from
 * `main`: a relation of `mainItemsSql` rows (by default computed here; `nextPurchase` computes
 * them once for both path lengths).
 */
export function pathsSql(steps: 2 | 3, main = `(${mainItemsSql(steps)})`): string {
	const items = [1, 2, 3].slice(0, steps);
	return `WITH m AS (SELECT * FROM ${main} WHERE order_number <= ${steps})
SELECT ${items.map((n) => `i${n}.item AS item${n}`).join(', ')}, CAST(count(*) AS DOUBLE) AS customers
FROM m i1
${items
	.slice(1)
	.map((n) => `JOIN m i${n} ON i${n}.customer_id = i1.customer_id AND i${n}.order_number = ${n}`)
	.join('\n')}
WHERE i1.order_number = 1
GROUP BY ALL ORDER BY customers DESC, ${items.map((n) => `item${n}`).join(', ')}`;
}

/** One "after X, next Y" pair. */
export interface NextItem {
	from_item: string;
	to_item: string;
	/** Customers of X (with a next order) whose next order held Y. */
	customers: number;
	/** `customers` over X's buyers with a next order. */
	share_of_from: number;
	/** `share_of_from` over Y's base rate (the share of repeat customers whose second order held Y). */
	lift: number;
	/** X's buyers with a next order (the denominator of `share_of_from`). */
	buyers: number;
}

/** Per item X: the customers who bought it in an order followed by another, and the first such order (`k`). */
const FIRST_FOLLOWED = `SELECT customer_id, item AS from_item, min(order_number) AS k FROM ${JOURNEY_ITEMS} WHERE order_number < orders GROUP BY ALL`;

/** Every "after X, next Y" pair with its customers, X's buyers, the share of them and the lift. */
export const NEXT_ITEMS_SQL = `WITH firsts AS (${FIRST_FOLLOWED}),
froms AS (SELECT from_item, count(*) AS buyers FROM firsts GROUP BY ALL),
repeaters AS (SELECT count(*) AS n FROM ${JOURNEY_ORDERS} WHERE order_number = 2),
base AS (SELECT item, count(*) / (SELECT n FROM repeaters) AS rate FROM ${JOURNEY_ITEMS} WHERE order_number = 2 GROUP BY ALL),
pairs AS (
	SELECT f.from_item, j.item AS to_item, count(*) AS customers
	FROM firsts f JOIN ${JOURNEY_ITEMS} j ON j.customer_id = f.customer_id AND j.order_number = f.k + 1
	GROUP BY ALL
)
SELECT p.from_item, p.to_item, CAST(p.customers AS DOUBLE) AS customers, p.customers / fr.buyers AS share_of_from,
	p.customers / fr.buyers / b.rate AS lift, CAST(fr.buyers AS DOUBLE) AS buyers
FROM pairs p JOIN froms fr ON fr.from_item = p.from_item JOIN base b ON b.item = p.to_item
ORDER BY p.from_item, p.customers DESC, p.to_item`;

/** The customers behind a next-purchase number: X's buyers with a next order, or those whose next order held Y. */
export function nextItemCustomersSql(fromItem: string, toItem: string | null): string {
	const firsts = `SELECT customer_id, k FROM (${FIRST_FOLLOWED}) WHERE from_item = ${str(fromItem)}`;
	if (toItem === null) return `SELECT customer_id FROM (${firsts})`;
	return `SELECT f.customer_id FROM (${firsts}) f JOIN ${JOURNEY_ITEMS} j ON j.customer_id = f.customer_id AND j.order_number = f.k + 1 AND j.item = ${str(toItem)}`;
}

/** The customers whose orders 1, 2 (, 3) are stood for by `items`, in order. */
export function pathCustomersSql(items: readonly string[]): string {
	if (items.length < 2 || items.length > 3) throw new Error(`A path has 2 or 3 items, not ${items.length}.`);
	return `WITH m AS (${mainItemsSql(items.length)})
SELECT customer_id FROM m GROUP BY customer_id
HAVING ${items.map((item, k) => `count(*) FILTER (WHERE order_number = ${k + 1} AND item = ${str(item)}) = 1`).join(' AND ')}`;
}

/** A path of the items standing for orders 1 → 2 (→ 3), with its customers. */
export interface ItemPath {
	items: string[];
	customers: number;
}

/** What the next-purchase view shows. */
export interface NextPurchase {
	/** Customers with at least two orders (whose paths are counted). */
	repeatCustomers: number;
	paths2: ItemPath[];
	paths3: ItemPath[];
	next: NextItem[];
	/** Per item X, its buyers with a next order. */
	buyers: { item: string; buyers: number }[];
}

/** Runs the next-purchase queries on the journey tables (`buildJourneyBase` with an item level). */
export async function nextPurchase(db: SqlRunner): Promise<NextPurchase> {
	const [repeat] = await db.rows<{ n: number }>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM ${JOURNEY_ORDERS} WHERE order_number = 2`);
	type PathRow = { item1: string; item2: string; item3?: string; customers: number };
	const toPath = (r: PathRow): ItemPath => ({
		items: [r.item1, r.item2, ...(r.item3 === undefined ? [] : [r.item3])],
		customers: r.customers
	});
	await db.run(`CREATE OR REPLACE TEMP TABLE ${JOURNEY_MAIN} AS ${mainItemsSql(3)}`);
	const paths2 = (await db.rows<PathRow>(pathsSql(2, JOURNEY_MAIN))).map(toPath);
	const paths3 = (await db.rows<PathRow>(pathsSql(3, JOURNEY_MAIN))).map(toPath);
	await db.run(`DROP TABLE IF EXISTS ${JOURNEY_MAIN}`);
	const next = await db.rows<NextItem>(NEXT_ITEMS_SQL);
	// X's buyers ride along on its pairs (an X whose next orders hold no items has no pairs to show).
	const byItem = new Map(next.map((n) => [n.from_item, n.buyers]));
	const buyers = [...byItem].map(([item, n]) => ({ item, buyers: n })).sort((a, b) => b.buyers - a.buyers || a.item.localeCompare(b.item));
	return { repeatCustomers: repeat?.n ?? 0, paths2, paths3, next, buyers };
}
