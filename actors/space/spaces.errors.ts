import { Data } from "effect"

/** `space` is how it was asked for: `owner/name`, or an id. */
export class SpaceNotFound extends Data.TaggedError("SpaceNotFound")<{ readonly space: string }> {
  override get message() {
    return `no space ${this.space}; see \`knot space list\``
  }
}

/** The name is not a slug (it becomes part of container, volume and host names). */
export class SpaceNameInvalid extends Data.TaggedError("SpaceNameInvalid")<{ readonly reason: string }> {
  override get message() {
    return `invalid space name: ${this.reason}`
  }
}

export class SpaceNameTaken extends Data.TaggedError("SpaceNameTaken")<{ readonly space: string }> {
  override get message() {
    return `you already have a space named ${this.space}; pick another name or delete it first`
  }
}

export class TemplateNotFound extends Data.TaggedError("TemplateNotFound")<{ readonly template: string }> {
  override get message() {
    return `no template named ${this.template}; see \`knot template list\``
  }
}

/** Placement found no alive node in any zone the template allows. */
export class NoAliveNodeInZones extends Data.TaggedError("NoAliveNodeInZones")<{
  readonly template: string
  readonly zones: ReadonlyArray<string>
  /** Set when the space must go to this node (it holds kept volumes the space mounts). */
  readonly node?: string
}> {
  override get message() {
    return this.node === undefined
      ? `no alive node in zones [${this.zones.join(", ")}] for template ${this.template}`
      : `the kept volumes live on node ${this.node}, which is not alive in a zone template ${this.template} allows; try again when it is`
  }
}

/** A request the space's lifecycle refuses (start a space being deleted, ...). */
export class SpaceRequestRefused extends Data.TaggedError("SpaceRequestRefused")<{
  readonly space: string
  readonly reason: string
}> {
  override get message() {
    return `space ${this.space}: ${this.reason}`
  }
}

/** A kept volume named in a create that does not exist (or is no longer kept). */
export class VolumeNotFound extends Data.TaggedError("VolumeNotFound")<{ readonly volume: string }> {
  override get message() {
    return `no kept volume ${this.volume}; see \`knot volume list\``
  }
}

/** A kept volume of another user: never attached, never removed by anyone but its owner or an admin. */
export class VolumeNotYours extends Data.TaggedError("VolumeNotYours")<{ readonly volume: string }> {
  override get message() {
    return `kept volume ${this.volume} belongs to another user; only its owner can reuse it`
  }
}

/** A reuse the template cannot take: no such volume in it, or kept volumes on two nodes. */
export class VolumeReuseInvalid extends Data.TaggedError("VolumeReuseInvalid")<{ readonly reason: string }> {
  override get message() {
    return `cannot reuse volumes: ${this.reason}`
  }
}

export class SpaceQuotaExceeded extends Data.TaggedError("SpaceQuotaExceeded")<{
  readonly owner: string
  /** What the quota allows, in words: "3 spaces". */
  readonly quota: string
  /** What is in use or asked, in words: "3 exist". */
  readonly inUse: string
}> {
  override get message() {
    return `${this.owner}'s quota allows ${this.quota}, and ${this.inUse}; free some up, or ask an admin to raise it (knot quota set ${this.owner})`
  }
}
