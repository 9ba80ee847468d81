// Learner story: I open HA Lab on my phone (360 px wide). Every control is
// on screen when I scroll to it, nothing spills sideways, and I can break a
// node with a tap.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, screenshot, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

test("at 360 px every control is reachable and the page does not scroll sideways", async () => {
  const page = await openLab(browser, server, "t=30s&paused=1", PHONE);
  // Open every disclosure, so that the controls inside count too.
  for (const summary of await page.locator("summary").all()) {
    const details = summary.locator("xpath=..");
    if ((await details.getAttribute("open")) === null) await summary.click();
  }
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page is ${width} px wide`);

  const controls = page.locator("button, input, select, summary, [role=button], [role=slider], [tabindex='0']");
  const count = await controls.count();
  assert.ok(count > 50, `${count} controls`);
  const unreachable = [];
  for (let i = 0; i < count; i++) {
    const control = controls.nth(i);
    if (!(await control.isVisible())) continue;
    // Inside a scrolling box (the event log), the box itself must fit.
    await control.scrollIntoViewIfNeeded();
    const box = await control.boundingBox();
    const name = (await control.getAttribute("aria-label")) ?? (await control.textContent()).trim().slice(0, 40);
    if (!box || box.x < -1 || box.x + box.width > 361 || box.width < 1 || box.height < 1) {
      unreachable.push(`${name}: ${JSON.stringify(box)}`);
    }
  }
  assert.deepEqual(unreachable, [], "controls outside the screen");

  // A tap kills a node.
  await page.getByRole("button", { name: "Kill master-2", exact: true }).tap();
  await page.getByRole("button", { name: "Restart master-2", exact: true }).waitFor();
  await screenshot(page, "phone");
  assert.deepEqual(page.errors, []);
});
