import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { Spaces, type SpaceView } from "../../../actors/space/spaces.ts"
import { KnotApi } from "../api.ts"
import { requireOwner } from "../auth/access.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import {
  noAliveNodeInZones,
  spaceNameInvalid,
  spaceNameTaken,
  spaceNotFound,
  quotaExceeded,
  spaceRequestRefused,
  storeErrors,
  templateNotFound,
  volumeNotFound,
  volumeNotYours,
  volumeReuseInvalid
} from "../domainErrors.ts"

/**
 * A list's JSON, written once per list: the views' encoded form is the views themselves, so
 * the text is theirs as it is, and the list of every space stays the same array until a space
 * changes (spaceViews.ts), so an admin's repeated lists cost one serialization between changes.
 */
const written = new WeakMap<ReadonlyArray<SpaceView>, string>()
const listJson = (views: ReadonlyArray<SpaceView>): string => {
  const cached = written.get(views)
  if (cached !== undefined) return cached
  const text = JSON.stringify(views)
  written.set(views, text)
  return text
}

export const SpacesHandlers = HttpApiBuilder.group(KnotApi, "spaces", (handlers) =>
  Effect.gen(function*() {
    const spaces = yield* Spaces

    /**
     * The space at `owner/name`, if the caller may see and drive it. Another user's is a 403
     * before it is looked up, so that nobody learns which names another user has.
     */
    const owned = (path: { readonly owner: string; readonly name: string }) =>
      Effect.zipRight(requireOwner(path.owner, `space ${path.owner}/${path.name}`), spaces.find(path.owner, path.name))

    const drive = (path: { readonly owner: string; readonly name: string }, request: "start" | "stop" | "delete") =>
      Effect.flatMap(owned(path), (view) => spaces[request](view.id)).pipe(
        Effect.catchTags({
          SpaceNotFound: spaceNotFound,
          SpaceRequestRefused: spaceRequestRefused,
          SpaceQuotaExceeded: quotaExceeded,
          ...storeErrors
        })
      )

    return handlers
      .handle("create", ({ payload }) =>
        Effect.flatMap(CurrentUser, (user) =>
          spaces.create({
            name: payload.name,
            template: payload.template,
            owner: user.id,
            ...(payload.reuseVolumes === undefined ? {} : { reuseVolumes: payload.reuseVolumes })
          }))
          .pipe(
            Effect.catchTags({
              SpaceNameInvalid: spaceNameInvalid,
              TemplateNotFound: templateNotFound,
              SpaceNameTaken: spaceNameTaken,
              NoAliveNodeInZones: noAliveNodeInZones,
              VolumeNotFound: volumeNotFound,
              VolumeNotYours: volumeNotYours,
              VolumeReuseInvalid: volumeReuseInvalid,
              SpaceQuotaExceeded: quotaExceeded,
              ...storeErrors
            })
          ))
      .handle("list", () =>
        Effect.flatMap(CurrentUser, (user) => spaces.list(user.role === "admin" ? undefined : { owner: user.id })).pipe(
          Effect.map((views) => HttpServerResponse.text(listJson(views), { contentType: "application/json" })),
          Effect.catchTags(storeErrors)
        ))
      .handle("get", ({ path }) => owned(path).pipe(Effect.catchTags({ SpaceNotFound: spaceNotFound, ...storeErrors })))
      .handle("start", ({ path }) => drive(path, "start"))
      .handle("stop", ({ path }) => drive(path, "stop"))
      .handle("delete", ({ path }) => drive(path, "delete"))
  }))
