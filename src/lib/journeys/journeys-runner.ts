/**
 * The engine's side of the repeat-purchase views: builds the journey tables for the last scoring's
 * analysis date and the item level asked for (once; again only when either changes or the file is
 * scored anew), then answers the question. Lists of the customers behind a number rebuild the
 * tables for the date and level that number was counted with.
 */
import type { SqlRunner } from '../db/runner';
import { FileProblem } from '../errors';
import { cohortValue, type CohortCurve, type CohortKind } from './cohort-value';
import { discountDependency, type DiscountDependency } from './discounts';
import { firstOrderAnalysis, type FirstOrderAnalysis, type FirstOrderDimension } from './first-order';
import type { JourneyCustomers } from './journey-customers';
import { buildJourneyBase, type ItemLevel, type JourneyBase } from './journey-orders';
import { nextPurchase, type NextPurchase } from './next-purchase';
import { orderGaps, type OrderGaps } from './order-gaps';

/** A question of one of the views. `level`: the item level (default: the first the file has). */
export type JourneyRequest =
	| { question: 'next'; level?: ItemLevel | null }
	| { question: 'first'; dimension: FirstOrderDimension; level?: ItemLevel | null }
	| { question: 'gaps' }
	| { question: 'cohorts'; kind: CohortKind; level?: ItemLevel | null }
	| { question: 'discounts' };

/** The answer, with what it was counted with (`base`: analysis date, item level, the file's columns). */
export type JourneyAnswer = { base: JourneyBase } & (
	| { question: 'next'; next: NextPurchase }
	| { question: 'first'; first: FirstOrderAnalysis }
	| { question: 'gaps'; gaps: OrderGaps }
	| { question: 'cohorts'; kind: CohortKind; cohorts: CohortCurve[] }
	| { question: 'discounts'; discounts: DiscountDependency }
);

/** What the runner needs of the page's last scoring. */
export interface JourneyScoring {
	analysisDate: string;
	/** Counts scorings: tables built for an older one are rebuilt. */
	version: number;
}

export class JourneysRunner {
	#built: { base: JourneyBase; asked: ItemLevel | null; version: number } | null = null;

	async #base(db: SqlRunner, scored: JourneyScoring, analysisDate: string, level: ItemLevel | null): Promise<JourneyBase> {
		const b = this.#built;
		if (b && b.version === scored.version && b.base.analysisDate === analysisDate && (b.asked === level || b.base.level === level))
			return b.base;
		this.#built = null;
		const base = await buildJourneyBase(db, analysisDate, level);
		this.#built = { base, asked: level, version: scored.version };
		return base;
	}

	/** Answers a question for the last scoring's analysis date. */
	async answer(db: SqlRunner, scored: JourneyScoring, request: JourneyRequest): Promise<JourneyAnswer> {
		const level = 'level' in request ? (request.level ?? null) : (this.#built?.base.level ?? null);
		const base = await this.#base(db, scored, scored.analysisDate, level);
		const date = scored.analysisDate;
		const needs = (ok: boolean, message: string) => {
			if (!ok) throw new FileProblem(message);
		};
		switch (request.question) {
			case 'next':
				needs(base.level !== null, NEEDS_ITEMS);
				return { base, question: 'next', next: await nextPurchase(db) };
			case 'first':
				needs(request.dimension !== 'item' || base.level !== null, NEEDS_ITEMS);
				needs(request.dimension !== 'coupon' || base.columns.coupon, NEEDS_COUPONS);
				needs(request.dimension !== 'channel' || base.columns.channel, NEEDS_CHANNELS);
				return { base, question: 'first', first: await firstOrderAnalysis(db, request.dimension) };
			case 'gaps':
				return { base, question: 'gaps', gaps: await orderGaps(db, date) };
			case 'cohorts':
				needs(request.kind !== 'item' || base.level !== null, NEEDS_ITEMS);
				needs(request.kind !== 'coupon' || base.columns.coupon, NEEDS_COUPONS);
				needs(request.kind !== 'channel' || base.columns.channel, NEEDS_CHANNELS);
				return { base, question: 'cohorts', kind: request.kind, cohorts: await cohortValue(db, request.kind, date) };
			case 'discounts':
				needs(base.columns.coupon, NEEDS_COUPONS);
				return { base, question: 'discounts', discounts: await discountDependency(db) };
		}
	}

	/** Makes the journey tables those of the number's date and level before its customers are listed. */
	async ensureSelection(db: SqlRunner, scored: JourneyScoring, customers: JourneyCustomers): Promise<void> {
		await this.#base(db, scored, customers.analysisDate, customers.level);
	}
}

export const NEEDS_ITEMS =
	'This needs products: the file has no product, SKU or category column. Map one under "More columns" where the file is read (or export the orders with their line items) to see what customers buy.';
export const NEEDS_COUPONS =
	'This needs coupons: the file has no discount or coupon code column with values. Map one under "More columns" where the file is read (Shopify: "Discount Code"; WooCommerce: "Coupon Code") to see coupon use.';
export const NEEDS_CHANNELS =
	'This needs sales channels: the file has no channel or source column with values. Map one under "More columns" where the file is read to compare channels.';
