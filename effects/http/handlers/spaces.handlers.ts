import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Spaces } from "../../../actors/space/spaces.ts"
import { KnotApi } from "../api.ts"
import { requireOwner } from "../auth/access.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import {
  noAliveNodeInZones,
  spaceNameInvalid,
  spaceNameTaken,
  spaceNotFound,
  spaceRequestRefused,
  storeErrors,
  templateNotFound
} from "../domainErrors.ts"

export const SpacesHandlers = HttpApiBuilder.group(KnotApi, "spaces", (handlers) =>
  Effect.gen(function*() {
    const spaces = yield* Spaces

    /** The space, if the caller may see and drive it (403 otherwise: its name is no secret). */
    const owned = (space: string) =>
      Effect.tap(spaces.get(space), (view) => requireOwner(view.owner, `space ${view.name}`))

    const drive = (space: string, request: "start" | "stop" | "delete") =>
      Effect.flatMap(owned(space), (view) => spaces[request](view.id)).pipe(
        Effect.catchTags({ SpaceNotFound: spaceNotFound, SpaceRequestRefused: spaceRequestRefused, ...storeErrors })
      )

    return handlers
      .handle("create", ({ payload }) =>
        Effect.flatMap(CurrentUser, (user) => spaces.create({ name: payload.name, template: payload.template, owner: user.id }))
          .pipe(
            Effect.catchTags({
              SpaceNameInvalid: spaceNameInvalid,
              TemplateNotFound: templateNotFound,
              SpaceNameTaken: spaceNameTaken,
              NoAliveNodeInZones: noAliveNodeInZones,
              ...storeErrors
            })
          ))
      .handle("list", () =>
        Effect.flatMap(CurrentUser, (user) => spaces.list(user.role === "admin" ? undefined : { owner: user.id })).pipe(
          Effect.catchTags(storeErrors)
        ))
      .handle("get", ({ path }) => owned(path.space).pipe(Effect.catchTags({ SpaceNotFound: spaceNotFound, ...storeErrors })))
      .handle("start", ({ path }) => drive(path.space, "start"))
      .handle("stop", ({ path }) => drive(path.space, "stop"))
      .handle("delete", ({ path }) => drive(path.space, "delete"))
  }))
