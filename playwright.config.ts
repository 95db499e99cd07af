/**
 * End-to-end tests: Playwright against the built static site, served twice — at the root and
 * under a base path, as GitHub Pages serves a project site (https://<user>.github.io/<repo>/).
 *
 * tests/e2e/global-setup.ts builds both sites with `vite build` (skipped with E2E_SKIP_BUILD=1
 * when both builds exist) and serves them with tests/support/serve-static.ts on 127.0.0.1.
 */
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/support/browser-launch.ts';
import { E2E_SITES } from './tests/e2e/support/sites.ts';
import type { SiteOptions } from './tests/e2e/support/fixtures.ts';

export default defineConfig<SiteOptions>({
	testDir: 'tests/e2e',
	globalSetup: './tests/e2e/global-setup.ts',
	// Each test starts DuckDB-WASM in a fresh page; two workers keep a 2-core machine busy without thrashing.
	workers: 2,
	fullyParallel: true,
	forbidOnly: true,
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 20_000 },
	reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
	use: {
		browserName: 'chromium',
		launchOptions: chromiumLaunchOptions(),
		locale: 'en-US',
		acceptDownloads: true,
		// No trace by default: a trace stores every response, 34 MB of DuckDB wasm per test, and
		// doubles the run time. Debug a failure with `npx playwright test --trace on`.
		trace: 'off',
		screenshot: 'only-on-failure'
	},
	projects: [
		{
			name: 'root',
			use: {
				baseURL: E2E_SITES.root.url,
				basePath: E2E_SITES.root.base,
				// Dates must be the calendar dates written in the file, whatever the reader's time zone:
				// each project runs in a zone far from UTC, on opposite sides.
				timezoneId: 'America/Los_Angeles'
			}
		},
		{
			name: 'base-path',
			// The same code built under a base path and run east of UTC: what can differ is where assets,
			// links, downloads and the service worker resolve, and which calendar date a time becomes. These
			// specs cover both (every format's dates, links, offline, the traffic guard, date-based
			// figures); the rest test logic that is the same in either build, so running them twice
			// only doubled the suite's time (21 of 29 minutes were e2e).
			testMatch: /\/(analysis|formats|history|links|offline-csp|privacy|r-rfm)\.spec\.ts$/,
			use: {
				baseURL: E2E_SITES.base.url,
				basePath: E2E_SITES.base.base,
				timezoneId: 'Pacific/Auckland'
			}
		}
	]
});
