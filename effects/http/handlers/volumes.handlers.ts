import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Volumes } from "../../../actors/space/volumes.ts"
import { KnotApi } from "../api.ts"
import { requireOwner } from "../auth/access.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import { storeErrors, volumeNotFound } from "../domainErrors.ts"

export const VolumesHandlers = HttpApiBuilder.group(KnotApi, "volumes", (handlers) =>
  Effect.gen(function*() {
    const volumes = yield* Volumes
    return handlers
      .handle("list", () =>
        Effect.flatMap(CurrentUser, (user) => volumes.list(user.role === "admin" ? undefined : { owner: user.id })).pipe(
          Effect.catchTags(storeErrors)
        ))
      .handle("delete", ({ path }) =>
        Effect.flatMap(volumes.get(path.id), (volume) => requireOwner(volume.owner, `kept volume ${volume.id}`)).pipe(
          Effect.zipRight(volumes.delete(path.id)),
          Effect.catchTags({ VolumeNotFound: volumeNotFound, ...storeErrors })
        ))
  }))
