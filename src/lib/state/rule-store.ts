/**
 * Merchants' own rule sets, kept in the browser (localStorage), one key per set in the same JSON
 * format as exported files. A stored entry that cannot be read (edited by hand, written by a newer
 * version) is skipped with a warning and left in place, so nothing the merchant made is deleted
 * behind their back.
 */
import { parseRuleSet, serializeRuleSet, validateRuleSet } from '../rfm/rule-json';
import { isPresetId } from '../rfm/segments';
import type { RuleSet } from '../rfm/types';

/** The part of the Web Storage API the store uses (a fake in tests). */
export type RuleStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** Keys of stored rule sets start with this, followed by the set's id. */
export const RULE_STORE_PREFIX = 'rfm-studio.rule-set.';

export type SaveResult = { ok: true } | { ok: false; errors: string[] };

export interface RuleStore {
	/** The stored rule sets that can be read, by name. */
	list(): RuleSet[];
	get(id: string): RuleSet | null;
	/** Validates and stores a set under its id, replacing a stored set with the same id. */
	save(set: RuleSet): SaveResult;
	/** Removes a stored set; false when there was none. */
	delete(id: string): boolean;
}

export interface RuleStoreOptions {
	/** Where problems with stored data are reported (default: console.warn). */
	warn?: (message: string) => void;
}

/**
 * A rule store over `storage`; with null (no localStorage, or the browser refuses access) it lists
 * nothing and refuses to save, with a message the page can show.
 */
export function createRuleStore(storage: RuleStorage | null, options: RuleStoreOptions = {}): RuleStore {
	const warn = options.warn ?? ((message: string) => console.warn(message));

	const keys = (): string[] => {
		if (!storage) return [];
		const out: string[] = [];
		try {
			for (let i = 0; i < storage.length; i++) {
				const key = storage.key(i);
				if (key?.startsWith(RULE_STORE_PREFIX)) out.push(key);
			}
		} catch (e) {
			warn(`Could not read saved rule sets: ${String(e)}`);
		}
		return out;
	};

	const read = (key: string): RuleSet | null => {
		let text: string | null;
		try {
			text = storage?.getItem(key) ?? null;
		} catch (e) {
			warn(`Could not read saved rule set ${key}: ${String(e)}`);
			return null;
		}
		if (text === null) return null;
		const parsed = parseRuleSet(text);
		if (!parsed.ok) {
			warn(`Ignoring saved rule set ${key}, which cannot be read: ${parsed.errors.join('; ')}`);
			return null;
		}
		if (RULE_STORE_PREFIX + parsed.set.id !== key) {
			warn(`Ignoring saved rule set ${key}: it holds the rule set "${parsed.set.id}"`);
			return null;
		}
		return parsed.set;
	};

	return {
		list() {
			return keys()
				.map(read)
				.filter((s): s is RuleSet => s !== null)
				.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
		},
		get(id) {
			return read(RULE_STORE_PREFIX + id);
		},
		save(set) {
			const errors = validateRuleSet(set);
			if (isPresetId(set.id)) errors.push(`"${set.id}" is the id of a built-in rule set: save your version under another id`);
			if (errors.length > 0) return { ok: false, errors };
			if (!storage) return { ok: false, errors: ['This browser does not let the page keep rule sets; export them to a file instead'] };
			try {
				storage.setItem(RULE_STORE_PREFIX + set.id, serializeRuleSet(set));
				return { ok: true };
			} catch (e) {
				// Quota exceeded, or storage disabled by the browser's privacy settings.
				return { ok: false, errors: [`The browser would not keep the rule set (${String(e)}); export it to a file instead`] };
			}
		},
		delete(id) {
			const key = RULE_STORE_PREFIX + id;
			try {
				if (!storage || storage.getItem(key) === null) return false;
				storage.removeItem(key);
				return true;
			} catch (e) {
				warn(`Could not delete saved rule set ${key}: ${String(e)}`);
				return false;
			}
		}
	};
}

/** The page's rule store over `localStorage`, or over nothing when the browser refuses it. */
export function browserRuleStore(options: RuleStoreOptions = {}): RuleStore {
	let storage: RuleStorage | null;
	try {
		// Reading the property itself throws in some browsers when site data is blocked.
		storage = globalThis.localStorage ?? null;
	} catch {
		storage = null;
	}
	return createRuleStore(storage, options);
}
