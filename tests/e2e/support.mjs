// Shared set-up for the end-to-end specs: a tiny static server for dist/ and a
// headless Chromium (Debian's, driven by playwright-core). Each spec is one
// learner story; specs find things by role and accessible name, as a learner would.

import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const DIST = resolve(import.meta.dirname, "../../dist");
export const SCREENSHOTS = resolve(import.meta.dirname, "../../target/e2e");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves `root` on 127.0.0.1 at a free port, under `prefix` (default "/").
 * `headers` are added to every response. Returns { url, close }.
 */
export async function serveStatic(root = DIST, { prefix = "/", headers = {} } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end("not found");
      return;
    }
    let file = normalize(join(root, path.slice(prefix.length)));
    if (!file.startsWith(root)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    if (path.endsWith("/")) file = join(file, "index.html");
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", ...headers });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Launches headless Chromium with the flags this machine's closed network needs. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * For a spec file: serves dist/ and launches Chromium once before its tests
 * (handing both to `ready`), and closes them after.
 */
export function withSiteAndBrowser(ready) {
  let server, browser;
  before(async () => {
    server = await serveStatic();
    browser = await launchBrowser();
    ready(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

/**
 * Opens a page that records console errors and uncaught exceptions into
 * `page.errors`, so a spec can assert there were none.
 */
export async function openPage(browser, options = {}) {
  const page = await browser.newPage(options);
  page.errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") page.errors.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.errors.push(`uncaught: ${err.message}`));
  return page;
}

/** Saves a full-page screenshot under target/e2e/ (ignored by git). */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Opens the lab at `query` (a link's query string, without "?") and waits
 * until the cluster is drawn. Returns the page.
 */
export async function openLab(browser, server, query = "", options = {}) {
  const page = await openPage(browser, { viewport: { width: 1280, height: 900 }, ...options });
  await page.goto(server.url + (query ? `?${query}` : ""));
  await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
  return page;
}

/** The simulated clock, in seconds ("1:05.3" → 65.3). */
export async function simulationSeconds(page) {
  const text = await page.getByRole("timer", { name: "Simulation time" }).textContent();
  const [minutes, seconds] = text.trim().split(":");
  return Number(minutes) * 60 + Number(seconds);
}

/**
 * The accessible names of every node and process in the drawing:
 * "master-1 control-plane node", "etcd leader · term 2 on master-1".
 */
export async function clusterStates(page) {
  return page
    .getByRole("group", { name: "Cluster", exact: true })
    .locator("[role=button]")
    .evaluateAll((elements) => elements.map((e) => e.getAttribute("aria-label")));
}

/** The master whose process `component` leads now, or null. */
export async function leaderOf(page, component) {
  const prefix = `${component} leader on `;
  const line = (await clusterStates(page)).find((s) => s.startsWith(prefix));
  return line ? line.slice(prefix.length) : null;
}

/** Presses Play and waits (at most `timeout` ms) until `condition()` holds, then pauses. */
export async function playUntil(page, condition, { timeout = 20_000, what = "the condition" } = {}) {
  await page.getByRole("button", { name: "Play", exact: true }).click();
  const start = Date.now();
  try {
    while (!(await condition())) {
      if (Date.now() - start > timeout) {
        throw new Error(`${what} did not happen within ${timeout} ms of play (simulation time ${await simulationSeconds(page)} s)`);
      }
      await page.waitForTimeout(100);
    }
  } finally {
    const pause = page.getByRole("button", { name: "Pause", exact: true });
    if (await pause.count()) await pause.click();
  }
}

/** Clicks the button named exactly `name`. */
export async function press(page, name) {
  await page.getByRole("button", { name, exact: true }).click();
}

/**
 * Scrolls the panel named `name` ("Leases", "Timeline", "Event log") into
 * view, as a learner would, and waits until it is drawn: the panels below
 * the drawing load when they come into view (src/components/lazy.rs, OnSight).
 */
export async function reveal(page, name) {
  await page.getByRole("region", { name, exact: true }).first().scrollIntoViewIfNeeded();
  await page.locator(`.slot[role=region][aria-label="${name}"]`).waitFor({ state: "detached" });
}
