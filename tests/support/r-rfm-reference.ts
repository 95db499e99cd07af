/**
 * Published results of the R package `rfm` 0.3.0 (tests/reference/rfm-r/NOTES.md), shared by the
 * unit and end-to-end tests.
 */

/** The README's first ten customers at analysis date 2006-12-31: id, recency days, orders, revenue, R·F·M code. */
export const README_FIRST_TEN: readonly [string, number, number, number, number][] = [
	["Abbey O'Reilly", 205, 6, 472, 343],
	['Add Senger', 140, 3, 340, 412],
	['Aden Lesch', 194, 4, 405, 323],
	['Aden Murphy', 98, 7, 596, 544],
	['Admiral Senger', 132, 5, 448, 433],
	["Agness O'Keefe", 90, 9, 843, 555],
	['Aileen Barton', 84, 9, 763, 555],
	['Ailene Hermann', 281, 8, 699, 355],
	['Aiyanna Bruen', 246, 4, 157, 321],
	['Akeelah Walsh', 160, 7, 779, 445]
];
