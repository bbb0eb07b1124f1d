import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One process for every file: importing Effect and knot again for each of 149 files
    // cost about 3 minutes of a CI run. What a file could leave behind for the next is put
    // back by the setup file; knot's own modules keep no state a test depends on.
    isolate: false,
    setupFiles: ["test/support/effectVitestReset.ts"],
    globalSetup: ["test/support/scratchRoot.ts"],
    benchmark: { include: ["test/**/*.bench.ts"] },
    testTimeout: 30_000,
    // Benchmarks report heap growth, which needs a collection before each reading.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    hookTimeout: 60_000
  }
})
