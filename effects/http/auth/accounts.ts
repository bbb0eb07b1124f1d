import { Layer } from "effect"
import { SshKeys } from "../../ssh/sshKeys.ts"
import { Leaves } from "./leaves.ts"
import { Passwords } from "./passwords.ts"
import { Sessions } from "./sessions.ts"
import { Tokens } from "./tokens.ts"
import { Users } from "./users.ts"

/** Users, their tokens, passwords, sessions and SSH keys, and the leaves that may act for them, over the node's Store. */
export const AccountsLive = Layer.mergeAll(Tokens.layer, Leaves.layer, Passwords.layer, Sessions.layer, SshKeys.layer).pipe(
  Layer.provideMerge(Users.layer)
)
