/** `knot leaf add|list|set|revoke` (admins, against a cluster node). */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import type { AddedLeaf, LeafView } from "../../effects/http/api.schemas.ts"
import { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

const nameArg = Args.text({ name: "name" })

/** The credential inside the `[leaf]` lines to paste, since that is the only place it is needed. */
const addedMessage = ({ credential, leaf }: AddedLeaf): string =>
  [
    `leaf ${leaf.name} added; its credential is shown only this once. Put it in the leaf's config:`,
    "",
    "    [leaf]",
    `    origin = "<this node's public key: publicKey in noise-keypair.json of its data directory>"`,
    `    credential = "${credential}"`
  ].join("\n")

/** A leaf's --zone and --user options, as `add` gives them and `set` replaces them. */
const shareOptions = (zone: string, user: string) => ({
  ...connectionOptions,
  json: jsonOption,
  zone: Options.text("zone").pipe(Options.withDescription(zone), Options.optional),
  users: Options.text("user").pipe(Options.withDescription(`${user}; repeat for several`), Options.repeated)
})

const zoneField = (zone: Option.Option<string>) => Option.match(zone, { onNone: () => ({}), onSome: (zone) => ({ zone }) })

const add = Command.make(
  "add",
  {
    ...shareOptions("the zone its spaces run in", "a user whose spaces it may run and for whom it may act"),
    name: nameArg.pipe(Args.withDescription("the leaf's name (a-z, 0-9, -)"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const added = yield* session.call(session.client.leaves.add({
        payload: {
          name: input.name,
          users: input.users,
          ...zoneField(input.zone)
        }
      }))
      yield* printResult(input.json, added, addedMessage)
    })
).pipe(Command.withDescription("let a leaf join the cluster and print its join credential, once"))

const leavesTable = (leaves: ReadonlyArray<LeafView>) =>
  renderTable(
    [
      { header: "NAME", cell: (leaf: LeafView) => leaf.name },
      { header: "ZONE", cell: (leaf) => leaf.zone ?? "-" },
      { header: "USERS", cell: (leaf) => (leaf.users.length === 0 ? "-" : leaf.users.join(",")) },
      { header: "STATE", cell: (leaf) => leaf.state },
      { header: "NODE", cell: (leaf) => leaf.node ?? "-" }
    ],
    leaves
  )

const list = Command.make("list", { ...connectionOptions, json: jsonOption }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    yield* printResult(input.json, yield* session.call(session.client.leaves.list()), leavesTable)
  })).pipe(Command.withDescription("list the leaves, and the node that joined as each (never their credentials)"))

const set = Command.make(
  "set",
  {
    ...shareOptions("the zone its spaces run in from now on", "a user it serves from now on, in place of those it serves now"),
    name: nameArg.pipe(Args.withDescription("the leaf's name, from `knot leaf list`"))
  },
  (input) =>
    Effect.gen(function*() {
      if (input.users.length === 0 && Option.isNone(input.zone)) {
        return yield* new CliFailure({ message: "nothing to change: give --user (repeat it for several users), --zone, or both" })
      }
      const session = yield* openSession(input)
      const leaf = yield* session.call(session.client.leaves.set({
        path: { name: input.name },
        payload: {
          ...(input.users.length === 0 ? {} : { users: input.users }),
          ...zoneField(input.zone)
        }
      }))
      yield* printResult(input.json, leaf, (changed) =>
        `leaf ${changed.name} now serves ${changed.users.length === 0 ? "no user" : changed.users.join(", ")}` +
        `${changed.zone === undefined ? "" : ` in zone ${changed.zone}`}; the leaf picks this up from its origin, ` +
        "with no new credential or restart")
    })
).pipe(Command.withDescription("change a leaf's users or zone in place: its credential stays good"))

const revoke = Command.make(
  "revoke",
  { ...connectionOptions, name: nameArg.pipe(Args.withDescription("the leaf's name, from `knot leaf list`")) },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const leaf = yield* session.call(session.client.leaves.revoke({ path: { name: input.name } }))
      yield* Console.log(`leaf ${leaf.name} revoked; its link closes within seconds`)
    })
).pipe(Command.withDescription("revoke a leaf's credential: its link closes and it cannot join again"))

export const leafCommand = Command.make("leaf").pipe(
  Command.withDescription("manage the leaves that may join the cluster (admins)"),
  Command.withSubcommands([add, list, set, revoke])
)
