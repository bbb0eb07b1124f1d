import { Data } from "effect"

export class SpaceNotFound extends Data.TaggedError("SpaceNotFound")<{ readonly space: string }> {
  override get message() {
    return `no space named ${this.space}`
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
    return `a space named ${this.space} already exists; pick another name or delete it first`
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
}> {
  override get message() {
    return `no alive node in zones [${this.zones.join(", ")}] for template ${this.template}`
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
