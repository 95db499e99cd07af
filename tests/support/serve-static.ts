/**
 * Serves a built site under a base path, as GitHub Pages would (`/repo/…`), for end-to-end
 * tests and the benchmark. Usage: tsx tests/support/serve-static.ts <dir> <port> [basePath]
 */
import { createServer, type Server } from 'node:http';
import sirv from 'sirv';

/** Starts a static server for `dir` at `base` (e.g. "/rfm-studio" or ""), on 127.0.0.1:port. */
export function serveStatic(dir: string, port: number, base = ''): Promise<Server> {
	const files = sirv(dir, { dev: false, etag: true, extensions: ['html'] });
	const server = createServer((req, res) => {
		const url = req.url ?? '/';
		if (base && !url.startsWith(`${base}/`) && url !== base) {
			res.statusCode = 404;
			res.end(`Not under ${base}`);
			return;
		}
		if (base && url === base) {
			res.statusCode = 302;
			res.setHeader('location', `${base}/`);
			res.end();
			return;
		}
		req.url = url.slice(base.length) || '/';
		files(req, res, () => {
			res.statusCode = 404;
			res.end('Not found');
		});
	});
	return new Promise((resolve, reject) => {
		// A taken port must fail the caller, not crash the process with an unhandled 'error' event.
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve(server);
		});
	});
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const [dir = 'build', port = '4173', base = ''] = process.argv.slice(2);
	await serveStatic(dir, Number(port), base);
	console.log(`Serving ${dir} at http://127.0.0.1:${port}${base}/`);
}
