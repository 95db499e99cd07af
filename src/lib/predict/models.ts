/**
 * The repeat-purchase models side by side, behind one shape, so the holdout comparison, the bootstrap
 * and the per-customer predictions treat BG/NBD, MBG/NBD and Pareto/NBD alike.
 */
import * as bg from './bgnbd';
import * as mbg from './mbg-nbd';
import * as pareto from './pareto-nbd';
import type { FitReport, ModelSpec } from './fit';
import type { GroupedCustomers, PurchaseHistory } from './purchase-history';

export type ModelName = 'bg-nbd' | 'mbg-nbd' | 'pareto-nbd';

/** One repeat-purchase model: its fit and the per-customer quantities, in the history's time unit. */
export interface PurchaseModel<P extends object = object> {
	name: ModelName;
	/** As merchants and analysts write it. */
	label: string;
	/** What sets it apart, in a sentence a merchant can read. */
	summary: string;
	/** The likelihood as the fitter and the bootstrap use it. */
	spec: ModelSpec<P>;
	fit(history: PurchaseHistory): FitReport<P>;
	logLikelihood(history: PurchaseHistory, params: P): number;
	probabilityAlive(params: P, x: number, tx: number, T: number): number;
	expectedPurchases(params: P, t: number, x: number, tx: number, T: number): number;
	/** `expectedPurchases` of every group at each of `horizons`, into out[m][group] (what they share computed once). */
	expectedPurchasesByGroup(params: P, horizons: readonly number[], groups: GroupedCustomers, out: readonly Float64Array[]): void;
	expectedPurchasesNew(params: P, t: number): number;
	probabilityOfOrderWithin(params: P, t: number, x: number, tx: number, T: number): number;
}

/** `expectedPurchasesByGroup` by one `expectedPurchases` per group and horizon (the closed forms are cheap). */
const eachGroup =
	<P>(expected: (params: P, t: number, x: number, tx: number, T: number) => number) =>
	(params: P, horizons: readonly number[], groups: GroupedCustomers, out: readonly Float64Array[]) => {
		for (let i = 0; i < groups.x.length; i++)
			for (let m = 0; m < horizons.length; m++) out[m]![i] = expected(params, horizons[m]!, groups.x[i]!, groups.tx[i]!, groups.T[i]!);
	};

const bgNbd: PurchaseModel<bg.BgNbdParams> = {
	name: 'bg-nbd',
	label: 'BG/NBD',
	summary: 'Customers can only stop buying right after a repeat order, so a one-time buyer always counts as active.',
	spec: bg.BG_NBD,
	fit: bg.fitBgNbd,
	logLikelihood: bg.bgNbdLogLikelihood,
	probabilityAlive: bg.probabilityAlive,
	expectedPurchases: bg.expectedPurchases,
	expectedPurchasesByGroup: eachGroup(bg.expectedPurchases),
	expectedPurchasesNew: bg.expectedPurchasesNew,
	probabilityOfOrderWithin: bg.probabilityOfOrderWithin
};

const mbgNbd: PurchaseModel<mbg.MbgNbdParams> = {
	name: 'mbg-nbd',
	label: 'MBG/NBD',
	summary: 'Like BG/NBD, but a customer can also stop right after the first order, so one-time buyers can be gone.',
	spec: mbg.MBG_NBD,
	fit: mbg.fitMbgNbd,
	logLikelihood: mbg.mbgNbdLogLikelihood,
	probabilityAlive: mbg.mbgProbabilityAlive,
	expectedPurchases: mbg.mbgExpectedPurchases,
	expectedPurchasesByGroup: eachGroup(mbg.mbgExpectedPurchases),
	expectedPurchasesNew: mbg.mbgExpectedPurchasesNew,
	probabilityOfOrderWithin: mbg.mbgProbabilityOfOrderWithin
};

const paretoNbd: PurchaseModel<pareto.ParetoNbdParams> = {
	name: 'pareto-nbd',
	label: 'Pareto/NBD',
	summary: 'Customers can stop at any moment, not only after an order: long silence counts against everyone.',
	spec: pareto.PARETO_NBD,
	fit: pareto.fitParetoNbd,
	logLikelihood: pareto.paretoNbdLogLikelihood,
	probabilityAlive: pareto.paretoProbabilityAlive,
	expectedPurchases: pareto.paretoExpectedPurchases,
	expectedPurchasesByGroup: pareto.paretoExpectedPurchasesByGroup,
	expectedPurchasesNew: pareto.paretoExpectedPurchasesNew,
	probabilityOfOrderWithin: pareto.paretoProbabilityOfOrderWithin
};

/**
 * A model with its parameter type erased, for the list: every function of a model only ever receives
 * parameters from that model's own fit, which the list keeps together.
 */
const erased = <P extends object>(model: PurchaseModel<P>) => model as unknown as PurchaseModel;

/** Every model, in the order they are shown. */
export const PURCHASE_MODELS: readonly PurchaseModel[] = [erased(bgNbd), erased(mbgNbd), erased(paretoNbd)];

/** The model called `name`. */
export function purchaseModel(name: ModelName): PurchaseModel {
	const model = PURCHASE_MODELS.find((m) => m.name === name);
	if (!model) throw new RangeError(`No purchase model called ${name}`);
	return model;
}
