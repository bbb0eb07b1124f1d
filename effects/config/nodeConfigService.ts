import type { FileSystem, Path } from "@effect/platform"
import { Context, Layer } from "effect"
import type { ConfigError } from "./config.errors.ts"
import { loadConfig } from "./loadConfig.ts"
import type { NodeConfig } from "./nodeConfig.ts"

/** The running node's config, loaded once at start. */
export class NodeConfigService extends Context.Tag("knot/NodeConfig")<NodeConfigService, NodeConfig>() {
  /** From the TOML file at `path`, or the defaults when there is none. */
  static readonly layer = (path?: string): Layer.Layer<NodeConfigService, ConfigError, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(NodeConfigService, loadConfig(path))
}
