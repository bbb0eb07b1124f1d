/**
 * The SSH gateway on real nodes and the real engine, with the OpenSSH client: into alice's
 * space through the node that runs it, through the other cluster node, and through a leaf
 * (whose origin carries the stream on); files copied with scp; `knot ssh-config`'s block.
 */
import { execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineAvailable, noEngineNotice } from "../support/dockerEngine.ts"
import { eventually, sleep } from "../leaf/leafHarness.ts"
import { tmuxArgs } from "../streams/streamsSupport.ts"
import { clientOptions, page, pagePort, run, ssh, type SshCluster, type SshNode, startSshCluster } from "./sshNodes.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("the SSH gateway's node tests"))

const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname

describe.runIf(available)("SSH into a space on real nodes", { timeout: 120_000 }, () => {
  let cluster: SshCluster

  beforeAll(async () => {
    cluster = await startSshCluster()
  }, 300_000)

  afterAll(async () => {
    await cluster?.stop()
  })

  const alice = () => cluster.keyOf("alice")
  const gateways = {
    "the node that runs the space": () => cluster.owner,
    "a cluster node that does not run it": () => cluster.other,
    "a leaf, whose origin carries the stream on": () => cluster.leaf
  } as const

  /** Keys and spaces reach every node by gossip: the first session waits for them. */
  const reachable = (node: SshNode) =>
    eventually(`alice's key and space on ${node.spec.name}`, async () =>
      (await ssh(node, alice(), "sshdev", ["true"])).code === 0 ? true : undefined, 60_000)

  describe.each(Object.keys(gateways) as Array<keyof typeof gateways>)("through the gateway of %s", (label) => {
    const gateway = () => gateways[label]()

    it("prints hi for `ssh -p P -i key sshdev@127.0.0.1 echo hi`", async () => {
      await reachable(gateway())
      const result = await ssh(gateway(), alice(), "sshdev", ["echo", "hi"])
      expect(result).toMatchObject({ code: 0, stdout: "hi\n" })
    })

    it("forwards the client's agent with ssh -A: ssh-add -l in the space lists the key it holds", async () => {
      await reachable(gateway())
      const listed = await ssh(gateway(), alice(), "sshdev", ["ssh-add", "-l"], ["-A"], { SSH_AUTH_SOCK: cluster.agentSocket })
      expect(listed.code, listed.stderr + listed.stdout).toBe(0)
      expect(listed.stdout).toContain("in-the-agent@test")
    })

    it("removes the space's agent socket on the owner node when an ssh -A session ends", async () => {
      await reachable(gateway())
      const agents = join(cluster.owner.dir, "data", "agent-sockets")
      const sockets = () => readdirSync(agents).flatMap((container) => readdirSync(join(agents, container)))
      const none = () => eventually("no agent socket on the owner", async () => (sockets().length === 0 ? true : undefined), 10_000)
      await none()
      const held = ssh(gateway(), alice(), "sshdev", ["sleep 1; ls /run/knot/agent"], ["-A"], { SSH_AUTH_SOCK: cluster.agentSocket })
      expect(await eventually("the agent socket on the owner", async () => (sockets().length > 0 ? sockets() : undefined), 10_000))
        .toHaveLength(1)
      const seen = await held
      expect(seen.stdout.trim()).toMatch(/^agent-[0-9a-f]{32}\.sock$/)
      expect(await none()).toBe(true)
    })

    it("hangs up a command in the space when the ssh client is killed in the middle of it", async () => {
      await reachable(gateway())
      const command = `sleep ${4000 + Math.floor(Math.random() * 5000)}`
      const running = async () =>
        (await ssh(cluster.owner, alice(), "sshdev", ["ps", "-o", "args"])).stdout.split("\n").includes(command)
      const client = spawn("ssh", [...clientOptions(alice()), "-p", String(gateway().sshPort), "sshdev@127.0.0.1", command])
      try {
        await eventually("the command to run", async () => ((await running()) ? true : undefined), 20_000)
      } finally {
        client.kill("SIGKILL")
      }
      expect(await eventually("the command to be hung up", async () => ((await running()) ? undefined : true), 20_000)).toBe(true)
    })

    it("exits 7 for `exit 7`", async () => {
      await reachable(gateway())
      expect((await ssh(gateway(), alice(), "sshdev", ["exit 7"])).code).toBe(7)
    })

    it("forwards `ssh -L` to busybox httpd in the space", async () => {
      await reachable(gateway())
      const local = 30_000 + Math.floor(Math.random() * 20_000)
      const forward = spawn("ssh", [
        ...clientOptions(alice(), ["-o", "ExitOnForwardFailure=yes"]),
        "-N",
        "-L",
        `${local}:localhost:${pagePort}`,
        "-p",
        String(gateway().sshPort),
        "sshdev@127.0.0.1"
      ])
      try {
        const body = await eventually("the forwarded page", async () =>
          (await fetch(`http://127.0.0.1:${local}/`)).text())
        expect(body.trim()).toBe(page)
      } finally {
        forward.kill()
      }
    })

    it("refuses a key on nobody's profile", async () => {
      const result = await ssh(gateway(), cluster.keyOf("stranger"), "sshdev", ["true"])
      expect(result.code).toBe(255)
      expect(result.stderr).toContain("Permission denied (publickey)")
    })

    it("refuses another user's key for alice's space", async () => {
      const result = await ssh(gateway(), cluster.keyOf("bob"), "alice.sshdev", ["true"])
      expect(result.code).toBe(255)
      expect(result.stderr).toContain("Permission denied (publickey)")
    })
  })

  it("follows a resize of the client's terminal in a pty session (tmux, stty size)", async () => {
    const session = `knot-ssh-nodes-${process.pid}`
    const command = ["ssh", ...clientOptions(alice()), "-p", String(cluster.owner.sshPort), "sshdev@127.0.0.1"].join(" ")
    execFileSync("tmux", tmuxArgs(session, ["new-session", "-d", "-s", session, "-x", "100", "-y", "30", command]))
    try {
      const sizeShown = async (size: string) =>
        eventually(`stty size ${size}`, async () => {
          execFileSync("tmux", tmuxArgs(session, ["send-keys", "-t", session, "clear; stty size", "Enter"]))
          await sleep(300)
          const pane = execFileSync("tmux", tmuxArgs(session, ["capture-pane", "-p", "-t", session]), { encoding: "utf8" })
          return pane.includes(size) ? pane : undefined
        }, 20_000)
      expect(await sizeShown("30 100")).toContain("30 100")
      execFileSync("tmux", tmuxArgs(session, ["resize-window", "-t", session, "-x", "120", "-y", "40"]))
      expect(await sizeShown("40 120")).toContain("40 120")
    } finally {
      execFileSync("tmux", tmuxArgs(session, ["kill-server"]))
    }
  })

  it.each(["the node that runs the space", "a cluster node that does not run it"] as const)(
    "copies 10 MiB into the space and back with scp, byte for byte, through the gateway of %s",
    async (label) => {
      const index = label === "the node that runs the space" ? 0 : 1
      const node = gateways[label]()
      await reachable(node)
      const source = join(cluster.root, `source-${index}.bin`)
      const back = join(cluster.root, `back-${index}.bin`)
      writeFileSync(source, randomBytes(10 * 1024 * 1024))
      const scp = (from: string, to: string) => run("scp", [...clientOptions(alice()), "-P", String(node.sshPort), from, to])
      const copiedIn = await scp(source, `sshdev@127.0.0.1:/tmp/copy-${index}.bin`)
      expect(copiedIn.code, copiedIn.stderr).toBe(0)
      const copiedOut = await scp(`sshdev@127.0.0.1:/tmp/copy-${index}.bin`, back)
      expect(copiedOut.code, copiedOut.stderr).toBe(0)
      expect(readFileSync(back).equals(readFileSync(source))).toBe(true)
    }
  )

  it("fails a copy into a space whose image has no sftp-server with one line saying so", async () => {
    const file = join(cluster.root, "small.txt")
    writeFileSync(file, "small\n")
    const copied = await run("scp", [...clientOptions(alice()), "-P", String(cluster.origin.sshPort), file, "sshbare@127.0.0.1:/tmp/small.txt"])
    expect(copied.code).not.toBe(0)
    expect(copied.stderr).toMatch(/^knot: this space's image has no sftp-server, so scp, sftp and rsync cannot copy files; /m)
  })

  it("writes one block with `knot ssh-config` run twice, on the port the node says its gateway listens on, and `ssh -F` of it reaches the space", async () => {
    const config = join(cluster.root, "ssh_config")
    writeFileSync(config, "Host elsewhere\n  HostName example.org\n")
    const sshConfig = () =>
      run(process.execPath, [
        knotBin,
        "ssh-config",
        "--server",
        cluster.owner.url,
        "--token",
        cluster.aliceToken,
        "--file",
        config
      ])
    expect((await sshConfig()).code).toBe(0)
    const written = await sshConfig()
    expect(written.stdout).toContain("knot-sshdev")
    const text = readFileSync(config, "utf8")
    expect(text.match(/^# >>> knot/gm)).toHaveLength(1)
    expect(text).toContain("Host elsewhere")
    const result = await run("ssh", ["-F", config, ...clientOptions(alice()), "knot-sshdev", "echo", "via-config"])
    expect(result).toMatchObject({ code: 0, stdout: "via-config\n" })
  })
})
