// Learner story: I use a screen reader or the keyboard. An axe-core scan of
// the lab (light and dark, settings open or not) finds nothing serious, and
// the space bar plays and pauses.

import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { openLab, press, reveal, withSiteAndBrowser } from "./support.mjs";

const AXE = resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js");

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

/** Serious and critical violations, one line each. */
async function scan(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core finds no serious or critical violation (${colorScheme})`, async () => {
    const page = await openLab(browser, server, "t=45s&paused=1&a=30s,kill-node,master-2", { colorScheme });
    // As first drawn, with the panels below the drawing waiting to be seen…
    assert.deepEqual(await scan(page), []);
    // …and with them drawn.
    for (const name of ["Leases", "Timeline", "Event log"]) await reveal(page, name);
    for (const summary of await page.locator("summary").all()) await summary.click();
    assert.deepEqual(await scan(page), []);
    await press(page, "Settings");
    await page.getByRole("dialog", { name: "Settings" }).waitFor();
    assert.deepEqual(await scan(page), []);
    assert.deepEqual(page.errors, []);
  });
}

test("the space bar plays and pauses, but not while typing", async () => {
  const page = await openLab(browser, server, "t=30s&paused=1");
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Space");
  await page.getByRole("button", { name: "Pause", exact: true }).waitFor();
  await page.keyboard.press("Space");
  await page.getByRole("button", { name: "Play", exact: true }).waitFor();
  // In a text field, space is a space.
  await page.getByRole("spinbutton", { name: "Replicas" }).focus();
  await page.keyboard.press("Space");
  assert.equal(await page.getByRole("button", { name: "Play", exact: true }).count(), 1);
  assert.deepEqual(page.errors, []);
});
