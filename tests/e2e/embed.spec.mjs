// A course page on another origin embeds HA Lab in an iframe: the lab shows
// minimal chrome, the iframe resizes to the height the lab posts, lesson
// events reach the page, and only the documented commands are obeyed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launchBrowser, openPage, serveStatic, screenshot } from "./support.mjs";

function coursePage(labUrl) {
  return `<!doctype html><html lang="en"><head><title>A course</title></head><body>
<h1>Week 3: high availability</h1>
<iframe id="lab" title="HA Lab" src="${labUrl}" style="width:100%;height:300px;border:0"></iframe>
<script>
  window.messages = [];
  addEventListener("message", (e) => {
    if (!e.data || e.data.source !== "ha-lab") return;
    window.messages.push(e.data);
    if (e.data.type === "resize") document.getElementById("lab").style.height = e.data.height + "px";
  });
</script></body></html>`;
}

test("embedded on another origin: renders, resizes the iframe, posts lesson events", async () => {
  const lab = await serveStatic();
  const labUrl = `${lab.url}?embed=1&lesson=leader-election-timings&speed=20`;
  const course = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(coursePage(labUrl));
  });
  await new Promise((ok) => course.listen(0, "127.0.0.1", ok));
  const courseUrl = `http://127.0.0.1:${course.address().port}/`;
  assert.notEqual(new URL(courseUrl).origin, new URL(lab.url).origin);
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, { viewport: { width: 1100, height: 800 } });
    await page.goto(courseUrl);
    const frame = page.frameLocator("#lab");
    await frame.getByRole("group", { name: "Cluster", exact: true }).waitFor();
    // Minimal chrome: no site header and its buttons.
    assert.equal(await frame.getByRole("button", { name: "Copy link" }).count(), 0);

    // The iframe takes the height the lab posts.
    await page.waitForFunction(() => window.messages.some((m) => m.type === "resize" && m.height > 600));
    const posted = await page.evaluate(() => window.messages.filter((m) => m.type === "resize").at(-1).height);
    const height = await page.evaluate(() => document.getElementById("lab").getBoundingClientRect().height);
    assert.equal(Math.round(height), posted);

    // A lesson step completed inside the frame is announced to the page.
    await page.waitForFunction(
      () => window.messages.some((m) => m.type === "lesson-step-completed"),
      null,
      { timeout: 30_000 },
    );
    const step = await page.evaluate(() => window.messages.find((m) => m.type === "lesson-step-completed"));
    assert.deepEqual(
      { lesson: step.lesson, step: step.step, title: step.title },
      { lesson: "leader-election-timings", step: 1, title: "One leader, two standbys" },
    );
    assert.ok(step.steps >= 2);

    // Commands: anything not in the documented shape is ignored; pause works.
    const labFrame = page.frames().find((f) => f.url().startsWith(lab.url));
    const playing = () => frame.getByRole("button", { name: "Pause", exact: true }).count();
    assert.equal(await playing(), 1);
    await page.evaluate(() => {
      const target = document.getElementById("lab").contentWindow;
      target.postMessage({ source: "someone-else", type: "pause" }, "*");
      target.postMessage({ source: "ha-lab-host", type: "eval", code: "alert(1)" }, "*");
      target.postMessage("pause", "*");
    });
    await labFrame.waitForTimeout(300);
    assert.equal(await playing(), 1, "unvalidated messages are ignored");
    await page.evaluate(() =>
      document.getElementById("lab").contentWindow.postMessage({ source: "ha-lab-host", type: "pause" }, "*"),
    );
    await frame.getByRole("button", { name: "Play", exact: true }).waitFor();
    await screenshot(page, "embedded-on-another-origin");
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await lab.close();
    await new Promise((ok) => course.close(ok));
  }
});
