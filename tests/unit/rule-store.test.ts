import { describe, expect, it } from 'vitest';
import { serializeRuleSet } from '../../src/lib/rfm/rule-json';
import { SIX_GROUPS, TWELVE_SEGMENTS } from '../../src/lib/rfm/segments';
import type { RuleSet } from '../../src/lib/rfm/types';
import { browserRuleStore, createRuleStore, RULE_STORE_PREFIX, type RuleStorage } from '../../src/lib/state/rule-store';

/** An in-memory Storage; `fail` makes one method throw like a browser with storage blocked or full. */
class FakeStorage implements RuleStorage {
	items = new Map<string, string>();
	fail: 'getItem' | 'setItem' | 'key' | null = null;
	get length() {
		return this.items.size;
	}
	key(i: number) {
		if (this.fail === 'key') throw new Error('SecurityError');
		return [...this.items.keys()][i] ?? null;
	}
	getItem(key: string) {
		if (this.fail === 'getItem') throw new Error('SecurityError');
		return this.items.get(key) ?? null;
	}
	setItem(key: string, value: string) {
		if (this.fail === 'setItem') throw new Error('QuotaExceededError');
		this.items.set(key, value);
	}
	removeItem(key: string) {
		this.items.delete(key);
	}
}

const mine = (id: string, name: string): RuleSet => ({ ...SIX_GROUPS, id, name });

function setup() {
	const storage = new FakeStorage();
	const warnings: string[] = [];
	const store = createRuleStore(storage, { warn: (m) => warnings.push(m) });
	return { storage, warnings, store };
}

describe('the rule store', () => {
	it('saves, lists by name, gets and deletes rule sets', () => {
		const { storage, store, warnings } = setup();
		expect(store.list()).toEqual([]);
		expect(store.save(mine('b', 'Zebra'))).toEqual({ ok: true });
		expect(store.save({ ...TWELVE_SEGMENTS, id: 'a', name: 'Apple' })).toEqual({ ok: true });
		expect(store.list().map((s) => s.id)).toEqual(['a', 'b']);
		expect(store.get('b')).toEqual(mine('b', 'Zebra'));
		expect(store.get('a')!.rules.find((r) => r.engagedWithinDays)).toMatchObject({ name: 'Lost but engaged', engagedWithinDays: 30 });
		expect(store.get('nope')).toBeNull();
		expect(storage.items.get(`${RULE_STORE_PREFIX}b`)).toBe(serializeRuleSet(mine('b', 'Zebra')));

		expect(store.save(mine('b', 'Renamed'))).toEqual({ ok: true });
		expect(store.list().map((s) => s.name)).toEqual(['Apple', 'Renamed']);

		expect(store.delete('a')).toBe(true);
		expect(store.delete('a')).toBe(false);
		expect(store.list().map((s) => s.id)).toEqual(['b']);
		expect(warnings).toEqual([]);
	});

	it('leaves other keys of the page alone', () => {
		const { storage, store } = setup();
		storage.setItem('theme', 'dark');
		store.save(mine('x', 'X'));
		store.delete('x');
		expect([...storage.items]).toEqual([['theme', 'dark']]);
	});

	it('ignores bad stored data with a warning, and keeps it', () => {
		const { storage, store, warnings } = setup();
		store.save(mine('good', 'Good'));
		storage.setItem(`${RULE_STORE_PREFIX}junk`, '{not json');
		storage.setItem(`${RULE_STORE_PREFIX}broken`, serializeRuleSet({ ...mine('broken', 'Broken'), levels: 9 }));
		storage.setItem(`${RULE_STORE_PREFIX}moved`, serializeRuleSet(mine('other', 'Other')));
		expect(store.list().map((s) => s.id)).toEqual(['good']);
		expect(warnings).toHaveLength(3);
		expect(warnings[0]).toMatch(/^Ignoring saved rule set rfm-studio\.rule-set\.junk, which cannot be read: This file is not valid JSON/);
		expect(warnings[1]).toContain('The number of score levels must be 3, 4 or 5, not 9');
		expect(warnings[2]).toBe('Ignoring saved rule set rfm-studio.rule-set.moved: it holds the rule set "other"');
		expect(store.get('junk')).toBeNull();
		expect(storage.items.has(`${RULE_STORE_PREFIX}junk`)).toBe(true);
	});

	it('refuses invalid sets and the ids of built-in sets', () => {
		const { store, storage } = setup();
		const bad = { ...mine('bad', 'Bad'), rules: [{ ...SIX_GROUPS.rules[0]!, color: 'green' }] };
		expect(store.save(bad)).toEqual({ ok: false, errors: ['Rule 1 "Champions": colour "green" is not a hex colour like #d73027 or #f00'] });
		expect(store.save(mine('grid', 'My grid'))).toEqual({
			ok: false,
			errors: ['"grid" is the id of a built-in rule set: save your version under another id']
		});
		expect(storage.items.size).toBe(0);
	});

	it('says so when the browser will not keep a set', () => {
		const { store, storage } = setup();
		storage.fail = 'setItem';
		const result = store.save(mine('a', 'A'));
		expect(result).toEqual({
			ok: false,
			errors: [
				expect.stringMatching(/^The browser would not keep the rule set \(Error: QuotaExceededError\); export it to a file instead$/)
			]
		});
	});

	it('lists nothing, with a warning, when storage cannot be read', () => {
		const { store, storage, warnings } = setup();
		store.save(mine('a', 'A'));
		storage.fail = 'key';
		expect(store.list()).toEqual([]);
		storage.fail = 'getItem';
		expect(store.list()).toEqual([]);
		expect(store.get('a')).toBeNull();
		expect(warnings).toEqual([
			'Could not read saved rule sets: Error: SecurityError',
			'Could not read saved rule set rfm-studio.rule-set.a: Error: SecurityError',
			'Could not read saved rule set rfm-studio.rule-set.a: Error: SecurityError'
		]);
	});

	it('works without storage at all', () => {
		const store = createRuleStore(null, { warn: () => {} });
		expect(store.list()).toEqual([]);
		expect(store.get('a')).toBeNull();
		expect(store.delete('a')).toBe(false);
		expect(store.save(mine('a', 'A'))).toEqual({
			ok: false,
			errors: ['This browser does not let the page keep rule sets; export them to a file instead']
		});
	});

	it('browserRuleStore falls back to no storage in Node, where there is no localStorage', () => {
		const hadStorage = 'localStorage' in globalThis;
		const store = browserRuleStore({ warn: () => {} });
		if (!hadStorage) expect(store.save(mine('a', 'A')).ok).toBe(false);
		expect(Array.isArray(store.list())).toBe(true);
	});
});
