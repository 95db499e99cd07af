import { existsSync } from 'node:fs';

/**
 * How every browser test (vitest browser mode, Playwright e2e, the benchmark) launches Chromium.
 *
 * Debian's Chromium is the default because `npx playwright install` cannot download browsers on
 * our machines; CHROMIUM_PATH overrides it, and when neither exists Playwright uses its own build
 * (a laptop with `npx playwright install chromium` done).
 */
export function chromiumLaunchOptions(): { executablePath?: string; args: string[] } {
	const fromEnv = process.env.CHROMIUM_PATH;
	const executablePath = fromEnv || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
	return {
		executablePath,
		// Without the background-networking flags Chromium phones Google services, which this
		// machine's closed network refuses many times a second; none of it is the page's traffic.
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	};
}
