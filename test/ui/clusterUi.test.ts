/**
 * The cluster page in headless Chromium against three real `knot server` processes: it lists
 * the three members, and when one is killed its row turns dead while the page stays open.
 */
import { Duration, Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type KnotNode, newClusterKey, startNodes, startTestnet } from "../support/clusterHarness.ts"
import { adminToken } from "../support/clusterHarness.ts"
import { apiCall, type Browser, chromiumAvailable, ensureUiBuilt, launchBrowser, signIn } from "./browserHarness.ts"

if (!chromiumAvailable) console.log("no /usr/bin/chromium: the cluster page's browser test not run")

/** A link times out after 15 s and suspicion lasts 4 s on top of probing (as the cluster test allows). */
const DEATH_WITHIN = Duration.seconds(40)
const adminPassword = "cluster admin password"

describe.runIf(chromiumAvailable)("the cluster page on a real 3-node cluster", () => {
  let scope: Scope.CloseableScope
  let nodes: ReadonlyArray<KnotNode>
  let browser: Browser

  beforeAll(async () => {
    ensureUiBuilt()
    scope = await Effect.runPromise(Scope.make())
    const [started, launched] = await Promise.all([
      Effect.runPromise(Effect.gen(function*() {
        const bootstrap = yield* startTestnet
        const clusterKey = newClusterKey()
        return yield* startNodes(["node1", "node2", "node3"].map((name) => ({ name, clusterKey, bootstrap })))
      }).pipe(Scope.extend(scope))),
      launchBrowser()
    ])
    nodes = started
    browser = launched
    await apiCall(nodes[0]!.url, adminToken, "PUT", "/api/users/admin/password", { password: adminPassword })
  }, 150_000)

  afterAll(async () => {
    await browser?.close()
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  }, 30_000)

  const member = (node: KnotNode) => browser.page.locator(`tr[data-member="${node.id()}"]`)

  it("shows the three members alive", async () => {
    const [node1, node2, node3] = nodes as [KnotNode, KnotNode, KnotNode]
    await signIn(browser.page, node1.url, "admin", adminPassword)
    await browser.page.getByRole("link", { name: "Cluster" }).click()
    for (const node of [node1, node2, node3]) {
      await member(node).and(browser.page.locator('[data-state="alive"]')).waitFor({ timeout: 30_000 })
    }
    await expect(browser.page.locator("table.members tbody tr").count()).resolves.toBe(3)
    await browser.screenshots("cluster-3-nodes")
  }, 60_000)

  it("turns a killed member dead without a reload", async () => {
    const node3 = nodes[2]!
    await Effect.runPromise(node3.stop("SIGKILL"))
    await member(node3).and(browser.page.locator('[data-state="dead"]')).waitFor({ timeout: Duration.toMillis(DEATH_WITHIN) })
    await browser.screenshots("cluster-member-dead")
  }, 60_000)
})
