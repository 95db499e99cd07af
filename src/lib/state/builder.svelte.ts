/**
 * The segment builder's state: the definition being edited, its live counts, the fields the file
 * offers and the saved segments with their counts. One per page (kept across tab changes), beside
 * the Session, shared through context. The SQL it runs is built in `builder/` (worker side).
 */
import { createContext } from 'svelte';
import type { BuilderFields, SegmentCounts } from '../builder/builder-engine';
import {
	completeDefinition,
	defaultCondition,
	EMPTY_DEFINITION,
	segmentsFromJson,
	segmentsToJson,
	type FieldId,
	type SavedSegment,
	type SegmentDefinition
} from '../builder/definition';
import type { SegmentStore } from '../builder/segment-store';
import { problemText, type EngineCalls, type Problem } from './engine-calls.svelte';

/** Quiet time after the last edit before counting: typing "250" counts once, not three times. */
export const COUNT_DEBOUNCE_MS = 120;

export class SegmentBuilder {
	definition = $state<SegmentDefinition>(structuredClone(EMPTY_DEFINITION));
	/** The name the segment is saved under (the saved segment being edited, when one was opened). */
	name = $state('');
	fields = $state.raw<BuilderFields | null>(null);
	counts = $state.raw<SegmentCounts | null>(null);
	/** Milliseconds the last count took, from asking to answer. */
	countMs = $state<number | null>(null);
	counting = $state(false);
	saved = $state.raw<{ segment: SavedSegment; counts: SegmentCounts | null }[]>([]);
	/** A problem for the merchant (a bad import, a failed query). */
	problem = $state<string | null>(null);
	/** A short confirmation ("Saved “VIP”."), read out politely. */
	notice = $state<string | null>(null);

	readonly #calls: EngineCalls;
	readonly #store: SegmentStore;
	#request = 0;
	#timer: ReturnType<typeof setTimeout> | null = null;
	/** Counts refreshes: a refresh that a newer one replaced stops asking. */
	#refreshes = 0;

	constructor(calls: EngineCalls, store: SegmentStore) {
		this.#calls = calls;
		this.#store = store;
	}

	#fail(problem: Problem | null): void {
		if (problem) this.problem = problemText(problem);
	}

	/** After a file is analysed or scored again: fields, the current counts and every saved segment's counts. */
	async refresh(): Promise<void> {
		const refresh = ++this.#refreshes;
		const fields = await this.#calls.read(
			'count',
			(api) => api.builderFields(),
			() => refresh === this.#refreshes
		);
		if (refresh !== this.#refreshes) return;
		if (!fields.ok) return this.#fail(fields.problem);
		this.fields = fields.value;
		await this.recount();
		await this.loadSaved();
	}

	/** Counts the complete conditions of the definition now; a newer request makes this one's answer stale. */
	async recount(): Promise<void> {
		const id = ++this.#request;
		const definition = completeDefinition($state.snapshot(this.definition) as SegmentDefinition);
		this.counting = true;
		const t0 = performance.now();
		const current = () => id === this.#request;
		// A page step (the customer list following a rescore) may cancel the count: it is asked again.
		const outcome = await this.#calls.read('count', (api) => api.builderCount([definition]), current);
		if (!current()) return;
		this.counting = false;
		if (!outcome.ok) return this.#fail(outcome.problem);
		this.counts = outcome.value[0] ?? null;
		this.countMs = Math.round(performance.now() - t0);
		this.problem = null;
	}

	/** Recounts after a pause in editing (see COUNT_DEBOUNCE_MS). */
	scheduleCount(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.counting = true;
		++this.#request;
		this.#timer = setTimeout(() => {
			this.#timer = null;
			void this.recount();
		}, COUNT_DEBOUNCE_MS);
	}

	/** The saved segments, listed at once, with their counts on the current file once counted. */
	async loadSaved(): Promise<void> {
		const segments = await this.#store.list();
		this.saved = segments.map((segment) => ({ segment, counts: null }));
		if (segments.length === 0) return;
		const outcome = await this.#calls.read('count', (api) =>
			api.builderCount(
				segments.map((s) => s.definition),
				'saved'
			)
		);
		if (!outcome.ok) return this.#fail(outcome.problem);
		this.saved = segments.map((segment, i) => ({ segment, counts: outcome.value[i] ?? null }));
	}

	addGroup(): void {
		this.definition.groups.push({ match: 'all', conditions: [defaultCondition('orders')] });
	}

	removeGroup(index: number): void {
		this.definition.groups.splice(index, 1);
		if (this.definition.groups.length === 0) this.definition.groups.push({ match: 'all', conditions: [] });
	}

	addCondition(group: number, field: FieldId = 'orders'): void {
		this.definition.groups[group]?.conditions.push(defaultCondition(field));
	}

	removeCondition(group: number, index: number): void {
		this.definition.groups[group]?.conditions.splice(index, 1);
	}

	/** Changes a condition's field, starting it over with that field's default operator and value. */
	setField(group: number, index: number, field: FieldId): void {
		const conditions = this.definition.groups[group]?.conditions;
		if (conditions) conditions[index] = defaultCondition(field);
	}

	/** Starts a new segment from a definition (a saved one, or a ready-made one). */
	edit(definition: SegmentDefinition, name: string): void {
		this.definition = structuredClone(definition);
		this.name = name;
		this.notice = null;
	}

	clear(): void {
		this.edit(EMPTY_DEFINITION, '');
	}

	async save(): Promise<void> {
		const name = this.name.trim();
		if (!name) {
			this.problem = 'Give the segment a name to save it.';
			return;
		}
		await this.#store.save({ name, definition: $state.snapshot(this.definition) as SegmentDefinition });
		this.notice = `Saved “${name}”.`;
		this.problem = null;
		await this.loadSaved();
	}

	async remove(name: string): Promise<void> {
		await this.#store.remove(name);
		this.notice = `Deleted “${name}”.`;
		await this.loadSaved();
	}

	exportJson(): string {
		return segmentsToJson(this.saved.map((s) => s.segment));
	}

	/** Imports a segments file: all of it, or nothing with the reasons. Segments with the same name are replaced. */
	async importJson(text: string): Promise<void> {
		const result = segmentsFromJson(text);
		if ('problems' in result) {
			this.problem = `The segments file was not imported. ${result.problems.join(' ')}`;
			return;
		}
		for (const segment of result.segments) await this.#store.save(segment);
		this.problem = null;
		this.notice = `Imported ${result.segments.length === 1 ? '1 segment' : `${result.segments.length} segments`}.`;
		await this.loadSaved();
	}
}

/** The page's segment builder, for the views under it; `getBuilder` throws outside the page that sets it. */
export const [getBuilder, setBuilder] = createContext<SegmentBuilder>();
