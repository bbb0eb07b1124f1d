/**
 * `knot sim`: the deterministic simulator from the command line. `run` plays one seed,
 * `fuzz` many (a failing seed is printed with the command that replays it), `replay` reruns
 * a recorded seed and checks that it takes the very same path, `list` names the scenarios.
 * Every run ends with a one-line summary that carries `trace=<hash>`. What each command does
 * is in simulationRuns.ts, loaded only when one runs.
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { linkModes } from "../simulations/linkMode.ts"

const runs = Effect.promise(() => import("./simulationRuns.ts"))

const scenarioOption = Options.text("scenario").pipe(
  Options.withDescription("the scenario to play (`knot sim list` names them)")
)
const seedOption = Options.integer("seed").pipe(Options.withDescription("the seed that decides everything in the run"))
const nodesOption = Options.integer("nodes").pipe(
  Options.withDescription("cluster size (the scenario's own size when absent)"),
  Options.optional
)
const linksOption = Options.choice("links", linkModes).pipe(
  Options.withDescription(
    "how cluster nodes reach each other: full-mesh (any two, the default) or view (only over connections kept as a real node keeps them past a full mesh)"
  ),
  Options.withDefault("full-mesh" as const)
)

const list = Command.make("list", {}, () => Effect.flatMap(runs, (loaded) => loaded.listScenarios)).pipe(
  Command.withDescription("list the scenarios")
)

const run = Command.make(
  "run",
  {
    scenario: scenarioOption,
    seed: seedOption,
    nodes: nodesOption,
    links: linksOption,
    trace: Options.file("trace").pipe(
      Options.withDescription("write every delivered message, fault and state change to this file"),
      Options.optional
    )
  },
  (args) => Effect.flatMap(runs, (loaded) => loaded.runOne(args))
).pipe(Command.withDescription("run one seed of a scenario"))

const fuzz = Command.make(
  "fuzz",
  {
    scenario: scenarioOption,
    seeds: Options.integer("seeds").pipe(Options.withDescription("how many seeds to run"), Options.withDefault(1000)),
    startSeed: Options.integer("start-seed").pipe(
      Options.withDescription("the first seed; the others follow it"),
      Options.withDefault(1)
    ),
    nodes: nodesOption,
    links: linksOption,
    workers: Options.integer("workers").pipe(
      Options.withDescription("threads running seeds: 1 runs them in this one, more in that many worker threads (one per core when absent)"),
      Options.optional
    )
  },
  (args) => Effect.flatMap(runs, (loaded) => loaded.fuzzSeeds(args))
).pipe(Command.withDescription("run many seeds of a scenario; exits 1 if any breaks an invariant"))

const replay = Command.make(
  "replay",
  {
    scenario: scenarioOption,
    seed: seedOption,
    nodes: nodesOption,
    links: linksOption,
    trace: Options.file("trace", { exists: "yes" }).pipe(
      Options.withDescription("a trace written by `knot sim run --trace`")
    )
  },
  (args) => Effect.flatMap(runs, (loaded) => loaded.replayTrace(args))
).pipe(Command.withDescription("rerun a seed and check it takes the path recorded in a trace file"))

export const simCommand = Command.make("sim").pipe(
  Command.withDescription("the deterministic cluster simulator"),
  Command.withSubcommands([list, run, fuzz, replay])
)
