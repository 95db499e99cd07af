/**
 * The segment builder's state: the definition being edited, its live counts, the fields the file
 * offers and the saved segments with their counts. One per page session (kept across tab changes).
 */
import type { Remote } from 'comlink';
import { CANCELLED, FILE_PROBLEM, type EngineApi } from '../engine/api';
import type { Session } from '../state/session.svelte';
import type { BuilderFields, SegmentCounts } from './builder-engine';
import {
	completeDefinition,
	defaultCondition,
	EMPTY_DEFINITION,
	segmentsFromJson,
	segmentsToJson,
	type FieldId,
	type SavedSegment,
	type SegmentDefinition
} from './definition';
import type { SegmentStore } from './segment-store';

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

	#api: Remote<EngineApi>;
	#store: SegmentStore;
	#request = 0;
	#timer: ReturnType<typeof setTimeout> | null = null;

	constructor(api: Remote<EngineApi>, store: SegmentStore) {
		this.#api = api;
		this.#store = store;
	}

	#fail(e: unknown): void {
		const err = e as { name?: string; message?: string };
		if (err.name === CANCELLED) return;
		this.problem =
			err.name === FILE_PROBLEM
				? (err.message ?? 'The segment could not be counted.')
				: `The segment could not be counted: ${err.message ?? String(e)}`;
	}

	/**
	 * After a file is analysed or scored again: fields, the current counts and every saved segment's counts.
	 * A page step started at the same moment (the customer list following a rescore) cancels ours: try again then.
	 */
	async refresh(attempt = 0): Promise<void> {
		try {
			this.fields = await this.#api.builderFields();
			await this.recount();
			await this.loadSaved();
		} catch (e) {
			if ((e as { name?: string }).name === CANCELLED && attempt < 3) return this.refresh(attempt + 1);
			this.#fail(e);
		}
	}

	/** Counts the complete conditions of the definition now; a newer request makes this one's answer stale. */
	async recount(): Promise<void> {
		const id = ++this.#request;
		const definition = completeDefinition($state.snapshot(this.definition) as SegmentDefinition);
		this.counting = true;
		const t0 = performance.now();
		try {
			const [counts] = await this.#api.builderCount([definition]);
			if (id !== this.#request) return;
			this.counts = counts ?? null;
			this.countMs = Math.round(performance.now() - t0);
			this.problem = null;
		} catch (e) {
			// Cancelled by a page step, not by a newer count of ours: count again once that step is done.
			if (id === this.#request && (e as { name?: string }).name === CANCELLED) this.scheduleCount();
			else if (id === this.#request) this.#fail(e);
		} finally {
			if (id === this.#request) this.counting = false;
		}
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

	async loadSaved(attempt = 0): Promise<void> {
		const segments = await this.#store.list();
		if (attempt === 0) this.saved = segments.map((segment) => ({ segment, counts: null }));
		if (segments.length === 0) return;
		try {
			const counts = await this.#api.builderCount(
				segments.map((s) => s.definition),
				'saved'
			);
			this.saved = segments.map((segment, i) => ({ segment, counts: counts[i] ?? null }));
		} catch (e) {
			if ((e as { name?: string }).name === CANCELLED && attempt < 3) return this.loadSaved(attempt + 1);
			this.#fail(e);
		}
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

const builders = new WeakMap<Session, SegmentBuilder>();

/** The page session's builder, made on first use, so a draft survives switching tabs. */
export function builderFor(session: Session, make: () => SegmentBuilder): SegmentBuilder {
	let builder = builders.get(session);
	if (!builder) builders.set(session, (builder = make()));
	return builder;
}
