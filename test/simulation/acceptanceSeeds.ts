/** The scenarios that issues accept over 200 seeds; the other scenarios run 50 in CI. */
export const acceptanceSeeds = 200

export const acceptanceScenarios: ReadonlyArray<string> = ["space-crashes", "space-partition", "leaf-offline", "leaf-origin-crash", "leaf-byzantine", "two-leaves"]
