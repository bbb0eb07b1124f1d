import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    benchmark: { include: ["test/**/*.bench.ts"] },
    testTimeout: 30_000,
    // Benchmarks report heap growth, which needs a collection before each reading.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    hookTimeout: 60_000
  }
})
