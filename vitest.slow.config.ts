import { defineConfig } from 'vitest/config';

// `npm run test:slow`: statistical and training checks too slow for every commit.
export default defineConfig({
  test: {
    include: ['test/**/*.slow.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
  },
});
