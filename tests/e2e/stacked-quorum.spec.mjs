// Learner story: I kill two of the three stacked masters. etcd loses
// quorum, kubectl cannot reach a working API any more, and yet the workload
// keeps running on the workers.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, playUntil, press, screenshot, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

test("losing two stacked masters loses quorum and the API, not the workload", async () => {
  const page = await openLab(browser, server, "t=30s&paused=1&speed=20");
  const caption = page.locator("figure.cluster-view figcaption");
  assert.match(await caption.textContent(), /etcd has quorum; 3 of 3 pods running/);

  await press(page, "Kill master-1");
  await press(page, "Kill master-2");
  const kubectl = page.getByRole("log", { name: "kubectl output" });
  await playUntil(
    page,
    async () => /etcd has lost quorum/.test(await caption.textContent()) &&
      /\$ kubectl get pods\s*(Error from server|Unable to connect)/.test(await kubectl.textContent()),
    { what: "quorum lost and kubectl failing" },
  );
  // The workload still runs: every pod on the live workers (wherever the
  // scheduler put them).
  assert.match(await caption.textContent(), /3 of 3 pods running/);
  let onWorkers = 0;
  for (const worker of ["worker-1", "worker-2"]) {
    const text = await page.getByRole("group", { name: worker, exact: true }).textContent();
    const [, pods] = text.match(/Ready=\w+ · (\d+) pods? running/) ?? [];
    assert.ok(pods !== undefined, `${worker}: ${text}`);
    onWorkers += Number(pods);
  }
  assert.equal(onWorkers, 3);
  // The surviving etcd member says why: no leader, no quorum.
  const states = await page
    .getByRole("group", { name: "Cluster", exact: true })
    .locator("[role=button]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  const etcd3 = states.find((s) => s.startsWith("etcd ") && s.endsWith(" on master-3"));
  assert.doesNotMatch(etcd3, /^etcd leader/);

  await screenshot(page, "stacked-quorum-lost");
  assert.deepEqual(page.errors, []);
});
