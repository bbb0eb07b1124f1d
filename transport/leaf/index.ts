export * from "./leafLink.actor.ts"
export * from "./originLink.live.ts"
export * from "./spawnLeafGossip.ts"
