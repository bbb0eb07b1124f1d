import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import { Node, Space, SpaceStatus, Template, Token, User, Zone } from "../../storage/kinds/index.ts"

/** The message a user would see for `value`, or undefined if it decodes. */
const problem = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
  Either.match(Schema.decodeUnknownEither(schema)(value), {
    onLeft: (error) => ParseResult.TreeFormatter.formatErrorSync(error),
    onRight: () => undefined
  })

const template = {
  name: "go-dev",
  image: "golang:1.23",
  command: ["sleep", "infinity"],
  env: { GOFLAGS: "-mod=mod", _PRIVATE: "1" },
  volumes: [{ name: "home", mountPath: "/home/dev", keep: true }],
  zones: ["us-east"],
  memoryMb: 4096,
  cpus: 1.5
}

const space = {
  name: "ann-go",
  owner: "ann",
  template: "go-dev",
  node: "node-1",
  zone: "us-east",
  desired: "running",
  generation: 0
}

describe("template", () => {
  it("accepts a complete template", () => {
    expect(problem(Template, template)).toBeUndefined()
  })

  it("accepts a template with only the required fields", () => {
    expect(problem(Template, { name: "x", image: "alpine", env: {}, volumes: [], zones: [] })).toBeUndefined()
  })

  it("refuses a name that is not a lowercase DNS label, saying what is allowed", () => {
    expect(problem(Template, { ...template, name: "Go_Dev" })).toContain(
      "a template name must be 1 to 63 characters of a-z, 0-9 and \"-\""
    )
    expect(problem(Template, { ...template, name: "-go" })).toContain("starting and ending with a letter or digit")
    expect(problem(Template, { ...template, name: "g".repeat(64) })).toContain("1 to 63 characters")
  })

  it("refuses an empty image", () => {
    expect(problem(Template, { ...template, image: " " })).toContain("the image must not be empty")
  })

  it("refuses a volume mounted at a relative path", () => {
    const volumes = [{ name: "home", mountPath: "home/dev", keep: false }]
    expect(problem(Template, { ...template, volumes })).toContain(
      "a volume's mountPath must be an absolute path (got \"home/dev\")"
    )
  })

  it("refuses two volumes with one name or one mount path", () => {
    const sameName = [{ name: "data", mountPath: "/a", keep: true }, { name: "data", mountPath: "/b", keep: true }]
    const samePath = [{ name: "a", mountPath: "/data", keep: true }, { name: "b", mountPath: "/data", keep: true }]
    expect(problem(Template, { ...template, volumes: sameName })).toContain("two volumes have the name \"data\"")
    expect(problem(Template, { ...template, volumes: samePath })).toContain("two volumes have the mountPath \"/data\"")
  })

  it("refuses limits outside what the engine takes", () => {
    expect(problem(Template, { ...template, cpus: 0 })).toContain("cpus must be a number from 0.01 to 1024 (got 0)")
    expect(problem(Template, { ...template, memoryMb: 0.5 })).toContain("memoryMb must be a whole number from 6 to 1048576")
  })

  it("refuses an environment variable name a shell could not use", () => {
    expect(problem(Template, { ...template, env: { "MY-VAR": "1" } })).toContain(
      "environment variable \"MY-VAR\" must start with a letter or \"_\""
    )
  })

  it("refuses a zone that is not a slug", () => {
    expect(problem(Template, { ...template, zones: ["US East"] })).toContain("a zone name must be 1 to 63 characters")
  })
})

describe("space", () => {
  it("accepts a space", () => {
    expect(problem(Space, space)).toBeUndefined()
  })

  it("refuses a desired state outside the lifecycle", () => {
    expect(problem(Space, { ...space, desired: "creating" })).toContain("\"creating\"")
  })

  it("refuses a generation that is not a whole number", () => {
    expect(problem(Space, { ...space, generation: -1 })).toContain("generation must be a whole number, 0 or more")
  })
})

describe("space status", () => {
  it("accepts a status with its optional fields", () => {
    expect(problem(SpaceStatus, { observed: "failed", reason: "image not found", containerId: "abc123" })).toBeUndefined()
  })

  it("refuses an observed state outside the lifecycle", () => {
    expect(problem(SpaceStatus, { observed: "paused" })).toContain("\"paused\"")
  })
})

describe("node, zone, user and token", () => {
  it("accept valid values", () => {
    expect(problem(Node, { zone: "us-east", mode: "cluster", address: "10.0.0.2:7000", startedAt: 1_700_000_000_000 }))
      .toBeUndefined()
    expect(problem(Zone, { name: "us-east" })).toBeUndefined()
    expect(problem(User, { name: "Ann", role: "admin" })).toBeUndefined()
    expect(problem(Token, { user: "ann", hash: "a".repeat(64), createdAt: 0, name: "laptop" })).toBeUndefined()
  })

  it("refuse a node's public key that is not 64 lowercase hex digits, and take one that is", () => {
    const node = { zone: "us-east", mode: "cluster", startedAt: 0 }
    expect(problem(Node, { ...node, publicKey: "AB".repeat(32) })).toContain("the public key must be 64 lowercase hex digits")
    expect(problem(Node, { ...node, publicKey: "ab".repeat(31) })).toContain("the public key must be 64 lowercase hex digits")
    expect(problem(Node, { ...node, publicKey: "ab".repeat(32) })).toBeUndefined()
  })

  it("refuse an unknown node mode", () => {
    expect(problem(Node, { zone: "us-east", mode: "primary", startedAt: 0 })).toContain("\"primary\"")
  })

  it("refuse a zone name that is not a slug", () => {
    expect(problem(Zone, { name: "us_east" })).toContain("a zone name must be 1 to 63 characters")
  })

  it("refuse an unknown role", () => {
    expect(problem(User, { name: "Ann", role: "root" })).toContain("\"root\"")
  })

  it("refuse a token hash that is not SHA-256 hex", () => {
    expect(problem(Token, { user: "ann", hash: "A".repeat(64), createdAt: 0 })).toContain(
      "the hash must be a SHA-256 digest as 64 lowercase hex digits"
    )
  })
})
