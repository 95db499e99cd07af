/**
 * The segment colours of the preset rule sets: Paul Tol's "muted" scheme (nine hues chosen to stay
 * apart for readers with red-green and blue-yellow colour blindness) with two of his "vibrant" hues
 * for the extra segments of the e-mail preset, and a grey for customers who are gone.
 *
 * Colour is never the only cue: every swatch sits beside its segment's written name, and swatches
 * are outlined in the text colour (the segment table, the charts' legends, the matrix), so a pale hue on white or a dark
 * one on the dark theme still shows its edge (tests/unit/palette.test.ts checks both themes).
 */
export const SEGMENT_PALETTE = {
	green: '#117733',
	teal: '#44aa99',
	cyan: '#88ccee',
	indigo: '#332288',
	purple: '#aa4499',
	sand: '#ddcc77',
	olive: '#999933',
	rose: '#cc6677',
	wine: '#882255',
	orange: '#ee7733',
	blue: '#0077bb',
	grey: '#bbbbbb'
} as const;
