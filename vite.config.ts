import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptions } from './tests/support/browser-launch.ts';
import { workerResources } from './tests/browser/commands.ts';

export default defineConfig({
	plugins: [sveltekit()],
	worker: { format: 'es' },
	// DuckDB-WASM ships prebuilt workers and wasm; pre-bundling would rewrite them.
	// Pre-bundled up front: a dependency the dev server finds mid-test (apache-arrow in the worker, the
	// workbook reader imported when a workbook is dropped) makes it reload, and a later dynamic import
	// then fails. parquet-wasm ships its own wasm, like DuckDB.
	optimizeDeps: {
		exclude: ['@duckdb/duckdb-wasm', 'parquet-wasm'],
		include: ['read-excel-file/universal', 'fflate', 'apache-arrow', 'comlink']
	},
	build: { target: 'es2022', chunkSizeWarningLimit: 1500 },
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: ['tests/unit/**/*.test.ts'],
					testTimeout: 60_000,
					// Starting DuckDB-WASM takes seconds on a busy 2-core machine.
					hookTimeout: 60_000,
					// Vitest leaves one core to itself by default (one worker on a 2-core machine); the files
					// are DuckDB-bound and single-threaded, so a worker per core halves the unit run.
					maxWorkers: Math.max(2, availableParallelism())
				}
			},
			{
				extends: true,
				test: {
					name: 'browser',
					include: ['tests/browser/**/*.test.ts'],
					testTimeout: 60_000,
					browser: {
						enabled: true,
						headless: true,
						provider: playwright({ launchOptions: chromiumLaunchOptions() }),
						instances: [{ browser: 'chromium' }],
						commands: { workerResources }
					}
				}
			}
		]
	}
});
