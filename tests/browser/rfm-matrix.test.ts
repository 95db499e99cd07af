/** The matrix component in a real browser: cells, numbers, and segment outlines and names. */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import RfmMatrix from '../../src/lib/charts/RfmMatrix.svelte';
import type { MatrixCell } from '../../src/lib/rfm/analysis';
import { GRID_MAP, segmentColor, segmentOf } from '../../src/lib/rfm/segments';

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
	if (app) unmount(app);
	app = null;
	document.body.innerHTML = '';
});

/** A full 5×5 grid where cell (r, f) holds r * 10 + f customers, segmented by the grid map. */
function gridCells(): MatrixCell[] {
	const cells: MatrixCell[] = [];
	for (let r = 1; r <= 5; r++) {
		for (let f = 1; f <= 5; f++) {
			cells.push({
				r,
				f,
				customers: r * 10 + f,
				orders: (r * 10 + f) * f,
				revenue: (r * 10 + f) * 100,
				segment: segmentOf(GRID_MAP, r, f, 3)
			});
		}
	}
	return cells;
}

describe('RfmMatrix', () => {
	it('draws 25 cells with their customers, share and segment', () => {
		const cells = gridCells();
		const total = cells.reduce((s, c) => s + c.customers, 0);
		const target = document.createElement('div');
		target.style.width = '800px';
		document.body.append(target);
		app = mount(RfmMatrix, {
			target,
			props: { cells, levels: 5, totalCustomers: total, colorOf: (s: string) => segmentColor(GRID_MAP, s) }
		});
		flushSync();

		const drawn = [...target.querySelectorAll<SVGGElement>('g.cell')];
		expect(drawn).toHaveLength(25);
		const champion = target.querySelector<SVGGElement>('g.cell[data-r="5"][data-f="5"]')!;
		expect(champion.dataset.segment).toBe('Champions');
		expect(champion.querySelector('.count')?.textContent).toBe('55');
		expect(champion.querySelector('title')?.textContent).toContain(
			`(${new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }).format(55 / total)})`
		);

		// Recency runs left to right and frequency bottom to top.
		const box = (r: number, f: number) => target.querySelector(`g.cell[data-r="${r}"][data-f="${f}"] rect`)!.getBoundingClientRect();
		expect(box(5, 1).left).toBeGreaterThan(box(1, 1).left);
		expect(box(1, 5).top).toBeLessThan(box(1, 1).top);
	});

	it('names every segment once and outlines the regions between segments', () => {
		const cells = gridCells();
		const target = document.createElement('div');
		document.body.append(target);
		app = mount(RfmMatrix, { target, props: { cells, levels: 5, totalCustomers: 1, colorOf: () => '#000' } });
		flushSync();

		const names = [...target.querySelectorAll('text.segment')].map((t) => t.textContent);
		expect(names.sort()).toEqual(GRID_MAP.rules.map((r) => r.name).sort());
		// Inner borders: an edge between two horizontally or vertically adjacent cells of different segments.
		let inner = 0;
		for (let r = 1; r <= 5; r++) {
			for (let f = 1; f <= 5; f++) {
				if (r < 5 && segmentOf(GRID_MAP, r, f, 3) !== segmentOf(GRID_MAP, r + 1, f, 3)) inner++;
				if (f < 5 && segmentOf(GRID_MAP, r, f, 3) !== segmentOf(GRID_MAP, r, f + 1, 3)) inner++;
			}
		}
		expect(target.querySelectorAll('line.border')).toHaveLength(inner + 20);
	});
});
