import { defineConfig } from 'vitest/config';

// `npm test`: the fast suite (must stay under 10 minutes on 2 cores).
// Slow statistical and training checks are named *.slow.test.ts and run by `npm run test:slow`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.slow.test.ts', 'node_modules/**', 'dist/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
