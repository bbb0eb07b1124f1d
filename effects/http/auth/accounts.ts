import { Layer } from "effect"
import { Tokens } from "./tokens.ts"
import { Users } from "./users.ts"

/** Users and their tokens, over the node's Store. */
export const AccountsLive = Tokens.layer.pipe(Layer.provideMerge(Users.layer))
