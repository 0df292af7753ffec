import { defineConfig } from 'vitest/config'

// Tests run on the TypeScript sources: workspace packages resolve through the
// '@varve/source' export condition, so no build step sits in the test loop.
const conditions = ['@varve/source', 'import', 'node', 'default']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@varve/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
