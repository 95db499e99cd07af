/**
 * The two builds the e2e suite runs against, where global-setup builds and serves them.
 * E2E_PORT moves both servers (root on E2E_PORT, base path on E2E_PORT + 1) if 4317/4318 are taken.
 */
const port = Number(process.env.E2E_PORT ?? 4317);

export interface E2ESite {
	/** What `vite build` writes, relative to the repository root (BUILD_DIR). */
	dir: string;
	/** The base path the site is built for and served under (BASE_PATH), "" at the root. */
	base: string;
	port: number;
	/** The site's home page; tests navigate relative to it (`page.goto('./')`). */
	url: string;
}

function site(dir: string, base: string, p: number): E2ESite {
	return { dir, base, port: p, url: `http://127.0.0.1:${p}${base}/` };
}

export const E2E_SITES = {
	root: site('build-e2e/root', '', port),
	base: site('build-e2e/base', '/rfm-studio', port + 1)
} satisfies Record<string, E2ESite>;
