import { describe, expect, it } from "vitest"
import { Either } from "effect"
import { blockEnd, blockStart, renderBlock, withBlock } from "../../cli/client/sshConfigBlock.ts"
import { parseSshUser } from "../../effects/ssh/sshAddress.ts"

describe("the SSH user name", () => {
  it("NAME is one of the caller's own spaces", () => {
    expect(Either.getOrThrow(parseSshUser("dev"))).toEqual({ owner: undefined, name: "dev" })
  })

  it("OWNER.NAME is another user's space", () => {
    expect(Either.getOrThrow(parseSshUser("bob.dev"))).toEqual({ owner: "bob", name: "dev" })
  })

  it.each(["Dev", "a.b.c", ".dev", "bob/dev", ""])("%j is refused, saying how to write one", (name) => {
    expect(Either.getOrThrow(Either.flip(parseSshUser(name)))).toMatch(/OWNER\.NAME/)
  })
})

describe("knot ssh-config's block", () => {
  const gateway = { host: "127.0.0.1", port: 2222 }
  const block = renderBlock(gateway, [{ alias: "knot-dev", user: "dev" }])

  it("names each space as a Host with the gateway's address and the space's user name", () => {
    expect(block).toContain("Host knot-dev\n  HostName 127.0.0.1\n  Port 2222\n  User dev")
  })

  it("is appended to a config without one, and leaves the rest as it was", () => {
    expect(withBlock("Host other\n  User me\n", block)).toBe(`Host other\n  User me\n\n${block}\n`)
  })

  it("replaces itself in place: written twice, the config holds one block", () => {
    const once = withBlock("Host other\n", block)
    const twice = withBlock(once, renderBlock(gateway, [{ alias: "knot-web", user: "web" }]))
    expect(twice.split(blockStart)).toHaveLength(2)
    expect(twice.split(blockEnd)).toHaveLength(2)
    expect(twice).toContain("Host knot-web")
    expect(twice).not.toContain("Host knot-dev")
    expect(twice.startsWith("Host other\n")).toBe(true)
  })
})
