/**
 * `?src=<https URL>`: a public order file opened by URL. The only network read the app makes, and
 * only when the link asks for it. Errors are written for the reader: the usual one is a host that
 * does not allow other sites to read its files (CORS).
 */

/** Why a `?src` file could not be opened; `message` is written for the reader. */
export class RemoteFileProblem extends Error {
	override name = 'RemoteFileProblem';
}

/** The biggest file we fetch into memory (the browser holds it all before reading). */
export const MAX_REMOTE_BYTES = 2 * 1024 ** 3;

/**
 * Checks a `src` value: an absolute https URL, or http on this computer (localhost, 127.0.0.1),
 * where a merchant may serve a file to themselves. Returns the URL or throws a RemoteFileProblem.
 */
export function checkSourceUrl(src: string): URL {
	let url: URL;
	try {
		url = new URL(src);
	} catch {
		throw new RemoteFileProblem(`The link's file address "${src}" is not a web address. It should start with https://.`);
	}
	const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
		throw new RemoteFileProblem(`Only https:// files can be opened by link (this one is ${url.protocol.replace(':', '')}).`);
	}
	if (url.username || url.password) throw new RemoteFileProblem('File addresses with a user name or password are not opened.');
	return url;
}

/** The file name a URL points at (`…/orders.csv?dl=1` → `orders.csv`). */
export function fileNameOf(url: URL): string {
	const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
	return last || url.hostname;
}

/** Fetches the file a `src` link names, without cookies or referrer. */
export async function fetchRemoteFile(src: string, fetcher: typeof fetch = fetch): Promise<File> {
	const url = checkSourceUrl(src);
	let response: Response;
	try {
		response = await fetcher(url, { credentials: 'omit', referrerPolicy: 'no-referrer', mode: 'cors', cache: 'no-store' });
	} catch {
		// A CORS refusal and an unreachable host look the same to a page (a TypeError, by design).
		throw new RemoteFileProblem(
			`${url.host} did not let this page read ${fileNameOf(url)}: the host does not allow other sites to read its files (CORS), or it could not be reached. Download the file and drop it here instead.`
		);
	}
	if (!response.ok) {
		throw new RemoteFileProblem(`${url.host} answered "${response.status} ${response.statusText}" for ${fileNameOf(url)}. Check the link.`);
	}
	const length = Number(response.headers.get('content-length'));
	if (length > MAX_REMOTE_BYTES)
		throw new RemoteFileProblem(`${fileNameOf(url)} is too large to open by link. Download it and drop it here.`);
	const type = response.headers.get('content-type') ?? '';
	if (/^text\/html\b/i.test(type)) {
		throw new RemoteFileProblem(
			`${url.host} sent a web page, not a data file, for ${fileNameOf(url)}. Use the address of the CSV file itself (a "raw" or "download" link).`
		);
	}
	const blob = await response.blob();
	return new File([blob], fileNameOf(url), { type: blob.type || 'text/csv' });
}
