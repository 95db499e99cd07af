import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * Code that runs in the engine worker (or in Node tests and the benchmark): it never imports
 * Svelte, SvelteKit or the page's state and components, so it stays testable without a DOM.
 */
const WORKER_SIDE = [
	'src/lib/engine/**',
	'src/lib/ingest/**',
	'src/lib/rfm/**',
	'src/lib/predict/**',
	'src/lib/history/**',
	'src/lib/db/**',
	'src/lib/errors.ts',
	'src/lib/dates.ts',
	// The builder's SQL (its page state is in a .svelte.ts module, which this rule does not cover).
	'src/lib/builder/compile.ts',
	'src/lib/builder/definition.ts',
	'src/lib/builder/audience.ts',
	'src/lib/builder/builder-engine.ts',
	'src/lib/builder/parquet.ts'
];

export default ts.config(
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig } }
	},
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
			// Static site with relative paths: links are resolved by SvelteKit's base handling.
			'svelte/no-navigation-without-resolve': 'off'
		}
	},
	{
		// The page reaches the engine one way (state/engine-calls.svelte.ts, handed to the state classes):
		// views and leaf components never import the engine client, and leaf components (ui/) take
		// props, never the page's state.
		files: ['src/lib/**/*.svelte'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['**/engine/client', '$lib/engine/client'], message: 'Reach the engine through the state classes (EngineCalls).' }
					]
				}
			]
		}
	},
	{
		files: ['src/lib/ui/**/*.svelte'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['**/engine/client', '$lib/engine/client'], message: 'Reach the engine through the state classes (EngineCalls).' },
						{
							group: ['**/*.svelte.js', '**/*.svelte.ts', '**/state/*.svelte'],
							message: 'A ui/ component takes props; a panel that reads state belongs in views/.'
						}
					]
				}
			]
		}
	},
	{
		files: WORKER_SIDE,
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: [{ name: 'svelte', message: 'Worker-side code does not import Svelte (see WORKER_SIDE in eslint.config.js).' }],
					patterns: [
						{
							group: ['svelte/*', '**/*.svelte', '**/*.svelte.js', '**/*.svelte.ts', '$app/*', '@sveltejs/*'],
							message: 'Worker-side code does not import Svelte or SvelteKit (see WORKER_SIDE in eslint.config.js).'
						},
						{
							group: ['**/state/**', '**/components/**', '**/views/**', '**/ui/**', '**/charts/**'],
							message: "Worker-side code does not import the page's state or components (see WORKER_SIDE in eslint.config.js)."
						}
					]
				}
			],
			'no-restricted-globals': ['error', 'document', 'window', 'localStorage', 'sessionStorage']
		}
	},
	{
		// engine/duckdb.ts starts DuckDB-WASM; everything else reaches it through that module (types may be imported).
		files: ['src/**/*.ts', 'src/**/*.svelte'],
		ignores: ['src/lib/engine/duckdb.ts'],
		rules: {
			'@typescript-eslint/no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['@duckdb/duckdb-wasm', '@duckdb/duckdb-wasm/*'],
							allowTypeImports: true,
							message: 'Only src/lib/engine/duckdb.ts imports DuckDB-WASM; import its types, or go through it.'
						}
					]
				}
			]
		}
	},
	{
		ignores: ['build/', 'build-*/', '.svelte-kit/', 'node_modules/', 'scratch/', 'test-results/', 'playwright-report/', 'tests/bench/out/']
	}
);
