import { Layer } from "effect"
import { Leaves } from "./leaves.ts"
import { Tokens } from "./tokens.ts"
import { Users } from "./users.ts"

/** Users, their tokens and the leaves that may act for them, over the node's Store. */
export const AccountsLive = Layer.merge(Tokens.layer, Leaves.layer).pipe(Layer.provideMerge(Users.layer))
