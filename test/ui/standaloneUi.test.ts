/**
 * The web UI in headless Chromium against a real standalone node and container engine: an
 * admin signs in, runs a space from a template through its life, opens its web page through the
 * template's HTTP port link, types in its terminal and edits a template; a plain user sees only
 * their own; a revoked session signs the open page out without a click.
 */
import type { ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Page } from "playwright-core"
import Docker from "dockerode"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { startStandaloneServer } from "../support/standaloneServer.ts"
import { apiCall, type Browser, chromiumAvailable, ensureUiBuilt, launchBrowser, screenshotDir, signIn } from "./browserHarness.ts"

const available = (await engineAvailable()) && chromiumAvailable
if (!available) console.log(noEngineNotice("web UI browser tests (they also need /usr/bin/chromium)"))

const adminToken = "knot-ui-admin-token-0123456789abcdef"
const adminPassword = "admin password 1"
const bobPassword = "bob password 12"
const webPage = "<h1>hello from the space</h1>"

describe.runIf(available)("the web UI on a standalone node", () => {
  const dir = mkdtempSync(join(tmpdir(), "knot-ui-"))
  const port = 4400 + Math.floor(Math.random() * 500)
  const url = `http://127.0.0.1:${port}`
  const docker = new Docker({ socketPath: engineSocket })
  let node: ChildProcess
  let browser: Browser

  beforeAll(async () => {
    ensureUiBuilt()
    const [started, launched] = await Promise.all([
      startStandaloneServer(dir, port, { KNOT_ADMIN_TOKEN: adminToken }),
      launchBrowser()
    ])
    node = started.process
    browser = launched
    await apiCall(url, adminToken, "POST", "/api/templates", {
      name: "ui-shell",
      image: testImage,
      // busybox's httpd serves the template's HTTP port, as a developer's own web server would.
      command: ["sh", "-c", `mkdir -p /www && echo '${webPage}' > /www/index.html && exec httpd -f -p 8080 -h /www`],
      volumes: [{ name: "home", mountPath: "/home/dev", keep: false }],
      ports: [{ port: 8080, name: "web", protocol: "http" }]
    })
    await apiCall(url, adminToken, "PUT", "/api/users/admin/password", { password: adminPassword })
    await apiCall(url, adminToken, "POST", "/api/users", { name: "bob", role: "user" })
    await apiCall(url, adminToken, "PUT", "/api/users/bob/password", { password: bobPassword })
    console.log(`web UI screenshots: ${screenshotDir}`)
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    node?.kill("SIGTERM")
    for (const container of await docker.listContainers({ all: true, filters: { label: ["knot.owner"] } })) {
      if (container.Names.some((name) => name.startsWith("/knot.ui-"))) await docker.getContainer(container.Id).remove({ force: true })
    }
    rmSync(dir, { recursive: true, force: true })
  })

  const row = (space: string) => browser.page.locator(`tr[data-space="${space}"]`)
  const stateOf = (space: string) => row(space).locator(".badge")

  it("serves the page with a Content-Security-Policy and the assets with a year's cache", async () => {
    const page = await fetch(url)
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    const html = await page.text()
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    const asset = await fetch(`${url}${script}`, { headers: { "accept-encoding": "gzip" } })
    expect(asset.status).toBe(200)
    expect(asset.headers.get("cache-control")).toContain("immutable")
  })

  it("signs an admin in with name and password", async () => {
    await signIn(browser.page, url, "admin", adminPassword)
    await expect(browser.page.getByRole("heading", { name: "Spaces" }).isVisible()).resolves.toBe(true)
  })

  it("creates a space from a template, which turns running without a reload", async () => {
    const { page } = browser
    await page.getByLabel("Name", { exact: true }).fill("ui-dev")
    await page.getByLabel("Template").selectOption("ui-shell")
    await page.getByRole("button", { name: "Create space" }).click()
    await stateOf("admin/ui-dev").and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 })
    await expect(row("admin/ui-dev").getByRole("link", { name: "web" }).getAttribute("href")).resolves.toBe("/spaces/admin/ui-dev/ports/8080/")
    await browser.screenshots("spaces")
  }, 90_000)

  /** The space's server may start listening a moment after its container runs: the page is loaded until it answers. */
  const reloadUntil = async (page: Page, seen: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000
    while (!(await seen()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      await page.reload()
    }
  }

  it("opens the template's HTTP port through the link, signed in by the session alone", async () => {
    const { page, context } = browser
    const [portPage] = await Promise.all([
      context.waitForEvent("page"),
      row("admin/ui-dev").getByRole("link", { name: "web" }).click()
    ])
    const heading = portPage.getByRole("heading", { name: "hello from the space" })
    await portPage.waitForLoadState()
    await reloadUntil(portPage, () => heading.isVisible())
    await expect(heading.isVisible()).resolves.toBe(true)
    expect(portPage.url()).toBe(`${url}/spaces/admin/ui-dev/ports/8080/`)
    await portPage.screenshot({ path: join(screenshotDir, "space-port-desktop.png") })
    await portPage.close()
    await page.bringToFront()
  }, 60_000)

  it("shows a space's lifecycle events and volumes", async () => {
    const { page } = browser
    await row("admin/ui-dev").getByRole("link", { name: "ui-dev", exact: true }).click()
    await page.getByRole("heading", { name: "Recent lifecycle events" }).waitFor()
    await expect(page.locator(".events li").last().textContent()).resolves.toContain("running")
    await expect(page.getByRole("cell", { name: "/home/dev" }).isVisible()).resolves.toBe(true)
    await browser.screenshots("space")
  })

  it("opens the space's terminal, where echo $((6*7)) prints 42", async () => {
    const { page } = browser
    await page.getByRole("link", { name: "Terminal of admin/ui-dev" }).click()
    await page.locator(".xterm-rows").waitFor()
    await page.locator(".xterm-rows").filter({ hasText: "#" }).waitFor({ timeout: 20_000 })
    await page.keyboard.type("echo $((6*7))\n")
    await page.locator(".xterm-rows > div", { hasText: /^42\s*$/ }).waitFor({ timeout: 20_000 })
    await browser.screenshots("terminal")
  }, 60_000)

  it("closes the terminal cleanly when the space stops", async () => {
    const { page } = browser
    await apiCall(url, adminToken, "POST", "/api/spaces/admin/ui-dev/stop")
    await page.getByText("The space is stopped").waitFor({ timeout: 30_000 })
    await expect(page.locator(".xterm").count()).resolves.toBe(0)
  }, 60_000)

  it("starts, stops and deletes the space from the spaces page", async () => {
    const { page } = browser
    await page.getByRole("link", { name: "Spaces" }).click()
    await page.getByRole("button", { name: "Start admin/ui-dev" }).click()
    await stateOf("admin/ui-dev").and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 })
    await page.getByRole("button", { name: "Stop admin/ui-dev" }).click()
    await stateOf("admin/ui-dev").and(page.locator('[data-state="stopped"]')).waitFor({ timeout: 60_000 })
    await page.getByRole("button", { name: "Delete admin/ui-dev" }).click()
    await page.getByRole("button", { name: "Yes, delete" }).click()
    await row("admin/ui-dev").waitFor({ state: "detached", timeout: 60_000 })
  }, 150_000)

  it("shows an admin the field's own message when a template has a bad value", async () => {
    const { page } = browser
    await page.getByRole("link", { name: "Templates" }).click()
    await page.getByRole("button", { name: "Edit ui-shell" }).click()
    await page.getByLabel("Memory (MB)").fill("3")
    await page.getByRole("button", { name: "Save template" }).click()
    await expect(page.locator('.field-error[data-field="memoryMb"]').textContent()).resolves.toBe(
      "memoryMb must be a whole number from 6 to 1048576 (got 3)"
    )
    await expect(page.getByLabel("Memory (MB)").getAttribute("aria-invalid")).resolves.toBe("true")
    await browser.screenshots("templates")
  })

  it("shows an admin the people and the cluster", async () => {
    const { page } = browser
    await page.getByRole("link", { name: "People" }).click()
    await page.locator('tr[data-user="bob"]').waitFor()
    await browser.screenshots("people")
    await page.getByRole("link", { name: "Cluster" }).click()
    await expect(page.locator("table.members").getAttribute("data-count")).resolves.toBe("1")
    await browser.screenshots("cluster")
  })

  it("shows a plain user only their own spaces and no admin pages", async () => {
    const bobToken = (await apiCall(url, adminToken, "POST", "/api/tokens", { user: "bob" })).secret
    await apiCall(url, bobToken, "POST", "/api/spaces", { name: "ui-bob", template: "ui-shell" })
    await apiCall(url, adminToken, "POST", "/api/spaces", { name: "ui-admin", template: "ui-shell" })
    const { page, context } = browser
    await context.clearCookies()
    await signIn(page, url, "bob", bobPassword)
    await row("bob/ui-bob").waitFor()
    await expect(page.locator("tr[data-space]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-space")))).resolves
      .toEqual(["bob/ui-bob"])
    await expect(page.getByRole("link", { name: "Cluster" }).count()).resolves.toBe(0)
    await expect(page.getByRole("link", { name: "People" }).count()).resolves.toBe(0)
    await page.goto(`${url}/#/cluster`)
    await page.getByRole("alert").filter({ hasText: "for admins" }).waitFor()
    await page.getByRole("link", { name: "Templates" }).click()
    await expect(page.getByRole("button", { name: "Edit ui-shell" }).count()).resolves.toBe(0)
    await page.getByRole("link", { name: "Account" }).click()
    await page.getByRole("heading", { name: "Browser sessions" }).waitFor()
    await browser.screenshots("account")
  }, 60_000)

  it("signs the open page out within a few seconds of its session's revocation, without a click", async () => {
    const { page } = browser
    const sessions: Array<{ id: string; user: string }> = await apiCall(url, adminToken, "GET", "/api/sessions?all=true")
    for (const session of sessions.filter((entry) => entry.user === "bob")) {
      await apiCall(url, adminToken, "DELETE", `/api/sessions/${session.id}`)
    }
    // No click: the node ends the page's feed with the session, and the page signs out by itself.
    await page.getByLabel("User name").waitFor({ timeout: 5_000 })
    await browser.screenshots("sign-in")
  })
})
