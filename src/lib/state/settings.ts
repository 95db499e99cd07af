/**
 * The settings every number on the page is a function of, and how each change the merchant makes
 * moves them. Pure (no Svelte, no DOM): the Session applies changes through `applyChange`, links
 * are read through `settingsFromView`, and the unit tests drive both with random sequences.
 *
 * Why a definition beside the rules in force: a rule set is written for one scale. Rescaling it to
 * another scale loses cells (a 1–5 grid read on 1–4 has no score 3), so rescaling the previous
 * rescale back to 1–5 gave a different map than the preset's own (issue 20, finding 1). The rules
 * in force are therefore always `ruleSetAt(definition, levels)`: rescaled from what the merchant
 * chose or edited, never from an earlier rescale.
 */
import {
	DEFAULT_FIXED,
	DEFAULT_SCORING,
	METRICS,
	type LookBack,
	type Metric,
	type MonetaryBasis,
	type RuleSet,
	type ScoringMethod,
	type ScoringSettings
} from '../rfm/types';
import { GRID_MAP, rescaleRuleSet } from '../rfm/segments';
import type { ViewState } from './url-state';

/** The scoring settings and the rule set as chosen (the definition, on its own scale). */
export interface AnalysisSettings {
	scoring: ScoringSettings;
	definition: RuleSet;
}

/** One change the merchant can make to the settings. */
export type SettingsChange =
	| { kind: 'levels'; levels: number }
	| { kind: 'method'; method: ScoringMethod }
	| { kind: 'monetary'; monetary: MonetaryBasis }
	| { kind: 'window'; lookBack: LookBack }
	| { kind: 'date'; analysisDate: string | null }
	| { kind: 'fixed'; fixed: Record<Metric, number[]> }
	| { kind: 'rules'; set: RuleSet };

/** The settings of a fresh page: default scoring and the R×F grid map. */
export function initialSettings(): AnalysisSettings {
	return { scoring: structuredClone(DEFAULT_SCORING), definition: structuredClone(GRID_MAP) };
}

/** The rule set in force at `levels`: the definition itself on its own scale, otherwise rescaled from it. */
export function ruleSetAt(definition: RuleSet, levels: number): RuleSet {
	return structuredClone(definition.levels === levels ? definition : rescaleRuleSet(definition, levels));
}

/** The rules in force for these settings. */
export function rulesInForce(settings: AnalysisSettings): RuleSet {
	return ruleSetAt(settings.definition, settings.scoring.levels);
}

/**
 * Fixed thresholds for the number of levels: the typed cut points when there are as many as the
 * levels need, otherwise the defaults' first `levels - 1` (a 1–4 scale has three cut points).
 */
export function fitFixed(fixed: Record<Metric, number[]>, levels: number): Record<Metric, number[]> {
	return Object.fromEntries(
		METRICS.map((m) => [m, fixed[m]?.length === levels - 1 ? [...fixed[m]] : DEFAULT_FIXED[m].slice(0, levels - 1)])
	) as Record<Metric, number[]>;
}

/** The settings after one change. A rule set brings its own scale; levels rescale the definition, never the rules in force. */
export function applyChange(settings: AnalysisSettings, change: SettingsChange): AnalysisSettings {
	const scoring = structuredClone(settings.scoring);
	let definition = settings.definition;
	switch (change.kind) {
		case 'levels':
			scoring.levels = change.levels;
			break;
		case 'method':
			scoring.method = change.method;
			break;
		case 'monetary':
			scoring.monetary = change.monetary;
			break;
		case 'window':
			scoring.lookBack = structuredClone(change.lookBack);
			break;
		case 'date':
			scoring.analysisDate = change.analysisDate;
			break;
		case 'fixed':
			scoring.fixed = structuredClone(change.fixed);
			break;
		case 'rules':
			definition = structuredClone(change.set);
			scoring.levels = change.set.levels;
			break;
	}
	scoring.fixed = fitFixed(scoring.fixed, scoring.levels);
	return { scoring, definition };
}

/** Two rule sets say the same (ids, names, rules, words): compared as JSON, as they are plain data. */
export function sameRuleSet(a: RuleSet, b: RuleSet): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The definition to rescale from, given the rules now in force: when the merchant edited the rules
 * in place (rule editor), the edited rules are the new definition; otherwise the definition stays.
 */
export function definitionAfterEdits(definition: RuleSet, inForce: RuleSet, levels: number): RuleSet {
	return sameRuleSet(inForce, ruleSetAt(definition, levels)) ? definition : structuredClone(inForce);
}

/**
 * The settings a link names, applied to a fresh page: its scoring (levels included) and its rule
 * set, rescaled from the set's definition to the link's levels (`current`: the page's own
 * definition, kept when it is the set the link names). `notices` says what the link asked
 * for that could not be applied (a rule set saved in another browser), for the merchant.
 */
export function settingsFromView(
	view: Pick<ViewState, 'scoring' | 'ruleSetId'>,
	choices: readonly RuleSet[],
	current: RuleSet | null = null
): { settings: AnalysisSettings; notices: string[] } {
	const notices: string[] = [];
	const wanted = view.ruleSetId ?? GRID_MAP.id;
	// Back and forward on this page keep the merchant's own edits of the set the link names.
	let definition = current?.id === wanted ? current : choices.find((s) => s.id === wanted);
	if (!definition) {
		notices.push(
			`This link uses a rule set saved in another browser ("${wanted}"); the default segments (R×F grid map) are shown instead.`
		);
		definition = GRID_MAP;
	}
	const scoring = structuredClone(view.scoring);
	scoring.fixed = fitFixed(scoring.fixed, scoring.levels);
	return { settings: { scoring, definition: structuredClone(definition) }, notices };
}
