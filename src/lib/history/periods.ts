/**
 * Calendar periods for the history views: weeks (Monday first, as DuckDB's `date_trunc('week')`),
 * months and quarters, as ISO dates. Pure date arithmetic on UTC calendar dates, no time zones.
 */
import { addDays, addMonths, dayNumber } from '../dates';

export type Grain = 'week' | 'month' | 'quarter';
export const GRAINS: readonly Grain[] = ['week', 'month', 'quarter'];

/** One period and the date its RFM snapshot is taken (its last day, or the analysis date when that comes first). */
export interface Period {
	start: string;
	end: string;
	asOf: string;
	label: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The first day of the period holding `iso`. */
export function periodStart(iso: string, grain: Grain): string {
	const [y, m] = iso.split('-').map(Number) as [number, number];
	if (grain === 'month') return `${iso.slice(0, 7)}-01`;
	if (grain === 'quarter') return `${String(y).padStart(4, '0')}-${String(m - ((m - 1) % 3)).padStart(2, '0')}-01`;
	// getUTCDay: 0 is Sunday; weeks start on Monday.
	const weekday = (new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7;
	return addDays(iso, -weekday);
}

/** The first day of the period after the one starting on `start`. */
export function nextPeriodStart(start: string, grain: Grain): string {
	if (grain === 'week') return addDays(start, 7);
	return addMonths(start, grain === 'month' ? 1 : 3);
}

/** How merchants read a period: `Mar 2024`, `2024 Q1`, `Week of 4 Mar 2024`. */
export function periodLabel(start: string, grain: Grain): string {
	const [y, m, d] = start.split('-').map(Number) as [number, number, number];
	if (grain === 'month') return `${MONTHS[m - 1]} ${y}`;
	if (grain === 'quarter') return `${y} Q${Math.floor((m - 1) / 3) + 1}`;
	return `Week of ${d} ${MONTHS[m - 1]} ${y}`;
}

/**
 * The periods from the one holding `firstOrder` to the one holding the day before the analysis
 * date (with the default analysis date, the day of the latest order), the most recent `max` of
 * them. Each is scored as of its last day, or as of the analysis date when the period reaches
 * past it, so the last snapshot is the page's own scoring.
 */
export function periodsUpTo(firstOrder: string, analysisDate: string, grain: Grain, max: number): Period[] {
	const lastDay = addDays(analysisDate, -1);
	if (lastDay < firstOrder) return [];
	const out: Period[] = [];
	const stop = periodStart(lastDay, grain);
	for (let start = periodStart(firstOrder, grain); start <= stop; start = nextPeriodStart(start, grain)) {
		const end = addDays(nextPeriodStart(start, grain), -1);
		out.push({ start, end, asOf: end < analysisDate ? end : analysisDate, label: periodLabel(start, grain) });
	}
	return out.slice(-max);
}

/** Whole periods from the period starting `from` to the one starting `to` (both period starts). */
export function periodsBetween(from: string, to: string, grain: Grain): number {
	const [fy, fm] = from.split('-').map(Number) as [number, number];
	const [ty, tm] = to.split('-').map(Number) as [number, number];
	if (grain === 'week') return Math.round((dayNumber(to) - dayNumber(from)) / 7);
	const months = (ty - fy) * 12 + (tm - fm);
	return grain === 'month' ? months : Math.floor(months / 3);
}
