// A learner follows a lesson: reads, predicts, acts, watches the lesson move
// on when the simulation does what it waits for, steps back and forward, and
// finds the lesson marked complete in the index after a reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openLab, openPage, serveStatic, screenshot } from "./support.mjs";

test("complete the leader-election lesson: answer, act, observe, advance, step back", async () => {
  const server = await serveStatic();
  const browser = await launchBrowser();
  try {
    const page = await openLab(browser, server, "lesson=leader-election-timings&speed=50");
    const lesson = page.locator("section.lesson");
    const heading = (name) => lesson.getByRole("heading", { name, level: 2 });
    await heading("One leader, two standbys").waitFor();
    const steps = Number((await lesson.getByText(/step 1 of \d+/).textContent()).match(/of (\d+)/)[1]);
    assert.ok(steps >= 3, `${steps} steps`);
    let measured = null;
    for (let i = 1; i <= steps; i++) {
      await lesson.getByText(`step ${i} of ${steps}`).waitFor();
      // Answer first: the action waits for the prediction.
      const action = lesson.locator(".lesson-do").getByRole("button");
      const radios = lesson.getByRole("radio");
      const number = lesson.getByRole("textbox", { name: /^Predict:/ });
      if ((await radios.count()) + (await number.count()) > 0 && (await action.count()) > 0) {
        assert.equal(await action.isDisabled(), true, `step ${i}: do waits for the answer`);
      }
      if (await radios.count()) await radios.first().check();
      if (await number.count()) {
        await number.fill("18");
        await lesson.getByRole("button", { name: "Lock in my prediction" }).click();
      }
      if (await action.count()) await action.click();
      // The lesson moves on when the simulation does what the step waits for.
      await lesson.getByText(/^✓ Observed at/).waitFor({ timeout: 60_000 });
      if (await number.count()) {
        const reveal = await lesson.getByText(/The simulation measured/).textContent();
        assert.match(reveal, /Right|Not quite/);
        measured ??= Number(reveal.match(/measured ([\d.]+)s/)[1]);
      }
      if (i < steps) await lesson.getByRole("button", { name: "Next step" }).click();
    }
    // The first takeover happened within the window the flags predict.
    assert.ok(measured >= 12 && measured <= 24, `measured ${measured}s`);
    await lesson.getByRole("status").filter({ hasText: "Lesson complete." }).waitFor();
    await screenshot(page, "lesson-complete");

    // Step back freely; a completed step keeps its outcome.
    await lesson.getByRole("button", { name: "Previous step" }).click();
    await lesson.getByText(`step ${steps - 1} of ${steps}`).waitFor();
    await lesson.getByText(/^✓ (Observed at|Done before)/).waitFor();

    // Progress survives a reload: the index says the lesson is complete.
    await page.goto(server.url + "?page=lessons");
    const entry = page.getByRole("listitem").filter({ hasText: "Leader election and its three timings" });
    await entry.getByText(/Complete/).waitFor();
    await entry.getByRole("link", { name: "Review: Leader election and its three timings" }).waitFor();
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test("lesson files are fetched only when wanted, and a missing one is explained", async () => {
  const server = await serveStatic();
  const browser = await launchBrowser();
  try {
    // The lab's first load fetches no lesson.
    const lab = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const requested = [];
    lab.on("request", (r) => requested.push(new URL(r.url()).pathname));
    await lab.goto(server.url);
    await lab.getByRole("group", { name: "Cluster", exact: true }).waitFor();
    assert.deepEqual(requested.filter((p) => p.includes("/lessons/")), []);
    assert.deepEqual(lab.errors, []);

    // A lesson whose file is missing: the default lab opens and says why.
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    await page.route("**/lessons/quorum-arithmetic.toml", (route) => route.fulfill({ status: 404, body: "" }));
    await page.goto(server.url + "?lesson=quorum-arithmetic");
    await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
    await page
      .getByText("lesson=quorum-arithmetic: lessons/quorum-arithmetic.toml could not be fetched (HTTP 404)")
      .waitFor();
    assert.equal(await page.locator("section.lesson").count(), 0);

    // The index lists the others, and says why these cannot be opened.
    await page.route("**/lessons/five-node-design.toml", (route) => route.fulfill({ status: 503, body: "" }));
    await page.goto(server.url + "?page=lessons");
    await page.getByRole("link", { name: "Start: Leader election and its three timings" }).waitFor();
    const missing = page.getByRole("listitem").filter({ hasText: "quorum-arithmetic" });
    await missing.getByRole("alert").filter({ hasText: "(HTTP 404): the site is missing the file" }).waitFor();
    const failing = page.getByRole("listitem").filter({ hasText: "five-node-design" });
    await failing.getByRole("alert").filter({ hasText: "(HTTP 503): the server could not send it" }).waitFor();
    assert.equal(await page.getByRole("listitem").count(), 9);
    assert.equal(await page.getByRole("link", { name: /^Start: / }).count(), 7);
    // The browser reports the failed requests itself; nothing else went wrong.
    assert.deepEqual(page.errors.filter((e) => !/ 404 | 503 /.test(e)), []);
  } finally {
    await browser.close();
    await server.close();
  }
});
