/**
 * The engine's side of the History tab: runs the history SQL with the settings and rules of the
 * page's last scoring, and remembers which dates `history_migration` holds, so a customer list of
 * a migration flow rebuilds it when it belongs to other dates or an older scoring.
 */
import { resolveWindow } from '../rfm/analysis';
import type { SqlRunner } from '../db/runner';
import { FileProblem } from '../errors';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import type { CustomerSelection } from '../rfm/customer-list';
import { computeMigration, validateMigrationDates, type MigrationResult } from './migration';
import { segmentsOverTime, type OverTimeResult } from './over-time';
import { computeCohorts, type CohortGrain, type CohortResult } from './cohorts';
import type { Grain } from './periods';

/** The page's last finished scoring: what every history view re-scores with. */
export interface ScoredContext {
	settings: ScoringSettings;
	ruleSet: RuleSet;
	/** Counts scorings, so results of an older one are never reused. */
	version: number;
}

export class HistoryRunner {
	#migration: { from: string; to: string; version: number } | null = null;

	/** Scores as of both dates and returns the flows between them. */
	async migration(db: SqlRunner, scored: ScoredContext, from: string, to: string): Promise<MigrationResult> {
		const problem = validateMigrationDates(from, to);
		if (problem) throw new FileProblem(problem);
		this.#migration = null;
		const result = await computeMigration(db, scored.settings, scored.ruleSet, from, to);
		this.#migration = { from, to, version: scored.version };
		return result;
	}

	/** Builds `history_migration` for a migration selection unless it already holds those dates for this scoring. */
	async ensureSelection(db: SqlRunner, scored: ScoredContext, selection: CustomerSelection): Promise<void> {
		if (selection.kind !== 'migration') return;
		const built = this.#migration;
		if (built && built.from === selection.from && built.to === selection.to && built.version === scored.version) return;
		await this.migration(db, scored, selection.from, selection.to);
	}

	/** Segment sizes per week, month or quarter, from the first order to the analysis date. */
	async overTime(
		db: SqlRunner,
		scored: ScoredContext,
		grain: Grain,
		onPeriod?: (done: number, total: number) => void
	): Promise<OverTimeResult> {
		const { analysisDate } = await resolveWindow(db, scored.settings);
		const [row] = await db.rows<{ first: string | null }>(`SELECT strftime(min(ordered_at), '%Y-%m-%d') AS first FROM orders`);
		if (!row?.first) throw new FileProblem('There are no orders to look back on.');
		return segmentsOverTime(db, scored.settings, scored.ruleSet, { firstOrder: row.first, analysisDate }, grain, undefined, onPeriod);
	}

	/** Acquisition cohorts by month or quarter of first order, orders up to the analysis date. */
	async cohorts(db: SqlRunner, scored: ScoredContext, grain: CohortGrain): Promise<CohortResult> {
		const { analysisDate } = await resolveWindow(db, scored.settings);
		return computeCohorts(db, grain, analysisDate);
	}
}
