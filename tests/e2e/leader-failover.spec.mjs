// Learner story: I kill the node that holds the kube-controller-manager
// lease. The lease panel counts how long there has been no leader; another
// master takes the lease within the window theory predicts from the flags
// (FIDELITY.md §2: 15–23.8 s after the last renew with the defaults), and
// the panel shows the measured gap beside that window.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, press, leaderOf, playUntil, reveal, screenshot, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

for (const [flags, low, high] of [
  ["", 15.0, 23.8],
  ["&kcm.lease-duration=30s&kcm.renew-deadline=20s&kcm.retry-period=5s", 30.0, 52.0],
]) {
  test(`a standby takes over within the window the flags predict (${low}–${high} s)`, async () => {
    const page = await openLab(browser, server, `t=30s&paused=1&speed=20${flags}`);
    const old = await leaderOf(page, "kube-controller-manager");
    assert.match(old, /^master-\d$/);
    await press(page, `Kill ${old}`);

    // The lease panels are below the drawing.
    await reveal(page, "Leases");
    const panel = page.getByRole("region", { name: "kube-controller-manager lease" });
    for (let i = 0; i < 3; i++) await press(page, "Step 1 s");
    // Counted from the leader's last renew, at or before the kill.
    const noLeader = (await panel.textContent()).match(/No leader for (\d+\.\d) s \(last renew at 0:[23]\d\.\d\)/);
    assert.ok(noLeader, "the panel counts the time without a leader");
    assert.ok(Number(noLeader[1]) >= 3, `${noLeader[1]} s without a leader, 3 s after the kill`);

    await playUntil(page, async () => (await leaderOf(page, "kube-controller-manager")) !== null, {
      what: "a new kube-controller-manager leader",
      timeout: 30_000,
    });
    const now = await leaderOf(page, "kube-controller-manager");
    assert.notEqual(now, old, "another master leads");
    assert.match(await panel.textContent(), new RegExp(`${now}`));

    const gapText = await panel.getByRole("status", { name: "Measured takeover gap" })
      .or(panel.locator("[aria-label='Measured takeover gap']"))
      .first()
      .textContent();
    const match = gapText.match(/Takeover gap (\d+\.\d) s \(theory for these flags: (\d+\.\d)–(\d+\.\d) s\): within the predicted window/);
    assert.ok(match, `the measured gap and the window are shown: ${gapText}`);
    const [gap, shownLow, shownHigh] = match.slice(1).map(Number);
    assert.equal(shownLow, low);
    assert.equal(shownHigh, high);
    assert.ok(gap > low && gap <= high, `gap ${gap} s in (${low}, ${high}]`);

    await screenshot(page, `leader-failover${flags ? "-slow-flags" : ""}`);
    assert.deepEqual(page.errors, []);
  });
}
