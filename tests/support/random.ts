import { randomLcg } from 'd3';

/**
 * A seeded source of numbers in [0, 1), so generated test data is the same on every run.
 * d3's linear congruential generator: already a dependency, and shared by every test that needs one.
 */
export function seededRandom(seed: number): () => number {
	return randomLcg(seed);
}
