import { describe, expect, it } from 'vitest';
import { checkSourceUrl, fetchRemoteFile, fileNameOf } from '../../src/lib/state/remote-file';
import { fileFingerprint } from '../../src/lib/state/fingerprint';

const respond = (body: string, init: ResponseInit) => (async () => new Response(body, init)) as unknown as typeof fetch;

describe('?src files', () => {
	it('accept https, and http only on this computer', () => {
		expect(checkSourceUrl('https://data.example.org/orders.csv').host).toBe('data.example.org');
		expect(checkSourceUrl('http://127.0.0.1:8080/o.csv').port).toBe('8080');
		expect(() => checkSourceUrl('http://example.org/o.csv')).toThrow('Only https:// files can be opened by link (this one is http).');
		expect(() => checkSourceUrl('orders.csv')).toThrow(/not a web address/);
		expect(() => checkSourceUrl('https://u:p@example.org/o.csv')).toThrow(/user name or password/);
		expect(fileNameOf(new URL('https://a.test/x/my%20orders.csv?dl=1'))).toBe('my orders.csv');
	});

	it('turn a CORS refusal, an error status or a web page into a message', async () => {
		const refused = (async () => {
			throw new TypeError('Failed to fetch');
		}) as unknown as typeof fetch;
		await expect(fetchRemoteFile('https://a.test/o.csv', refused)).rejects.toThrow(/a\.test did not let this page read o\.csv.*CORS/);
		await expect(fetchRemoteFile('https://a.test/o.csv', respond('', { status: 404, statusText: 'Not Found' }))).rejects.toThrow(
			'a.test answered "404 Not Found" for o.csv. Check the link.'
		);
		await expect(fetchRemoteFile('https://a.test/o.csv', respond('<html>', { headers: { 'content-type': 'text/html' } }))).rejects.toThrow(
			/sent a web page/
		);
		const file = await fetchRemoteFile('https://a.test/data/o.csv', respond('a,b\n1,2\n', { headers: { 'content-type': 'text/csv' } }));
		expect(file.name).toBe('o.csv');
		expect(await file.text()).toBe('a,b\n1,2\n');
	});
});

describe('file fingerprints', () => {
	it('tell files apart by size and content at either end, and are stable', async () => {
		const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
		const a = await fileFingerprint(new Blob([big]));
		expect(a).toMatch(/^[0-9a-f]{16}$/);
		expect(await fileFingerprint(new Blob([big]))).toBe(a);
		const tail = big.slice();
		tail[tail.length - 1] = 7;
		expect(await fileFingerprint(new Blob([tail]))).not.toBe(a);
		const head = big.slice();
		head[0] = 7;
		expect(await fileFingerprint(new Blob([head]))).not.toBe(a);
		expect(await fileFingerprint(new Blob([big.subarray(1)]))).not.toBe(a);
	});
});
