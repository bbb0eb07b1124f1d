/** `knot cluster keygen`: the secret a new cluster starts from. */
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { knotClusterKeygen } from "../../effects/config/clusterKeygen.ts"

export const clusterKeygenCommand = Command.make("keygen", {}, () => Effect.flatMap(knotClusterKeygen(), Console.log)).pipe(
  Command.withDescription(
    "print a new cluster key (64 hex characters) for [cluster] key; every node of the cluster needs the same one, " +
      "and whoever holds it can join: keep it as secret as a password"
  )
)
