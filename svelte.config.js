import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * BASE_PATH lets the same build serve from a sub-path, as GitHub Pages does for a project site
 * (https://<user>.github.io/<repo>/). It must start with "/" and have no trailing slash.
 */
const base = process.env.BASE_PATH ?? '';
if (base && (!base.startsWith('/') || base.endsWith('/'))) {
	throw new Error(`BASE_PATH must look like "/my-repo" (got "${base}")`);
}

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({
			pages: process.env.BUILD_DIR ?? 'build',
			assets: process.env.BUILD_DIR ?? 'build',
			fallback: undefined,
			strict: true
		}),
		paths: { base, relative: true },
		// The privacy promise, enforced by the browser: scripts, workers, wasm and fetches only from
		// the app's own origin. A prerendered page gets this as a <meta> tag (GitHub Pages cannot send
		// headers), with hashes of SvelteKit's inline start-up script. See README, "Content Security Policy".
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval'],
				'worker-src': ['self'],
				// https: for `?src` only (a meta policy cannot depend on the URL): the app's code makes no
				// other request; loopback http lets a merchant open a file served from their own computer.
				'connect-src': ['self', 'https:', 'http://localhost:*', 'http://127.0.0.1:*'],
				'img-src': ['self', 'data:', 'blob:'],
				'style-src': ['self', 'unsafe-inline'],
				'font-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
