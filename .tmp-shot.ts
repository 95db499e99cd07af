import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/support/browser-launch';
import { serveStatic } from './tests/support/serve-static';

const server = await serveStatic('build-e2e/root', 4419, '');
const browser = await chromium.launch(chromiumLaunchOptions());
try {
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	await page.goto('http://127.0.0.1:4419/#demo=42');
	await page.getByRole('tab', { name: 'Predictions' }).click({ timeout: 120_000 });
	await page.getByRole('table', { name: 'Model comparison' }).waitFor({ timeout: 180_000 });
	await page.getByRole('button', { name: 'Estimate uncertainty (200 resamples)' }).click();
	await page.getByTestId('bootstrap-progress').waitFor();
	await page.getByRole('heading', { name: 'Purchase model' }).scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/shot-progress.png' });
	await page.getByTestId('bootstrap-done').waitFor({ timeout: 300_000 });
	await page.getByRole('heading', { name: 'Predictions', exact: true }).scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/shot-top.png' });
	await page.getByRole('heading', { name: 'Purchase model' }).scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/shot-models.png' });
	await page.getByRole('heading', { name: 'How sure are these figures?' }).scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/shot-uncertainty.png' });
	await page.screenshot({ path: '/tmp/shot-full.png', fullPage: true });
} finally {
	await browser.close();
	server.close();
}
