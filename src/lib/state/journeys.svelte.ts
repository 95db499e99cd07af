/**
 * The repeat-purchase view's state: the view state (one plain object in the link under `j`, see
 * journeys/view-state.ts) and the answer to the question on screen. An answer belongs to one
 * scoring and one set of choices: `load` asks again when either changed. One instance per page,
 * beside the Session, shared through context.
 */
import { createContext } from 'svelte';
import type { RfmResult } from '../rfm/analysis';
import type { JourneyAnswer, JourneyRequest } from '../journeys/journeys-runner';
import { DEFAULT_JOURNEYS_VIEW, type JourneysViewState } from '../journeys/view-state';
import type { Problem } from './engine-calls.svelte';
import type { EngineCalls } from './engine-calls.svelte';
import type { Session } from './session.svelte';

/** The engine request for what the view state shows. */
export function requestFor(state: JourneysViewState): JourneyRequest {
	switch (state.question) {
		case 'next':
			return { question: 'next', level: state.level };
		case 'first':
			return { question: 'first', dimension: state.dimension, level: state.level };
		case 'gaps':
			return { question: 'gaps' };
		case 'cohorts':
			return { question: 'cohorts', kind: state.cohortKind, level: state.level };
		case 'discounts':
			return { question: 'discounts' };
	}
}

export class JourneysView {
	state = $state<JourneysViewState>({ ...DEFAULT_JOURNEYS_VIEW });
	answer = $state.raw<JourneyAnswer | null>(null);
	problem = $state.raw<Problem | null>(null);
	loading = $state(false);

	readonly #calls: EngineCalls;
	readonly #session: Session;
	#key = '';
	#scoring: RfmResult | null = null;

	constructor(calls: EngineCalls, session: Session) {
		this.#calls = calls;
		this.#session = session;
	}

	/** Asks the engine for what the view shows unless the answer on screen is for it already. */
	async load(): Promise<void> {
		const rfm = this.#session.analysis?.rfm ?? null;
		if (!rfm) return;
		const request = requestFor(this.state);
		const key = JSON.stringify(request);
		if (rfm === this.#scoring && key === this.#key) return;
		this.#scoring = rfm;
		this.#key = key;
		const current = () => rfm === this.#scoring && key === this.#key;
		this.loading = true;
		const start = performance.now();
		const outcome = await this.#calls.read<JourneyAnswer>('journeys', (api) => api.journeys(request), current);
		if (!current()) return;
		// The benchmark reads how long each question took after the matrix (tests/bench/journeys.ts).
		performance.measure(`rfm:journeys-${request.question}`, { start, end: performance.now() });
		this.loading = false;
		this.answer = outcome.ok ? outcome.value : null;
		this.problem = outcome.ok ? null : outcome.problem;
		if (!outcome.ok) this.#key = '';
	}
}

/** The page's repeat-purchase view state; `getJourneys` throws outside the page that sets it. */
export const [getJourneys, setJourneys] = createContext<JourneysView>();
