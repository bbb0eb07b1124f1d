/**
 * The record of one run: a line per delivered message, fault and state change, each prefixed
 * by its virtual time, folded into a hash as it is written. Same seed and same code give the
 * same hash; the lines themselves are kept only when asked for (`knot sim run --trace FILE`),
 * since a fuzz run only needs the hash.
 */
import { createHash, type Hash } from "node:crypto"

export interface TraceCounts {
  /** Messages handed to the network. */
  sent: number
  delivered: number
  /** Lost to random drops, partitions, or a receiver that was down. */
  dropped: number
  duplicated: number
  bytes: number
  faults: number
  writes: number
  acknowledged: number
  stateChanges: number
  /** Crashes that came while the node's engine was carrying out a call for it. */
  crashesMidStep: number
}

export class Trace {
  private readonly hash: Hash = createHash("sha256")
  private readonly kept: Array<string> | undefined
  readonly counts: TraceCounts = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    bytes: 0,
    faults: 0,
    writes: 0,
    acknowledged: 0,
    stateChanges: 0,
    crashesMidStep: 0
  }

  constructor(keepLines: boolean) {
    this.kept = keepLines ? [] : undefined
  }

  line(at: number, text: string): void {
    const line = `${at} ${text}\n`
    this.hash.update(line)
    this.kept?.push(line)
  }

  /** Folds bytes into the hash without a line: message contents count, yet stay out of the file. */
  bytes(data: Uint8Array): void {
    this.hash.update(data)
  }

  get lines(): ReadonlyArray<string> {
    return this.kept ?? []
  }

  /** Ends the trace: its hash, 16 hex digits. Call once. */
  digest(): string {
    return this.hash.digest("hex").slice(0, 16)
  }
}

/** The hash recorded in a trace file's last line (`# trace=<hash>`), if any. */
export const traceHashOfFile = (text: string): string | undefined => /# trace=([0-9a-f]+)\s*$/.exec(text)?.[1]

/** What a trace was recorded from: the run to repeat to replay it. */
export interface TracedRun {
  readonly scenario: string
  readonly seed: number
  readonly nodes: number
  /** Written only for `view`: a file from before links were simulated ran a full mesh. */
  readonly links: "full-mesh" | "view"
}

/** A trace file: the run it records, its lines, then the hash. */
export const renderTraceFile = (run: TracedRun, lines: ReadonlyArray<string>, hash: string): string =>
  `# run scenario=${run.scenario} seed=${run.seed} nodes=${run.nodes}${run.links === "view" ? " links=view" : ""}\n${
    lines.join("")
  }# trace=${hash}\n`

/** The run a trace file names in its first line; undefined for a file from before it did. */
export const tracedRunOfFile = (text: string): TracedRun | undefined => {
  const match = /^# run scenario=(\S+) seed=(-?\d+) nodes=(\d+)( links=view)?\n/.exec(text)
  return match === null
    ? undefined
    : { scenario: match[1]!, seed: Number(match[2]), nodes: Number(match[3]), links: match[4] === undefined ? "full-mesh" : "view" }
}
