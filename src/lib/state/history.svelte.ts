/**
 * The History tab's state: the view state (one plain object, see history/view-state.ts), the
 * results of the last runs, and the saved segments. Results belong to one scoring: a rescore
 * makes them stale and `load` runs again what the view shows. One instance per page, beside the
 * Session (it reads the session's scoring; the session does not know it), shared through context.
 */
import { createContext } from 'svelte';
import type { RfmResult } from '../rfm/analysis';
import { addDays } from '../dates';
import type { CustomerSelection } from '../rfm/customer-list';
import { validateMigrationDates, type MigrationResult } from '../history/migration';
import type { OverTimeResult } from '../history/over-time';
import type { CohortResult } from '../history/cohorts';
import { DEFAULT_HISTORY_VIEW, DEFAULT_MIGRATION_DAYS, type HistoryViewState } from '../history/view-state';
import { browserSavedSegmentStore, type SavedSegment } from './saved-segments';
import type { Session } from './session.svelte';
import type { EngineCalls } from './engine-calls.svelte';

/** Runs `work` inside a performance measure named `name` (the benchmark reads it: tests/bench/history.ts). */
async function measured<T>(name: string, work: () => Promise<T>): Promise<T> {
	const start = performance.now();
	try {
		return await work();
	} finally {
		performance.measure(name, { start, end: performance.now() });
	}
}

export class HistoryView {
	/** What the merchant chose: kept in the URL under `h` (see the page's registerViewKey). */
	state = $state<HistoryViewState>(structuredClone(DEFAULT_HISTORY_VIEW));
	migration = $state.raw<MigrationResult | null>(null);
	overTime = $state.raw<OverTimeResult | null>(null);
	cohorts = $state.raw<CohortResult | null>(null);
	readonly #store = browserSavedSegmentStore();
	saved = $state.raw<SavedSegment[]>(this.#store.list());

	readonly #calls: EngineCalls;
	readonly #session: Session;
	/** The scoring the results belong to, and what each result was computed for. */
	#scoring: RfmResult | null = null;
	#keys = { migration: '', overTime: '', cohorts: '' };
	#generation = 0;

	constructor(calls: EngineCalls, session: Session) {
		this.#calls = calls;
		this.#session = session;
	}

	/** The migration dates in force: the chosen ones, or 90 days before the analysis date and the analysis date. */
	get dates(): { from: string; to: string } | null {
		const analysisDate = this.#session.analysis?.rfm.headline.analysisDate;
		if (!analysisDate) return null;
		const to = this.state.to ?? analysisDate;
		return { from: this.state.from ?? addDays(to, -DEFAULT_MIGRATION_DAYS), to };
	}

	/** Why the chosen migration dates cannot be compared (shown beside them), or null. */
	get dateProblem(): string | null {
		const dates = this.dates;
		return dates ? validateMigrationDates(dates.from, dates.to) : null;
	}

	/**
	 * Runs what is stale, one engine call after another (a new engine call cancels the running one):
	 * the migration first (on screen first), then cohorts (quick), then segment sizes over time.
	 * A newer `load` supersedes this one.
	 */
	async load(): Promise<void> {
		const rfm = this.#session.analysis?.rfm ?? null;
		const dates = this.dates;
		if (!rfm || !dates) return;
		if (rfm !== this.#scoring) {
			this.#scoring = rfm;
			this.#keys = { migration: '', overTime: '', cohorts: '' };
		}
		const generation = ++this.#generation;
		const current = () => generation === this.#generation && rfm === this.#scoring;
		const { grain, cohortGrain } = this.state;

		const migrationKey = `${dates.from}|${dates.to}`;
		// Dates in the wrong order are reported beside the date fields; the other views still load.
		if (this.#keys.migration !== migrationKey && !this.dateProblem) {
			const result = await measured('rfm:history-migration', () =>
				this.#calls.task('analysis', (api) => api.migration(dates.from, dates.to))
			);
			if (!current()) return;
			this.migration = result ?? null;
			this.#keys.migration = result ? migrationKey : '';
		}
		if (this.#keys.cohorts !== cohortGrain) {
			const result = await this.#calls.task('analysis', (api) => api.cohorts(cohortGrain));
			if (!current()) return;
			if (result) this.cohorts = result;
			this.#keys.cohorts = result ? cohortGrain : '';
		}
		if (this.#keys.overTime !== grain) {
			const result = await measured('rfm:history-over-time', () =>
				this.#calls.task('analysis', (api, onProgress) => api.segmentsOverTime(grain, onProgress))
			);
			if (!current()) return;
			if (result) this.overTime = result;
			this.#keys.overTime = result ? grain : '';
		}
	}

	/** Saves a selection (typically a migration flow) under a name; returns a problem, or null. */
	save(name: string, selection: CustomerSelection): string | null {
		const problem = this.#store.save(name, selection);
		this.saved = this.#store.list();
		return problem;
	}

	delete(id: string): void {
		this.#store.delete(id);
		this.saved = this.#store.list();
	}
}

/** The page's History tab state, for the views under it; `getHistory` throws outside the page that sets it. */
export const [getHistory, setHistory] = createContext<HistoryView>();
