/** `knot user ssh-key add|list|remove`: the public keys the SSH gateways sign a user in by. */
import { homedir } from "node:os"
import { join } from "node:path"
import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Effect, Option } from "effect"
import type { SshKeyView } from "../../effects/ssh/sshKeysGroup.ts"
import { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printResult } from "./output.ts"
import { openSession, type Session } from "./session.ts"
import { renderTable } from "./table.ts"

/** Where ssh-keygen puts a key by default, the kinds the gateway takes, best first. */
const defaultKeyFiles = ["id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub"].map((name) => join(homedir(), ".ssh", name))

const userOption = Options.text("user").pipe(
  Options.withDescription("another user's profile (admins); default: yours"),
  Options.optional
)

const readKeyFile = (file: Option.Option<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const candidates = Option.match(file, { onNone: () => defaultKeyFiles, onSome: (path) => [path] })
    for (const path of candidates) {
      if (yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false))) {
        return yield* fs.readFileString(path).pipe(
          Effect.mapError((error) => new CliFailure({ message: `cannot read ${path}: ${error.message}` }))
        )
      }
    }
    return yield* new CliFailure({
      message: Option.isSome(file)
        ? `no such file ${file.value}`
        : `no public key in ~/.ssh (looked for ${defaultKeyFiles.map((path) => path.split("/").pop()).join(", ")}); ` +
          "make one with ssh-keygen -t ed25519, or name one with --file"
    })
  })

const add = Command.make(
  "add",
  {
    ...connectionOptions,
    json: jsonOption,
    file: Options.file("file").pipe(
      Options.withDescription("the public key (.pub); default: ~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub"),
      Options.optional
    ),
    name: Options.text("name").pipe(Options.withDescription("what to call it; default: the key's comment"), Options.optional),
    user: userOption
  },
  (input) =>
    Effect.gen(function*() {
      const publicKey = yield* readKeyFile(input.file)
      const session = yield* openSession(input)
      const key = yield* session.call(session.client.sshKeys.add({
        payload: {
          publicKey,
          ...Option.match(input.name, { onNone: () => ({}), onSome: (name) => ({ name }) }),
          ...Option.match(input.user, { onNone: () => ({}), onSome: (user) => ({ user }) })
        }
      }))
      yield* printResult(input.json, key, (view) => `added ${view.type} key ${view.fingerprint} (${view.name}) to ${view.user}'s profile`)
    })
).pipe(Command.withDescription("add a public key to your profile (or, for admins, anyone's): every node's SSH gateway takes it"))

const keysTable = (keys: ReadonlyArray<SshKeyView>) =>
  renderTable(
    [
      { header: "NAME", cell: (key: SshKeyView) => key.name },
      { header: "FINGERPRINT", cell: (key) => key.fingerprint },
      { header: "TYPE", cell: (key) => key.type },
      { header: "USER", cell: (key) => key.user },
      { header: "ADDED", cell: (key) => new Date(key.addedAt).toISOString() }
    ],
    keys
  )

const listKeys = (session: Session, user: Option.Option<string>, all: boolean) =>
  session.call(session.client.sshKeys.list({
    urlParams: all ? { all: "true" as const } : Option.match(user, { onNone: () => ({}), onSome: (name) => ({ user: name }) })
  }))

const list = Command.make(
  "list",
  {
    ...connectionOptions,
    json: jsonOption,
    user: userOption,
    all: Options.boolean("all").pipe(Options.withDescription("every user's keys (admins)"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      yield* printResult(input.json, yield* listKeys(session, input.user, input.all), keysTable)
    })
).pipe(Command.withDescription("list the SSH keys on your profile (or, for admins, anyone's)"))

const remove = Command.make(
  "remove",
  {
    ...connectionOptions,
    json: jsonOption,
    user: userOption,
    key: Args.text({ name: "key" }).pipe(Args.withDescription("its fingerprint (SHA256:...) or its name, from `knot user ssh-key list`"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const keys = yield* listKeys(session, input.user, false)
      const matching = keys.filter((key) => key.fingerprint === input.key || key.id === input.key || key.name === input.key)
      if (matching.length === 0) {
        return yield* new CliFailure({ message: `no SSH key ${input.key} on that profile; \`knot user ssh-key list\` shows them` })
      }
      if (matching.length > 1) {
        return yield* new CliFailure({ message: `${matching.length} keys are named ${input.key}; remove one by its fingerprint` })
      }
      const removed = yield* session.call(session.client.sshKeys.remove({ path: { id: matching[0]!.id } }))
      yield* printResult(input.json, removed, (view) => `removed key ${view.fingerprint} (${view.name}) from ${view.user}'s profile`)
    })
).pipe(Command.withDescription("remove an SSH key from your profile (or, for admins, anyone's)"))

export const sshKeyCommand = Command.make("ssh-key").pipe(
  Command.withDescription("the public keys that sign you in to your spaces over SSH"),
  Command.withSubcommands([add, list, remove])
)
