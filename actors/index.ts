/**
 * knot's actors, for embedding: the runtime (ActorSystem, Behaviour, supervision), the pure
 * lifecycles of spaces, nodes and zones, the actors that drive them, and the services they
 * stand on. `TestNode.layer()` + `startNode()` run a whole node in memory under TestClock.
 */
export * from "./runtime/index.ts"
export * from "./lifecycle/lifecycle.errors.ts"
export * from "./space/space.machine.ts"
export * from "./space/space.actor.ts"
export * from "./space/spaces.ts"
export * from "./space/spaces.errors.ts"
export * from "./space/spaces.live.ts"
export * from "./space/placement.ts"
export * from "./space/spaceRecord.ts"
export * from "./space/spaceContainer.ts"
export * from "./space/spaceNames.ts"
export * from "./space/keptVolumes.ts"
export * from "./space/volumes.ts"
export * from "./space/volumes.live.ts"
export * from "./node/node.machine.ts"
export * from "./node/node.actor.ts"
export * from "./node/clusterView.ts"
export * from "./node/clusterView.standalone.ts"
export * from "./node/templates.ts"
export * from "./node/templates.live.ts"
export * from "./node/testNode.ts"
export * from "./zone/zone.machine.ts"
export * from "./zone/zone.actor.ts"
