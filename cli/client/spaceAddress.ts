/**
 * How people name a space on the command line: `NAME` for one of their own, `OWNER/NAME` for
 * anyone's (an admin's way to reach another user's). Both become the API's one address,
 * `/api/spaces/OWNER/NAME`.
 */
import { Args } from "@effect/cli"
import { Effect } from "effect"
import { CliFailure } from "./cliFailure.ts"
import type { Session } from "./session.ts"

export interface SpaceAddress {
  readonly owner: string
  readonly name: string
}

export const spaceArg = Args.text({ name: "space" }).pipe(
  Args.withDescription("NAME for one of your spaces, OWNER/NAME for another user's (admins)")
)

export const resolveSpaceAddress = (session: Session, text: string): Effect.Effect<SpaceAddress, CliFailure> => {
  const parts = text.split("/")
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") {
    return Effect.succeed({ owner: parts[0]!, name: parts[1]! })
  }
  if (parts.length !== 1 || text === "") {
    return Effect.fail(new CliFailure({ message: `"${text}" is not a space: write NAME, or OWNER/NAME for another user's` }))
  }
  return Effect.map(session.call(session.client.users.me()), (me) => ({ owner: me.id, name: text }))
}

/** The address a view is at now (its name may change when a create of the same name meets it). */
export const addressOf = (space: { readonly owner: string; readonly name: string }): SpaceAddress => ({
  owner: space.owner,
  name: space.name
})
