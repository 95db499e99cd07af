/**
 * The segment palette (issue 16): every preset's colours come from it, and each colour's swatch
 * stands out in both themes — against the surface it sits on or against its outline in the text
 * colour (tokens.css), at WCAG's 3:1 for graphics.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEGMENT_PALETTE } from '../../src/lib/rfm/palette';
import { RULE_SETS } from '../../src/lib/rfm/segments';

const tokens = readFileSync(resolve(__dirname, '../../src/lib/ui/design/tokens.css'), 'utf8');

/** A token's light and dark values (written `light-dark(light, dark)` in tokens.css). */
function token(name: string): { light: string; dark: string } {
	const match = new RegExp(`${name}: light-dark\\((#[0-9a-f]{6}), (#[0-9a-f]{6})\\);`).exec(tokens);
	if (!match) throw new Error(`${name} not found in tokens.css`);
	return { light: match[1]!, dark: match[2]! };
}

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
	const [r, g, b] = [1, 3, 5].map((i) => {
		const c = parseInt(hex.slice(i, i + 2), 16) / 255;
		return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
	});
	return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio of two colours. */
function contrast(a: string, b: string): number {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
	return (hi! + 0.05) / (lo! + 0.05);
}

describe('segment palette', () => {
	const colours = Object.values(SEGMENT_PALETTE);

	it('holds the colour of every preset rule', () => {
		for (const set of RULE_SETS) for (const rule of set.rules) expect(colours, `${set.name}: ${rule.name}`).toContain(rule.color);
	});

	it('has no colour twice, so no two segments of a preset share one', () => {
		expect(new Set(colours).size).toBe(colours.length);
		for (const set of RULE_SETS) expect(new Set(set.rules.map((r) => r.color)).size, set.name).toBe(set.rules.length);
	});

	for (const theme of ['light', 'dark'] as const) {
		it(`shows every swatch's edge in the ${theme} theme`, () => {
			const surface = token('--surface')[theme];
			const ink = token('--ink')[theme];
			for (const colour of colours) expect(Math.max(contrast(colour, surface), contrast(colour, ink)), colour).toBeGreaterThanOrEqual(3);
		});
	}
});
