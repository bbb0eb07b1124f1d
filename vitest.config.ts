import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    benchmark: { include: ["test/**/*.bench.ts"] },
    testTimeout: 30_000,
    // Vitest's default on a 2-core machine is one file at a time. Much of the suite waits on
    // engines, sockets and child processes, so two files side by side ran it in 472-520 s
    // rather than 739 s there, every test passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    minWorkers: 1,
    // Benchmarks report heap growth, which needs a collection before each reading.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    hookTimeout: 60_000
  }
})
