/**
 * How simulated cluster nodes reach each other: `full-mesh`, any two of them, as when every
 * node is configured with the others; `view`, only over connections kept as a real node
 * keeps them past a full mesh (simLinks.ts). Apart, so the command line names the modes
 * without loading the simulator.
 */
export const linkModes = ["full-mesh", "view"] as const
export type LinkMode = (typeof linkModes)[number]
