/**
 * The customers behind any number of the repeat-purchase views: a description of the number
 * (which question, which group) that a customer list can carry, and its customers as SQL over the
 * journey tables. The description names the analysis date and item level it was counted with, so
 * the engine rebuilds the journey tables for them before listing.
 */
import { cohortCustomersSql, type CohortKind } from './cohort-value';
import { discountCustomersSql, type DiscountGroup } from './discounts';
import { firstOrderCustomersSql, type Grouping, type RepeatHorizon } from './first-order';
import type { ItemLevel } from './journey-orders';
import { nextItemCustomersSql, pathCustomersSql } from './next-purchase';
import { dueForSecondSql, gapCustomersSql } from './order-gaps';

/** Which number of which view. */
export type JourneyAsk =
	/** X's buyers with a next order; with `to`, those whose next order held it. */
	| { q: 'next'; from: string; to: string | null }
	/** Customers whose orders 1, 2 (, 3) are stood for by these items. */
	| { q: 'path'; items: string[] }
	/** A group of first orders; with `within`, its observed customers who ordered again within that many days. */
	| { q: 'first'; dimension: Grouping; group: string; within?: RepeatHorizon }
	/** Customers whose order n was followed by another (within `days` when given). */
	| { q: 'gap'; from: number; days?: { from: number; to: number } }
	/** One-time buyers whose days since their first order lie in [from, to]. */
	| { q: 'due'; from: number; to: number }
	| { q: 'cohort'; kind: CohortKind; cohort: string }
	| { q: 'discount'; group: DiscountGroup; segment?: string };

/** A number's customers: the ask and what it was counted with. */
export interface JourneyCustomers {
	ask: JourneyAsk;
	analysisDate: string;
	level: ItemLevel | null;
}

/** `SELECT customer_id …` of the customers behind the number (journey tables built for its date and level). */
export function journeyCustomersSql({ ask, analysisDate }: JourneyCustomers): string {
	switch (ask.q) {
		case 'next':
			return nextItemCustomersSql(ask.from, ask.to);
		case 'path':
			return pathCustomersSql(ask.items);
		case 'first':
			return firstOrderCustomersSql(ask.dimension, ask.group, ask.within);
		case 'gap':
			return gapCustomersSql(ask.from, ask.days);
		case 'due':
			return dueForSecondSql(analysisDate, ask.from, ask.to);
		case 'cohort':
			return cohortCustomersSql(ask.kind, ask.cohort, analysisDate);
		case 'discount':
			return discountCustomersSql(ask.group, ask.segment);
		default:
			throw new Error(`Unknown journey number ${JSON.stringify(ask satisfies never)}`);
	}
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 500;
const isWhole = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
const LEVELS = ['product', 'sku', 'category'];

/** Whether `v` is a well-formed ask (a link's text is anyone's to write: nothing unchecked reaches SQL builders). */
function isAsk(v: unknown): v is JourneyAsk {
	if (typeof v !== 'object' || v === null) return false;
	const a = v as Record<string, unknown>;
	switch (a.q) {
		case 'next':
			return isText(a.from) && (a.to === null || isText(a.to));
		case 'path':
			return Array.isArray(a.items) && a.items.length >= 2 && a.items.length <= 3 && a.items.every(isText);
		case 'first':
			return (
				['item', 'coupon', 'channel', 'all', 'acquired'].includes(a.dimension as string) &&
				isText(a.group) &&
				(a.within === undefined || [90, 180, 365].includes(a.within as number))
			);
		case 'gap': {
			const d = a.days as Record<string, unknown> | undefined;
			return isWhole(a.from) && (d === undefined || (typeof d === 'object' && d !== null && isWhole(d.from) && isWhole(d.to)));
		}
		case 'due':
			return isWhole(a.from) && isWhole(a.to);
		case 'cohort':
			return ['month', 'quarter', 'item', 'channel', 'coupon'].includes(a.kind as string) && isText(a.cohort);
		case 'discount':
			return ['full_price', 'occasional', 'coupon_only'].includes(a.group as string) && (a.segment === undefined || isText(a.segment));
		default:
			return false;
	}
}

/** The customers of a number as link text (JSON: the asks hold merchants' item names). */
export function encodeJourneyCustomers(customers: JourneyCustomers, label: string): string {
	return JSON.stringify({ ...customers, label });
}

/** Reads `encodeJourneyCustomers`' text; null for anything malformed. */
export function decodeJourneyCustomers(text: string): { customers: JourneyCustomers; label: string } | null {
	let v: unknown;
	try {
		v = JSON.parse(text);
	} catch {
		return null;
	}
	if (typeof v !== 'object' || v === null) return null;
	const o = v as Record<string, unknown>;
	if (!isAsk(o.ask) || !isDate(o.analysisDate) || !(o.level === null || LEVELS.includes(o.level as string)) || !isText(o.label))
		return null;
	return { customers: { ask: o.ask, analysisDate: o.analysisDate, level: o.level as JourneyCustomers['level'] }, label: o.label };
}
