// The parts of the page that the first screen does not show (the settings,
// the inspector's details, a lesson, the lesson index, the scenario reader,
// and the lease panels, the timeline and the event log below the drawing)
// are wasm files of their own, some with a stylesheet, fetched when first
// wanted (src/components/lazy.rs). A learner never sees the seams: the
// first screen fetches none, each part appears when asked for or scrolled
// or tabbed to, styled, and one that cannot be fetched says so and can be
// tried again, with the lab still running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, openPage, press, reveal, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ((server = s), (browser = b)));

/**
 * Records the part files the page requests, by name less its hash: the
 * code as "split_timeline", a stylesheet as "timeline.css".
 */
function partsRequested(page) {
  const names = [];
  page.on("request", (request) => {
    const [, name, css] = new URL(request.url()).pathname.match(/\/parts\/(.+)-[0-9a-f]+\.(?:wasm|(css))$/) ?? [];
    if (name) names.push(css ? `${name}.css` : name);
  });
  return names;
}

test("the first screen fetches no part; each part is fetched when first wanted", async () => {
  const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
  const requested = partsRequested(page);
  await page.goto(`${server.url}?paused=1`);
  await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(requested, [], "the first screen needs no part");

  // Pointing at Settings starts loading its dialog.
  await Promise.all([
    page.waitForRequest(/\/parts\/split_settings-[0-9a-f]{16}\.wasm$/),
    page.getByRole("button", { name: "Settings", exact: true }).hover(),
  ]);
  await press(page, "Settings");
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByRole("textbox", { name: "Masters" }).waitFor();
  assert.ok(requested.includes("split_settings"), `requested: ${requested}`);
  // The scenario reader came with it: the form lists every bundled scenario.
  const scenarios = await dialog.getByRole("combobox", { name: "Scenario" }).locator("option").count();
  assert.ok(scenarios > 10, `${scenarios} scenarios listed`);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Pointing at the drawing starts loading the inspector's details.
  await Promise.all([
    page.waitForRequest(/\/parts\/split_inspector-[0-9a-f]{16}\.wasm$/),
    page.getByRole("group", { name: "Cluster", exact: true }).hover(),
  ]);
  await page.getByRole("combobox", { name: "Inspect" }).selectOption({ label: "master-1 / kube-apiserver" });
  await page.getByText("--etcd-servers=", { exact: false }).first().waitFor();
  assert.ok(requested.includes("split_inspector"), `requested: ${requested}`);

  // Opening a disclosure draws what it holds: the partition tool, a node's processes.
  await page.getByText("Network partition", { exact: true }).click();
  await page.getByRole("button", { name: "Heal network", exact: true }).waitFor();
  await page.getByText("Processes on master-2", { exact: true }).click();
  await page.getByRole("button", { name: "Stop kube-scheduler on master-2", exact: true }).waitFor();
  for (const name of ["split_partition", "split_processes"]) {
    assert.ok(requested.includes(name), `${name} requested: ${requested}`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the panels below the drawing load when scrolled to, styled, and Tab reaches them", async () => {
  const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
  const requested = partsRequested(page);
  await page.goto(`${server.url}?t=30s&paused=1`);
  await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(requested, [], "the first screen needs no part");

  // Scrolling starts them all loading; each is drawn once in view, styled.
  await reveal(page, "Timeline");
  await page.getByRole("group", { name: /^Timeline lanes/ }).waitFor();
  for (const name of ["split_leases", "leases.css", "split_timeline", "timeline.css", "split_event_log", "event_log.css"]) {
    assert.ok(requested.includes(name), `${name} requested: ${requested}`);
  }
  // timeline.css gives the section its rounded border.
  assert.equal(await page.locator("section.timeline").evaluate((e) => getComputedStyle(e).borderTopLeftRadius), "12px");
  await reveal(page, "Event log");
  await page.getByRole("log", { name: "Event log" }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();

  // From the keyboard: Tab from the last control beside the drawing reaches
  // the lease panels' place, which keeps the focus while they load; the
  // next Tab goes into them.
  const keyboard = await openLab(browser, server, "t=30s&paused=1");
  await keyboard.getByRole("combobox", { name: "Inspect" }).focus();
  await keyboard.keyboard.press("Tab");
  const focused = () => keyboard.evaluate(() => document.activeElement.getAttribute("aria-label") ?? document.activeElement.className);
  assert.equal(await focused(), "Leases");
  await keyboard.getByRole("region", { name: "kube-controller-manager lease" }).waitFor();
  assert.ok(await keyboard.evaluate(() => document.activeElement.classList.contains("slot-leases")), "the focus stays");
  await keyboard.keyboard.press("Tab");
  assert.ok(
    await keyboard.evaluate(() => document.activeElement.closest("section.lease-panel") !== null),
    `the next Tab goes into the lease panels, not to ${await focused()}`,
  );
  assert.deepEqual(keyboard.errors, []);
  await keyboard.close();
});

test("a link to a scenario loads the scenario reader first, says so if it cannot, and recovers", async () => {
  const page = await openLab(browser, server, "scenario=kill-apiserver&paused=1");
  assert.equal(await page.locator("p.lab-title").textContent(), "Kill one API server behind the load balancer");
  await page.close();

  const blocked = await openLab(browser, server, "paused=1");
  await blocked.route("**/parts/**", (route) => route.abort());
  await blocked.goto(`${server.url}?scenario=kill-apiserver&paused=1`);
  await blocked.getByRole("group", { name: "Cluster", exact: true }).waitFor();
  await blocked
    .getByText("scenario=kill-apiserver: the scenario reader could not be loaded: check the connection and reload")
    .waitFor();
  assert.equal(await blocked.locator("p.lab-title").textContent(), "The default HA cluster");
  // Once the connection is back, the settings bring the reader, and list every scenario.
  await blocked.unroute("**/parts/**");
  await press(blocked, "Settings");
  const dialog = blocked.getByRole("dialog", { name: "Settings" });
  await dialog.getByRole("textbox", { name: "Masters" }).waitFor();
  const listed = dialog.getByRole("combobox", { name: "Scenario" }).locator("option");
  assert.ok((await listed.count()) > 10, `${await listed.count()} scenarios listed`);
  await blocked.close();
});

test("a part that cannot be fetched says so, the lab runs on, and Try again loads it; a stylesheet that cannot be fetched leaves it unstyled", async () => {
  const page = await openLab(browser, server, "paused=1");
  await page.route("**/parts/**", (route) => route.abort());
  await press(page, "Settings");
  const alert = page.getByRole("alert").filter({ hasText: "Could not load the settings" });
  await alert.waitFor();
  assert.equal(
    (await alert.textContent()).trim(),
    "Could not load the settings: check the connection, then try again. Try again",
  );
  // The lab itself still works.
  const before = await page.getByRole("timer", { name: "Simulation time" }).textContent();
  await press(page, "Step 100 ms");
  assert.notEqual(await page.getByRole("timer", { name: "Simulation time" }).textContent(), before);

  await page.unroute("**/parts/**");
  await alert.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("dialog", { name: "Settings" }).getByRole("textbox", { name: "Masters" }).waitFor();
  assert.equal(await alert.count(), 0);
  await page.close();

  // A part whose stylesheet cannot be fetched still comes, unstyled.
  const unstyled = await openLab(browser, server, "paused=1");
  await unstyled.route("**/parts/*.css", (route) => route.abort());
  await press(unstyled, "Settings");
  await unstyled.getByRole("dialog", { name: "Settings" }).getByRole("textbox", { name: "Masters" }).waitFor();
  assert.equal(await unstyled.getByRole("alert").filter({ hasText: "Could not load" }).count(), 0);
  await unstyled.close();
});
