/**
 * Are customers buying only with a discount? Per customer, the share of their orders (up to the
 * analysis date) placed with a coupon, and three groups: full price (no coupon ever), occasional
 * (some orders with one) and coupon-only (every order). Shown per RFM segment of the page's
 * scoring, and for customers acquired with and without a coupon: their repeat rate and revenue in
 * the first 365 days (customers observed that long), as in the first-order analysis.
 */
import type { SqlRunner } from '../db/runner';
import { CUSTOMER_SCORES, JOURNEY_CUSTOMERS } from '../db/tables';
import { str } from '../sql';
import { firstOrderSql, toFirstOrderGroup, WITH_COUPON, WITHOUT_COUPON, type FirstOrderGroup } from './first-order';

export type DiscountGroup = 'full_price' | 'occasional' | 'coupon_only';
export const DISCOUNT_GROUPS: readonly DiscountGroup[] = ['full_price', 'occasional', 'coupon_only'];
export const DISCOUNT_GROUP_NAMES: Record<DiscountGroup, string> = {
	full_price: 'Full price',
	occasional: 'Occasional coupon',
	coupon_only: 'Coupon only'
};

/** Per customer: orders, orders with a coupon, the share, the group and revenue. */
export const CUSTOMER_COUPONS_SQL = `SELECT customer_id, orders, coupon_orders, coupon_orders / orders AS coupon_share, revenue,
	CASE WHEN coupon_orders = 0 THEN 'full_price' WHEN coupon_orders = orders THEN 'coupon_only' ELSE 'occasional' END AS discount_group
FROM ${JOURNEY_CUSTOMERS}`;

/** Customers, orders and revenue per discount group (revenue: order amounts up to the analysis date). */
export const DISCOUNT_GROUPS_SQL = `SELECT discount_group, CAST(count(*) AS DOUBLE) AS customers, CAST(sum(orders) AS DOUBLE) AS orders,
	CAST(sum(coupon_orders) AS DOUBLE) AS coupon_orders, CAST(sum(revenue) AS DOUBLE) AS revenue
FROM (${CUSTOMER_COUPONS_SQL}) GROUP BY ALL`;

/** Customers per RFM segment (the page's scoring) and discount group. */
export const SEGMENT_DISCOUNTS_SQL = `SELECT s.segment, c.discount_group, CAST(count(*) AS DOUBLE) AS customers
FROM ${CUSTOMER_SCORES} s JOIN (${CUSTOMER_COUPONS_SQL}) c ON c.customer_id = s.customer_id
GROUP BY ALL ORDER BY s.segment, c.discount_group`;

/** The customers of a discount group, within a segment when given. */
export function discountCustomersSql(group: DiscountGroup, segment?: string): string {
	const base = `SELECT customer_id FROM (${CUSTOMER_COUPONS_SQL}) WHERE discount_group = ${str(group)}`;
	return segment === undefined
		? base
		: `${base} AND customer_id IN (SELECT customer_id FROM ${CUSTOMER_SCORES} WHERE segment = ${str(segment)})`;
}

export interface DiscountGroupRow {
	group: DiscountGroup;
	customers: number;
	orders: number;
	couponOrders: number;
	revenue: number;
}

/** What the discount view shows. */
export interface DiscountDependency {
	groups: DiscountGroupRow[];
	/** Customers per segment and group. */
	segments: { segment: string; counts: Record<DiscountGroup, number> }[];
	/** Customers acquired with a coupon and without one: first-year figures. */
	acquiredWith: FirstOrderGroup | null;
	acquiredWithout: FirstOrderGroup | null;
}

/** Runs the discount queries on the journey tables (and the page's `customer_scores`). */
export async function discountDependency(db: SqlRunner): Promise<DiscountDependency> {
	const raw = await db.rows<{ discount_group: DiscountGroup; customers: number; orders: number; coupon_orders: number; revenue: number }>(
		DISCOUNT_GROUPS_SQL
	);
	const groups = DISCOUNT_GROUPS.map((group) => {
		const r = raw.find((x) => x.discount_group === group);
		return { group, customers: r?.customers ?? 0, orders: r?.orders ?? 0, couponOrders: r?.coupon_orders ?? 0, revenue: r?.revenue ?? 0 };
	});
	const bySegment = new Map<string, Record<DiscountGroup, number>>();
	for (const r of await db.rows<{ segment: string; discount_group: DiscountGroup; customers: number }>(SEGMENT_DISCOUNTS_SQL)) {
		const counts = bySegment.get(r.segment) ?? { full_price: 0, occasional: 0, coupon_only: 0 };
		counts[r.discount_group] = r.customers;
		bySegment.set(r.segment, counts);
	}
	const acquired = (await db.rows<Parameters<typeof toFirstOrderGroup>[0]>(firstOrderSql('acquired'))).map(toFirstOrderGroup);
	return {
		groups,
		segments: [...bySegment.entries()].map(([segment, counts]) => ({ segment, counts })),
		acquiredWith: acquired.find((g) => g.first_item === WITH_COUPON) ?? null,
		acquiredWithout: acquired.find((g) => g.first_item === WITHOUT_COUPON) ?? null
	};
}
