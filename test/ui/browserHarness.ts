/**
 * Debian's Chromium driven by playwright-core, for the web UI's tests: one browser per test
 * file on a fresh profile, the UI built when its sources are newer than dist/ui, and
 * screenshots of each page at a desktop's and a phone's size into one folder, named once.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type BrowserContext, chromium, type Page } from "playwright-core"

export const chromiumPath = "/usr/bin/chromium"
export const chromiumAvailable = existsSync(chromiumPath)

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

/** Where the screenshots go: KNOT_UI_SCREENSHOTS, or a folder in the system's temp directory. */
export const screenshotDir = process.env.KNOT_UI_SCREENSHOTS ?? join(tmpdir(), "knot-ui-screenshots")

export const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const

const newestIn = (dir: string): number =>
  Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs
  }))

/** `npm ci` builds the UI; a checkout whose browser code changed since is built again here. */
export const ensureUiBuilt = () => {
  const index = join(repoRoot, "dist", "ui", "index.html")
  if (existsSync(index) && statSync(index).mtimeMs >= newestIn(join(repoRoot, "ui", "src"))) return
  execFileSync(process.execPath, [join(repoRoot, "ui", "build.mjs")], { stdio: "inherit" })
}

export interface Browser {
  readonly context: BrowserContext
  readonly page: Page
  /** Screenshots of the page as it is now at both sizes, as NAME-desktop.png and NAME-phone.png. */
  readonly screenshots: (name: string) => Promise<void>
  readonly close: () => Promise<void>
}

export const launchBrowser = async (): Promise<Browser> => {
  const profile = mkdtempSync(join(tmpdir(), "knot-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ],
    viewport: sizes.desktop
  })
  const page = context.pages()[0] ?? await context.newPage()
  mkdirSync(screenshotDir, { recursive: true })
  return {
    context,
    page,
    screenshots: async (name) => {
      for (const [size, viewport] of Object.entries(sizes)) {
        await page.setViewportSize(viewport)
        await page.screenshot({ path: join(screenshotDir, `${name}-${size}.png`), fullPage: true })
      }
      await page.setViewportSize(sizes.desktop)
    },
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

export const signIn = async (page: Page, url: string, name: string, password: string) => {
  await page.goto(url)
  await page.getByLabel("User name").fill(name)
  await page.getByLabel("Password").fill(password)
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByRole("navigation", { name: "Main" }).waitFor()
}

/** A JSON call with the admin's bearer token, for setting up what the test needs. */
export const apiCall = async (url: string, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return text === "" ? undefined : JSON.parse(text)
}
