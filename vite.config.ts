import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptions } from './tests/support/browser-launch.ts';

export default defineConfig({
	plugins: [sveltekit()],
	worker: { format: 'es' },
	// DuckDB-WASM ships prebuilt workers and wasm; pre-bundling would rewrite them.
	// The workbook reader is imported only when a workbook is dropped: pre-bundle it up front, or the dev
	// server finds it mid-test and reloads. parquet-wasm ships its own wasm, like DuckDB.
	optimizeDeps: { exclude: ['@duckdb/duckdb-wasm', 'parquet-wasm'], include: ['read-excel-file/universal', 'fflate'] },
	build: { target: 'es2022', chunkSizeWarningLimit: 1500 },
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: ['tests/unit/**/*.test.ts'],
					testTimeout: 60_000
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
						instances: [{ browser: 'chromium' }]
					}
				}
			}
		]
	}
});
