/**
 * What SSH into a space costs, on two cluster nodes and a leaf as `knot server` processes on the
 * real engine (test/ssh/sshNodes.ts): the round trip of `ssh host true` through the gateway of
 * the node that runs the space and through the other node's (which carries it over the peer
 * link), and scp's throughput into the space beside `docker cp` of the same file in the same
 * run. Run by `npm run bench`; prints figures, asserts none.
 */
import { randomBytes } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import Docker from "dockerode"
import { engineAvailable, engineSocket, noEngineNotice } from "../support/dockerEngine.ts"
import { clientOptions, run, ssh, type SshNode, startSshCluster } from "../ssh/sshNodes.ts"
import { scaled } from "./benchScale.ts"

const ROUND_TRIPS = scaled(20, 2)
const COPY_BYTES = scaled(32, 1) * 1024 * 1024

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now()
  await work()
  return performance.now() - started
}

if (!(await engineAvailable())) {
  console.log(noEngineNotice("the SSH gateway benchmark"))
} else {
  const cluster = await startSshCluster()
  try {
    const key = cluster.keyOf("alice")
    // Interleaved, so that load from elsewhere on the machine falls on both alike; the first
    // pair waits for gossip and warms the link, and is not counted.
    const direct: Array<number> = []
    const relayed: Array<number> = []
    const once = (node: SshNode) => timed(() => ssh(node, key, "sshdev", ["true"]))
    for (let i = 0; i <= ROUND_TRIPS; i++) {
      const [a, b] = [await once(cluster.owner), await once(cluster.other)]
      if (i > 0) {
        direct.push(a)
        relayed.push(b)
      }
    }
    const hop = median(relayed) - median(direct)
    console.log(
      `ssh host true, p50 of ${ROUND_TRIPS}: ${median(direct).toFixed(0)} ms through the node that runs the space, ` +
        `${median(relayed).toFixed(0)} ms through another node (${hop >= 0 ? "+" : "-"}${Math.abs(hop).toFixed(0)} ms)`
    )

    const file = join(cluster.root, "copy.bin")
    writeFileSync(file, randomBytes(COPY_BYTES))
    const megabytes = COPY_BYTES / (1024 * 1024)
    const scpMs = await timed(() =>
      run("scp", [...clientOptions(key), "-P", String(cluster.owner.sshPort), file, "sshdev@127.0.0.1:/tmp/copy.bin"]))
    const docker = new Docker({ socketPath: engineSocket })
    const [container] = await docker.listContainers({ filters: { name: ["^/knot\\.sshdev\\."] } })
    const dockerCpMs = await timed(() => run("docker", ["cp", file, `${container?.Id ?? "missing"}:/tmp/docker-cp.bin`]))
    console.log(
      `copy of ${megabytes} MiB into the space: scp through the gateway ${(megabytes / (scpMs / 1000)).toFixed(1)} MB/s, ` +
        `docker cp ${(megabytes / (dockerCpMs / 1000)).toFixed(1)} MB/s`
    )
  } finally {
    await cluster.stop()
  }
}
