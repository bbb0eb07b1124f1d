/** A template: what a space is started from (image, command, environment, volumes, limits). */
import { Schema } from "effect"
import { AbsolutePath, BoundedInteger, BoundedNumber, NonEmpty, Slug } from "./fields.ts"

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Environment variables of the container. The names are checked as a whole (a refined key
 * of a Schema.Record would silently drop a bad name instead of reporting it).
 */
export const TemplateEnv = Schema.Record({ key: Schema.String, value: Schema.String }).pipe(
  Schema.filter((env) => {
    const bad = Object.keys(env).find((name) => !envName.test(name))
    return bad === undefined ||
      `environment variable ${JSON.stringify(bad)} must start with a letter or "_" and contain only letters, digits and "_"`
  })
)

export const TemplateVolume = Schema.Struct({
  name: Slug("a volume name"),
  mountPath: AbsolutePath("a volume's mountPath"),
  /** Keep the volume's data when the space is deleted. */
  keep: Schema.Boolean
})
export type TemplateVolume = typeof TemplateVolume.Type

const firstRepeated = (values: ReadonlyArray<string>) => values.find((value, i) => values.indexOf(value) !== i)

export const TemplateVolumes = Schema.Array(TemplateVolume).pipe(
  Schema.filter((volumes) => {
    const name = firstRepeated(volumes.map((volume) => volume.name))
    const path = firstRepeated(volumes.map((volume) => volume.mountPath))
    return name !== undefined
      ? `two volumes have the name ${JSON.stringify(name)}; give each its own`
      : path !== undefined
      ? `two volumes have the mountPath ${JSON.stringify(path)}; give each its own`
      : true
  })
)

/** A port a space of the template serves inside its container; an HTTP one is browsed through the node. */
export const TemplatePort = Schema.Struct({
  port: BoundedInteger("a port", 1, 65_535),
  name: Schema.optionalWith(Slug("a port name"), { exact: true }),
  /** "http": reachable in a browser at /spaces/OWNER/NAME/ports/PORT/ on any node; "tcp": by `knot space forward`. */
  protocol: Schema.optionalWith(Schema.Literal("http", "tcp"), { exact: true, default: () => "tcp" as const })
})
export type TemplatePort = typeof TemplatePort.Type

export const TemplatePorts = Schema.Array(TemplatePort).pipe(
  Schema.filter((ports) => {
    const repeated = ports.find((entry, i) => ports.findIndex((other) => other.port === entry.port) !== i)
    return repeated === undefined || `port ${repeated.port} is listed twice; list each port once`
  })
)

export const Template = Schema.Struct({
  name: Slug("a template name"),
  image: NonEmpty("the image"),
  /** Overrides the image's command; absent: the image's own. */
  command: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  env: TemplateEnv,
  volumes: TemplateVolumes,
  /** Ports its spaces serve; absent on templates from before ports were declared. */
  ports: Schema.optionalWith(TemplatePorts, { exact: true }),
  /** Zones whose nodes may run spaces of this template; empty: every zone. */
  zones: Schema.Array(Slug("a zone name")),
  /** The engine's smallest memory limit is 6 MB. */
  memoryMb: Schema.optionalWith(BoundedInteger("memoryMb", 6, 1_048_576), { exact: true }),
  /** The engine counts CPUs in billionths; a hundredth is the finest share worth asking for. */
  cpus: Schema.optionalWith(BoundedNumber("cpus", 0.01, 1024), { exact: true }),
  /** An SSH session to a stopped space of this template starts it, instead of saying that it is stopped. */
  startOnConnect: Schema.optionalWith(Schema.Boolean, { exact: true })
})
export type Template = typeof Template.Type
