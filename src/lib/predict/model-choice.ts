/**
 * Which repeat-purchase model suits this store: each is fitted on the calibration period and judged
 * on the holdout period it did not see (per-customer error of predicted against actual repeat orders),
 * with log-likelihood and BIC on the calibration data beside it. Out-of-sample error decides because
 * it is what the merchant relies on; BIC decides when there is no holdout period.
 */
import type { FitReport } from './fit';
import { PURCHASE_MODELS, type ModelName, type PurchaseModel } from './models';
import type { PurchaseHistory } from './purchase-history';

/** The holdout period: each customer's actual repeat orders in it, and its length in the history's unit. */
export interface HoldoutActuals {
	actual: ArrayLike<number>;
	length: number;
}

/** One model's showing. */
export interface ModelComparison {
	model: ModelName;
	label: string;
	fit: FitReport<object>;
	/** Converged away from the optimiser's bounds: a fit whose figures can be shown. */
	usable: boolean;
	/** Bayesian information criterion on the calibration data: 4 ln n − 2 LL (lower is better). */
	bic: number;
	/** Mean absolute and root-mean-square error per customer, and the totals, over the holdout; null without one. */
	holdout: { mae: number; rmse: number; predicted: number; actual: number } | null;
}

export interface ModelChoice {
	comparisons: ModelComparison[];
	/** The model used unless the merchant picks another. */
	chosen: ModelName;
	/** Why, in the merchant's words. */
	reason: string;
}

const PARAMETERS = 4;
const two = (v: number) => v.toFixed(2);

function compare(model: PurchaseModel, calibration: PurchaseHistory, holdout: HoldoutActuals | null): ModelComparison {
	const fit = model.fit(calibration);
	const n = fit.customers;
	let errors: ModelComparison['holdout'] = null;
	if (holdout) {
		let abs = 0;
		let squared = 0;
		let predicted = 0;
		let actual = 0;
		for (let i = 0; i < n; i++) {
			const p = model.expectedPurchases(fit.params, holdout.length, calibration.x[i]!, calibration.tx[i]!, calibration.T[i]!);
			const a = holdout.actual[i]!;
			abs += Math.abs(p - a);
			squared += (p - a) ** 2;
			predicted += p;
			actual += a;
		}
		errors = { mae: abs / n, rmse: Math.sqrt(squared / n), predicted, actual };
	}
	return {
		model: model.name,
		label: model.label,
		fit,
		usable: fit.converged && !fit.atBound,
		bic: PARAMETERS * Math.log(n) - 2 * fit.logLikelihood,
		holdout: errors
	};
}

/** Lower error wins; a tie (to a thousandth of an order) goes to the lower BIC. */
function better(a: ModelComparison, b: ModelComparison): boolean {
	if (a.holdout && b.holdout && Math.abs(a.holdout.mae - b.holdout.mae) > 1e-3) return a.holdout.mae < b.holdout.mae;
	return a.bic < b.bic;
}

function reasonFor(best: ModelComparison, others: ModelComparison[]): string {
	const unusable = others.filter((c) => !c.usable).map((c) => c.label);
	const rivals = others.filter((c) => c.usable);
	const notFitted = unusable.length ? ` ${unusable.join(' and ')} did not settle on a fit for these orders.` : '';
	if (best.holdout) {
		const against = rivals.map((c) => `${two(c.holdout!.mae)} for ${c.label}`).join(' and ');
		return (
			`${best.label} predicted the holdout period's repeat orders most closely: off by ${two(best.holdout.mae)} orders per customer on average` +
			(against ? `, against ${against}.` : '.') +
			notFitted
		);
	}
	const against = rivals.map((c) => `${c.label} ${Math.round(c.bic)}`).join(', ');
	return `${best.label} fits the orders best (BIC ${Math.round(best.bic)}${against ? `; ${against}` : ''}; lower is better).` + notFitted;
}

/**
 * Fits every model on `calibration` and picks the one to use: the lowest holdout error among the
 * usable fits (the lowest BIC without a holdout). When no fit is usable, BG/NBD stays chosen and the
 * predictions' own warnings explain why nothing is shown.
 */
export function compareModels(
	calibration: PurchaseHistory,
	holdout: HoldoutActuals | null,
	models: readonly PurchaseModel[] = PURCHASE_MODELS
): ModelChoice {
	const comparisons = models.map((m) => compare(m, calibration, holdout));
	const usable = comparisons.filter((c) => c.usable);
	if (usable.length === 0)
		return { comparisons, chosen: 'bg-nbd', reason: 'No model settled on a fit for these orders, so there is no prediction to trust.' };
	const best = usable.reduce((a, b) => (better(b, a) ? b : a));
	// A fit that settled on one of its model's limits says so: the merchant should know which form is in use.
	const limit = best.fit.limit ? ` ${best.fit.limit}` : '';
	return {
		comparisons,
		chosen: best.model,
		reason:
			reasonFor(
				best,
				comparisons.filter((c) => c !== best)
			) + limit
	};
}
