/**
 * The CDNOW sample (tests/reference/cdnow, see its NOTES.md) read directly, without the app's ingest:
 * whitespace-separated, no header, columns master_id sample_id YYYYMMDD cds dollars.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const CDNOW_SAMPLE = resolve(import.meta.dirname, '../reference/cdnow/CDNOW_sample.txt');

export interface CdnowRow {
	sampleId: string;
	/** ISO date. */
	date: string;
	dollars: number;
}

export const CDNOW_MASTER = resolve(import.meta.dirname, '../reference/cdnow/CDNOW_master.txt');

/**
 * Reads the sample (master_id sample_id date cds dollars, no header) or the master file (a header
 * line, then id date cds dollars); `sampleId` is the sample's id or the master's id.
 */
export function readCdnowSample(path = CDNOW_SAMPLE): CdnowRow[] {
	return readFileSync(path, 'utf8')
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => /^\d/.test(line))
		.map((line) => {
			const parts = line.split(/\s+/);
			const [id = '', d = '', , dollars = ''] = parts.length === 5 ? parts.slice(1) : parts;
			return { sampleId: id, date: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, dollars: Number(dollars) };
		});
}

const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

export interface CdnowSummaryRow {
	id: string;
	x: number;
	tx: number;
	T: number;
	/** Mean dollars of the repeat purchase days (0 when x = 0). */
	zbar: number;
	/** Purchase days after the calibration end, up to `holdoutEnd`. */
	holdout: number;
}

/**
 * The calibration summary by the NOTES' convention: one transaction per customer-day (dollars
 * summed), x = purchase days − 1 up to `calibrationEnd`, t_x and T in weeks, z̄ over repeat days.
 */
export function cdnowSummary(rows: CdnowRow[], calibrationEnd = '1997-09-30', holdoutEnd = '1998-06-30'): CdnowSummaryRow[] {
	const end = dayNumber(calibrationEnd);
	const last = dayNumber(holdoutEnd);
	const byCustomer = new Map<string, Map<number, number>>();
	for (const row of rows) {
		const days = byCustomer.get(row.sampleId) ?? new Map<number, number>();
		const d = dayNumber(row.date);
		days.set(d, (days.get(d) ?? 0) + row.dollars);
		byCustomer.set(row.sampleId, days);
	}
	const out: CdnowSummaryRow[] = [];
	for (const [id, days] of byCustomer) {
		const sorted = [...days.entries()].sort((p, q) => p[0] - q[0]);
		const cal = sorted.filter(([d]) => d <= end);
		if (cal.length === 0) continue;
		const first = cal[0]![0];
		const repeat = cal.slice(1);
		out.push({
			id,
			x: repeat.length,
			tx: (cal[cal.length - 1]![0] - first) / 7,
			T: (end - first) / 7,
			zbar: repeat.length > 0 ? repeat.reduce((s, [, v]) => s + v, 0) / repeat.length : 0,
			holdout: sorted.filter(([d]) => d > end && d <= last).length
		});
	}
	return out.sort((p, q) => p.id.localeCompare(q.id));
}

/** The sample as the app reads it today: `customer_id,date,amount`, one line per row of the original. */
export function cdnowSampleCsv(rows: CdnowRow[] = readCdnowSample()): string {
	return `customer_id,date,amount\n${rows.map((r) => `${r.sampleId},${r.date},${r.dollars.toFixed(2)}`).join('\n')}\n`;
}
