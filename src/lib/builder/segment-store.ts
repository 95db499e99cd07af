/**
 * Saved builder segments, by name, in this browser's IndexedDB (through `idb`, a thin promise
 * wrapper). Nothing is sent anywhere; a segment's definition is plain JSON.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { definitionProblems, type SavedSegment } from './definition';

const DB_NAME = 'rfm-studio';
const STORE = 'segments';

export interface SegmentStore {
	list(): Promise<SavedSegment[]>;
	/** Saves (or replaces) the segment called `segment.name`. */
	save(segment: SavedSegment): Promise<void>;
	remove(name: string): Promise<void>;
}

/** The browser's store; opened once, on first use. */
export function indexedDbSegmentStore(): SegmentStore {
	let db: Promise<IDBPDatabase> | null = null;
	const open = () =>
		(db ??= openDB(DB_NAME, 1, {
			upgrade(database) {
				database.createObjectStore(STORE, { keyPath: 'name' });
			}
		}));
	return {
		async list() {
			const rows = (await (await open()).getAll(STORE)) as SavedSegment[];
			// A record another version wrote that this one cannot read is skipped, not fatal.
			return rows
				.filter((s) => typeof s.name === 'string' && definitionProblems(s.definition).length === 0)
				.sort((a, b) => a.name.localeCompare(b.name));
		},
		async save(segment) {
			await (await open()).put(STORE, structuredClone(segment));
		},
		async remove(name) {
			await (await open()).delete(STORE, name);
		}
	};
}
