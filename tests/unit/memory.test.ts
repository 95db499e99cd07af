/**
 * Memory stays bounded as files grow: the same pipeline as the engine worker (tests/bench/pipeline.ts),
 * on DuckDB-WASM's Node build, on generated order files of 1 and 2 million rows. The WebAssembly
 * memory only grows, so its size after a run is the run's peak.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ordersCsv } from '../bench/data';
import { analyzeFile } from '../bench/pipeline';
import { openWasmDb } from './duckdb-wasm-node';

const MB = 2 ** 20;
const cache = join(tmpdir(), 'rfm-studio-test-orders');

async function peak(rows: number, memoryLimit?: string) {
	const file = ordersCsv(cache, rows, 42);
	const db = await openWasmDb();
	try {
		if (memoryLimit) await db.run(`SET memory_limit = '${memoryLimit}'`);
		const before = db.wasmMemoryBytes();
		db.registerFile('orders.csv', file.path);
		const run = await analyzeFile(
			{ run: db.run, rows: db.rows, registerBytes: async (name, bytes) => db.registerBytes(name, bytes) },
			file.path,
			'orders.csv',
			memoryLimit ? Number.parseInt(memoryLimit) * MB : undefined
		);
		return { before, after: db.wasmMemoryBytes(), run };
	} finally {
		db.close();
	}
}

describe('memory while analysing large files', () => {
	/** The 2M-row run, shared by both tests (each takes a while). */
	let two: Awaited<ReturnType<typeof peak>> | undefined;
	it('grows by less than 256 MB a million rows, and 2M rows take less than twice the memory of 1M', { timeout: 240_000 }, async () => {
		const one = await peak(1_000_000);
		two = await peak(2_000_000);
		expect(one.run.ingest.rowsRead).toBe(1_000_000);
		expect(two.run.ingest.rowsRead).toBe(2_000_000);
		expect(two.after, `${Math.round(two.after / MB)} MB after 2M rows, ${Math.round(one.after / MB)} MB after 1M`).toBeLessThan(
			2 * one.after
		);
		expect((two.after - two.before) / 2, 'MB per million rows').toBeLessThan(256 * MB);
	});

	it('groups the orders in parts when memory is short, with the same result', { timeout: 240_000 }, async () => {
		const full = (two ??= await peak(2_000_000));
		// 600 MB: grouping 2M orders at once would need about 280 MB of the 200 MB a third allows.
		const short = await peak(2_000_000, '600MB');
		expect(short.run.ingest.passes).toBe(2);
		expect(full.run.ingest.passes).toBe(1);
		expect(short.after).toBeLessThan(600 * MB + short.before);
		expect(short.run.ingest.orders).toBe(full.run.ingest.orders);
		expect(short.run.rfm.headline.customers).toBe(full.run.rfm.headline.customers);
		// The same cells; sums of doubles in another order may differ in their last digits.
		const cells = (run: typeof full.run) =>
			run.rfm.matrix.map((c) => ({ ...c, revenue: Math.round(c.revenue * 100) / 100 })).sort((a, b) => a.r - b.r || a.f - b.f);
		expect(cells(short.run)).toEqual(cells(full.run));
	});
});
