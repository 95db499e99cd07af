import { afterEach, describe, expect, it } from 'vitest';
import {
	formatHash,
	parseHash,
	readRegisteredKeys,
	readViewState,
	registerViewKey,
	sourceParam,
	withHash,
	writeViewState,
	type ViewState
} from '../../src/lib/state/url-state';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';

const view = (over: Partial<ViewState>): ViewState => ({
	source: { kind: 'none' },
	tab: null,
	scoring: structuredClone(DEFAULT_SCORING),
	ruleSetId: null,
	selection: null,
	extra: new Map(),
	...over
});

describe('view state in the URL hash', () => {
	const unregister: (() => void)[] = [];
	afterEach(() => unregister.splice(0).forEach((u) => u()));

	it('writes nothing for the default view, and only what differs otherwise', () => {
		expect(formatHash(writeViewState(view({})))).toBe('');
		expect(formatHash(writeViewState(view({ source: { kind: 'demo', seed: 42, customers: null } })))).toBe('#demo=42');
		const scoring = { ...structuredClone(DEFAULT_SCORING), method: 'fixed' as const, levels: 4, monetary: 'average' as const };
		scoring.fixed = { recency: [10, 20, 30], frequency: [1, 2, 3], monetary: [5.5, 10, 20] };
		scoring.lookBack = { kind: 'months', months: 12 };
		scoring.analysisDate = '2025-01-31';
		const hash = formatHash(
			writeViewState(
				view({
					source: { kind: 'demo', seed: 7, customers: 50_000 },
					tab: 'customers',
					scoring,
					ruleSetId: 'twelve',
					selection: { kind: 'segment', segment: "Can't Lose Them" }
				})
			)
		);
		expect(hash).toBe(
			"#demo=7&n=50000&tab=customers&sc=f&lv=4&ad=2025-01-31&lb=m12&mo=avg&fx=10.20.30_1.2.3_5.5.10.20&rs=twelve&sel=s:Can't%20Lose%20Them"
		);
	});

	it('reads back exactly what it wrote (round trip through the address)', () => {
		const original = view({
			source: { kind: 'file', size: 123_456, fingerprint: '0123456789abcdef' },
			tab: 'rules',
			scoring: { ...structuredClone(DEFAULT_SCORING), method: 'r-rfm', lookBack: { kind: 'range', from: '2024-01-01', to: null } },
			ruleSetId: 'six',
			selection: { kind: 'cell', r: 5, f: 1 },
			extra: new Map([['q', 'a&b=c']])
		});
		const hash = formatHash(writeViewState(original));
		const back = readViewState(parseHash(hash), ['q']);
		expect(back).toEqual(original);
		// The address is a real URL fragment: the browser keeps it as written.
		expect(new URL(`https://x.test/${hash}`).hash).toBe(hash);
	});

	it('ignores what it cannot read instead of breaking the page', () => {
		const v = readViewState(parseHash('#demo=abc&lv=9&sc=zz&ad=yesterday&lb=m0&fx=1.2&sel=c55&file=12-xyz&%E0%A4%A=1'));
		expect(v.source).toEqual({ kind: 'none' });
		expect(v.scoring).toEqual(DEFAULT_SCORING);
		expect(v.selection).toBeNull();
	});

	it('reads selections of every kind', () => {
		const read = (sel: string) => readViewState(parseHash(`#sel=${encodeURIComponent(sel)}`)).selection;
		expect(read('all')).toEqual({ kind: 'all' });
		expect(read('c3.4')).toEqual({ kind: 'cell', r: 3, f: 4 });
		expect(read('s:Champions')).toEqual({ kind: 'segment', segment: 'Champions' });
		expect(read('b:tier:Gold')).toEqual({ kind: 'behaviour', id: 'tier:Gold' });
	});

	it('lets views register their own keys, and refuses a taken one', () => {
		let filter: string | null = 'country=DE';
		const applied: (string | null)[] = [];
		unregister.push(registerViewKey({ key: 'flt', read: () => filter, apply: (v) => applied.push(v) }));
		expect(readRegisteredKeys()).toEqual(new Map([['flt', 'country=DE']]));
		filter = null;
		expect(readRegisteredKeys()).toEqual(new Map());
		expect(() => registerViewKey({ key: 'flt', read: () => null, apply: () => {} })).toThrow(/taken/);
		expect(() => registerViewKey({ key: 'tab', read: () => null, apply: () => {} })).toThrow(/taken/);
		expect(readViewState(parseHash('#flt=x&other=y'), ['flt']).extra).toEqual(new Map([['flt', 'x']]));
	});

	it('builds addresses: another hash, a summary link without ?src, the ?src value', () => {
		expect(withHash('https://me.github.io/rfm-studio/?src=https%3A%2F%2Fa.test%2Fo.csv#demo=1', '#tab=rules')).toBe(
			'https://me.github.io/rfm-studio/?src=https%3A%2F%2Fa.test%2Fo.csv#tab=rules'
		);
		expect(withHash('https://me.github.io/rfm-studio/?src=x#demo=1', '#summary=abc', true)).toBe(
			'https://me.github.io/rfm-studio/#summary=abc'
		);
		expect(sourceParam('?src=https%3A%2F%2Fa.test%2Fo.csv')).toBe('https://a.test/o.csv');
		expect(sourceParam('?x=1')).toBeNull();
	});
});
