/**
 * Customer selections the merchant saved under a name ("were Champions, now At Risk"), kept in
 * this browser (localStorage). A saved segment is its definition (a migration flow between two
 * dates, a segment, a cell…), never customer data: opening it on the same file lists the same
 * customers.
 */
import type { CustomerSelection } from '../rfm/customer-list';

export interface SavedSegment {
	id: string;
	name: string;
	selection: CustomerSelection;
	savedAt: string;
}

export type SegmentStorage = Pick<Storage, 'getItem' | 'setItem'>;

const KEY = 'rfm-studio.saved-segments';

export interface SavedSegmentStore {
	list(): SavedSegment[];
	/** Saves under the name (trimmed; a segment with the same name is replaced). Returns a problem for the merchant, or null. */
	save(name: string, selection: CustomerSelection): string | null;
	delete(id: string): void;
}

function isSaved(x: unknown): x is SavedSegment {
	const o = x as SavedSegment;
	return typeof o?.id === 'string' && typeof o.name === 'string' && typeof o.selection?.kind === 'string';
}

/** A store over `storage`; null (storage refused by the browser) keeps nothing and says so. */
export function createSavedSegmentStore(storage: SegmentStorage | null): SavedSegmentStore {
	const read = (): SavedSegment[] => {
		try {
			const parsed: unknown = JSON.parse(storage?.getItem(KEY) ?? '[]');
			return Array.isArray(parsed) ? parsed.filter(isSaved) : [];
		} catch {
			return [];
		}
	};
	const write = (list: SavedSegment[]) => storage?.setItem(KEY, JSON.stringify(list));
	return {
		list: read,
		save(name, selection) {
			const trimmed = name.trim();
			if (trimmed === '') return 'Give the segment a name.';
			if (!storage) return 'This browser does not let the page keep saved segments.';
			const list = read().filter((s) => s.name !== trimmed);
			list.push({
				id: `${Date.now().toString(36)}-${list.length}`,
				name: trimmed,
				selection: structuredClone(selection),
				savedAt: new Date().toISOString()
			});
			try {
				write(list);
				return null;
			} catch (e) {
				return `The browser would not keep the segment (${String(e)}).`;
			}
		},
		delete(id) {
			try {
				write(read().filter((s) => s.id !== id));
			} catch {
				// Storage refused: nothing was saved there either.
			}
		}
	};
}

/** The page's store over localStorage (or nothing when the browser blocks it). */
export function browserSavedSegmentStore(): SavedSegmentStore {
	let storage: SegmentStorage | null;
	try {
		storage = globalThis.localStorage ?? null;
	} catch {
		storage = null;
	}
	return createSavedSegmentStore(storage);
}
