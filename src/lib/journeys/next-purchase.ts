/**
 * What they buy next. For customers with at least two orders:
 *
 * - paths: the item standing for each of their first three orders (`journey_items.main`), counted
 *   per path order 1 → 2 and order 1 → 2 → 3;
 * - "after X, next": for each item X, the customers who bought X in an order that was followed by
 *   another (their first such order), and of them the share whose next order held Y. Its lift is
 *   that share over Y's base rate: the share of all repeat customers whose second order held Y. A
 *   lift above 1 means X's buyers pick Y next more often than repeat customers in general.
 */
import type { SqlRunner } from '../db/runner';
import { JOURNEY_ITEMS, JOURNEY_ORDERS } from '../db/tables';
import { str } from '../sql';

/** Customers per path of the items standing for orders 1, 2 (and 3 when `steps` is 3). */
export function pathsSql(steps: 2 | 3): string {
	const items = [1, 2, 3].slice(0, steps);
	return `SELECT ${items.map((n) => `i${n}.item AS item${n}`).join(', ')}, CAST(count(*) AS DOUBLE) AS customers
FROM ${JOURNEY_ITEMS} i1
${items
	.slice(1)
	.map((n) => `JOIN ${JOURNEY_ITEMS} i${n} ON i${n}.customer_id = i1.customer_id AND i${n}.order_number = ${n} AND i${n}.main`)
	.join('\n')}
WHERE i1.order_number = 1 AND i1.main
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
}

/** Per item X: the customers who bought it in an order followed by another (`FROM_BUYERS_SQL`'s CTE). */
const FIRST_FOLLOWED = `SELECT i.customer_id, i.item AS from_item, min(i.order_number) AS k
	FROM ${JOURNEY_ITEMS} i JOIN ${JOURNEY_ORDERS} o ON o.customer_id = i.customer_id AND o.order_number = i.order_number
	WHERE o.next_at IS NOT NULL GROUP BY ALL`;

/** Every "after X, next Y" pair with its customers, share of X's buyers and lift. */
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
	p.customers / fr.buyers / b.rate AS lift
FROM pairs p JOIN froms fr ON fr.from_item = p.from_item JOIN base b ON b.item = p.to_item
ORDER BY p.from_item, p.customers DESC, p.to_item`;

/** The buyers of each item X with a next order (the denominators of `share_of_from`). */
export const FROM_BUYERS_SQL = `SELECT from_item, CAST(count(*) AS DOUBLE) AS buyers FROM (${FIRST_FOLLOWED}) GROUP BY ALL ORDER BY buyers DESC, from_item`;

/** The customers behind a next-purchase number: X's buyers with a next order, or those whose next order held Y. */
export function nextItemCustomersSql(fromItem: string, toItem: string | null): string {
	const firsts = `SELECT customer_id, k FROM (${FIRST_FOLLOWED}) WHERE from_item = ${str(fromItem)}`;
	if (toItem === null) return `SELECT customer_id FROM (${firsts})`;
	return `SELECT f.customer_id FROM (${firsts}) f JOIN ${JOURNEY_ITEMS} j ON j.customer_id = f.customer_id AND j.order_number = f.k + 1 AND j.item = ${str(toItem)}`;
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
	const paths2 = (await db.rows<PathRow>(pathsSql(2))).map(toPath);
	const paths3 = (await db.rows<PathRow>(pathsSql(3))).map(toPath);
	const next = await db.rows<NextItem>(NEXT_ITEMS_SQL);
	const buyers = (await db.rows<{ from_item: string; buyers: number }>(FROM_BUYERS_SQL)).map((r) => ({
		item: r.from_item,
		buyers: r.buyers
	}));
	return { repeatCustomers: repeat?.n ?? 0, paths2, paths3, next, buyers };
}
