/**
 * Builds the site twice (at the root and under /rfm-studio) and serves both builds for the whole
 * run. Set E2E_SKIP_BUILD=1 to reuse the builds of an earlier run while iterating on tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../support/serve-static.ts';
import { E2E_SITES, type E2ESite } from './support/sites.ts';

function build(site: E2ESite): void {
	const started = Date.now();
	// One build at a time: both write through SvelteKit's shared .svelte-kit/output.
	const result = spawnSync(join(root, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
		cwd: root,
		env: { ...process.env, BUILD_DIR: site.dir, BASE_PATH: site.base },
		encoding: 'utf8'
	});
	if (result.status !== 0) {
		throw new Error(`vite build for ${site.dir} (BASE_PATH="${site.base}") failed:\n${result.stdout}\n${result.stderr ?? result.error}`);
	}
	console.log(`[e2e] built ${site.dir} (base "${site.base || '/'}") in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The repository root (this file is tests/e2e/global-setup.ts). */
const root = fileURLToPath(new URL('../..', import.meta.url));

function close(server: Server): Promise<void> {
	server.closeAllConnections();
	return new Promise((resolve) => server.close(() => resolve()));
}

export default async function globalSetup(): Promise<() => Promise<void>> {
	const sites = Object.values(E2E_SITES);
	const skip = process.env.E2E_SKIP_BUILD === '1';
	for (const site of sites) {
		if (skip && existsSync(join(root, site.dir, 'index.html'))) {
			console.log(`[e2e] E2E_SKIP_BUILD=1: reusing ${site.dir}`);
			continue;
		}
		build(site);
	}

	const servers: Server[] = [];
	for (const site of sites) {
		try {
			servers.push(await serveStatic(join(root, site.dir), site.port, site.base));
		} catch (e) {
			await Promise.all(servers.map(close));
			throw new Error(`Could not serve ${site.dir} on 127.0.0.1:${site.port} (${String(e)}). Set E2E_PORT to use other ports.`, {
				cause: e
			});
		}
	}
	return async () => {
		await Promise.all(servers.map(close));
	};
}
