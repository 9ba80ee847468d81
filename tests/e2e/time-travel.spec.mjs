// Learner story: I kill master-1 and watch what follows; then I go back to
// before the kill, kill master-2 instead, and get a different future.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, press, clusterStates, simulationSeconds, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

/** Steps forward one second at a time until `seconds`. */
async function stepTo(page, seconds) {
  while ((await simulationSeconds(page)) < seconds) await press(page, "Step 1 s");
}

const state = (states, node) => states.find((s) => s.startsWith(`${node} `));

test("going back and acting differently starts a different future", async () => {
  const page = await openLab(browser, server, "t=30s&paused=1");
  await press(page, "Kill master-1");
  await stepTo(page, 45);
  const first = await clusterStates(page);
  assert.match(state(first, "master-1"), /powered off/);
  assert.doesNotMatch(state(first, "master-2"), /powered off/);

  // Back to 25 s, before the kill: the cluster as it was then.
  const scrubber = page.getByRole("slider", { name: /Time travel/ });
  await scrubber.fill("250");
  assert.equal(await simulationSeconds(page), 25);
  assert.doesNotMatch(state(await clusterStates(page), "master-1"), /powered off/);
  // Moving forward again replays the recorded future, kill included.
  await scrubber.fill("450");
  assert.deepEqual(await clusterStates(page), first);

  // Back again, and this time kill master-2.
  await scrubber.fill("250");
  await press(page, "Kill master-2");
  assert.equal(await scrubber.getAttribute("max"), "250", "the old future is gone");
  await stepTo(page, 45);
  const second = await clusterStates(page);
  assert.doesNotMatch(state(second, "master-1"), /powered off/);
  assert.match(state(second, "master-2"), /powered off/);
  assert.notDeepEqual(second, first);
  assert.match(page.url(), /a=25s,kill-node,master-2/);
  assert.doesNotMatch(page.url(), /kill-node,master-1/);
  assert.deepEqual(page.errors, []);
});
