import type { Member } from "../../actors/node/clusterView.ts"

/** A cluster member as a ClusterView reports it: alive, announced, no spaces, unless told otherwise. */
export const member = (id: string, zone: string, overrides: Partial<Member> = {}): Member => ({
  id,
  zone,
  mode: "cluster",
  state: "alive",
  incarnation: 1,
  lastContact: 0,
  announced: true,
  spaces: 0,
  ...overrides
})
