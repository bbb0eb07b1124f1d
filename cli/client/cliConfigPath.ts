/**
 * Where the CLI's settings file is: the path in KNOT_CONFIG, else
 * `$XDG_CONFIG_HOME/knot/cli.toml`, else `~/.config/knot/cli.toml`. Plain code, for the hand
 * path too; `variable` gives a set, non-empty environment variable.
 */
import { join } from "node:path"

export const cliConfigPathOf = (variable: (name: string) => string | undefined): string => {
  const explicit = variable("KNOT_CONFIG")
  if (explicit !== undefined) return explicit
  const xdg = variable("XDG_CONFIG_HOME")
  if (xdg !== undefined) return join(xdg, "knot", "cli.toml")
  return join(variable("HOME") ?? ".", ".config", "knot", "cli.toml")
}
