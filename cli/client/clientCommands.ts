/** Every command that talks to a node's API, in the order `knot --help` lists them. */
import { adminCommand } from "./admin.command.ts"
import { auditCommand } from "./audit.command.ts"
import { clusterCommand } from "./cluster.command.ts"
import { leafCommand } from "./leaf.command.ts"
import { loginCommand } from "./login.command.ts"
import { quotaCommand } from "./quota.command.ts"
import { spaceCommand } from "./space.command.ts"
import { sshConfigCommand } from "./sshConfig.command.ts"
import { templateCommand } from "./template.command.ts"
import { tokenCommand } from "./token.command.ts"
import { userCommand } from "./user.command.ts"
import { volumeCommand } from "./volume.command.ts"

export const clientCommands = [
  spaceCommand,
  volumeCommand,
  templateCommand,
  clusterCommand,
  tokenCommand,
  userCommand,
  leafCommand,
  quotaCommand,
  auditCommand,
  adminCommand,
  sshConfigCommand,
  loginCommand
] as const
