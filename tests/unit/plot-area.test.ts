/** The plot kit's size arithmetic: measured width held between its bounds, margins taken off, heights that follow. */
import { describe, expect, it } from 'vitest';
import { PlotArea } from '../../src/lib/charts/plot';
import { scaleFromZero, scaleIndex } from '../../src/lib/charts/plot/scales';

const margin = { top: 8, right: 12, bottom: 36, left: 48 };

describe('PlotArea', () => {
	it('takes the margins off the measured width, held between the minimum and the maximum', () => {
		const area = new PlotArea({ margin, innerHeight: 200, minWidth: 260, maxWidth: 800 });
		area.width = 600;
		expect([area.innerWidth, area.innerHeight, area.outerWidth, area.outerHeight]).toEqual([540, 200, 600, 244]);
		area.width = 100; // a phone: the chart keeps its minimum and scrolls
		expect([area.innerWidth, area.outerWidth]).toEqual([200, 260]);
		area.width = 1400; // a wide screen: the chart stops growing
		expect([area.innerWidth, area.outerWidth]).toEqual([740, 800]);
	});

	it('computes a height from the inner width, or from the data', () => {
		const square = new PlotArea({ margin, innerHeight: (width) => width / 2 });
		square.width = 460;
		expect(square.innerHeight).toBe(200);
		const bars = new PlotArea({ margin, innerHeight: () => 3 * 34 });
		expect([bars.innerHeight, bars.outerHeight]).toEqual([102, 146]);
	});
});

describe('scales', () => {
	it('runs amounts from zero up to a nice top, bottom-up', () => {
		const y = scaleFromZero(93, 200);
		expect(y.domain()).toEqual([0, 100]);
		expect([y(0), y(100)]).toEqual([200, 0]);
	});

	it('gives each item a band across the width', () => {
		const x = scaleIndex(4, 400);
		expect(x.domain()).toEqual([0, 1, 2, 3]);
		expect([x(0), x(3), x.bandwidth()]).toEqual([0, 300, 100]);
	});
});
