/**
 * A bench at its full size, or at its smallest when the bench smoke test runs it
 * (`KNOT_BENCH_SMOKE=1`, test/benchSmoke.test.ts): CI runs no bench for its figures, so a
 * bench broken by a change elsewhere would otherwise go unnoticed until someone measures.
 */
export const smokeRun = process.env.KNOT_BENCH_SMOKE === "1"

export const scaled = <A>(full: A, smoke: A): A => (smokeRun ? smoke : full)
