import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

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
		ignores: ['build/', 'build-*/', '.svelte-kit/', 'node_modules/', 'scratch/', 'test-results/', 'playwright-report/', 'tests/bench/out/']
	}
);
