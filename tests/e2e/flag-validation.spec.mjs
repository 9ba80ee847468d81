// Learner story: I set kube-controller-manager's renew deadline (20 s)
// above its lease duration (15 s). HA Lab shows client-go's own message
// beside the field and does not apply it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, press, reveal, simulationSeconds, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

test("a renew deadline above the lease duration gets Kubernetes' message and is not applied", async () => {
  const page = await openLab(browser, server, "t=30s&paused=1");
  await press(page, "Settings");
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.waitFor();
  const kcm = dialog.getByRole("group", { name: "kube-controller-manager", exact: true });
  const renew = kcm.getByLabel("--leader-elect-renew-deadline");
  assert.equal(await renew.inputValue(), "10s");
  assert.equal(await kcm.getByLabel("--leader-elect-lease-duration").inputValue(), "15s");
  await renew.fill("20s");

  const message = kcm.getByText("leaseDuration must be greater than renewDeadline", { exact: true });
  await message.waitFor();
  // Beside the field, and tied to it for screen readers.
  const describedBy = await renew.getAttribute("aria-describedby");
  assert.equal(await message.getAttribute("id"), describedBy);
  assert.equal(await renew.getAttribute("aria-invalid"), "true");

  await dialog.getByRole("button", { name: "Apply" }).click();
  assert.ok(await dialog.isVisible(), "the dialog stays open");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  // Nothing changed: the same lab at the same moment, with the default flags.
  assert.equal(await simulationSeconds(page), 30);
  assert.doesNotMatch(page.url(), /renew-deadline/);
  await reveal(page, "Leases");
  const panel = page.getByRole("region", { name: "kube-controller-manager lease" });
  assert.match(await panel.textContent(), /--leader-elect-renew-deadline=10s/);
  assert.deepEqual(page.errors, []);
});
