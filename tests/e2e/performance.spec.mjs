// The figures the issue asks for, printed: time from navigation to the
// cluster drawn, and at 50× real time with the timeline open, the longest
// task and the share of frames over 16.7 ms during 30 s of play. They are
// measured and printed, not asserted against wall-clock budgets (timing
// varies with the machine); only gross breakage fails.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, openPage, reveal, simulationSeconds, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

test("time from navigation to the cluster drawn", async () => {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
    const mark = await page.evaluate(() => performance.getEntriesByName("cluster-drawn")[0]?.startTime);
    assert.ok(mark > 0, "the app marks the moment the cluster is drawn");
    samples.push(mark);
    await page.close();
  }
  samples.sort((a, b) => a - b);
  console.log(
    `PERF navigation → cluster drawn: median ${samples[1].toFixed(0)} ms (runs: ${samples.map((s) => s.toFixed(0)).join(", ")} ms; aim < 500 ms)`,
  );
});

test("30 s of play at 50× real time with the timeline open", async () => {
  const page = await openLab(browser, server, "t=20s&paused=1&speed=50");
  // Scrolled to, as a learner would: below the drawing, it loads when seen.
  await reveal(page, "Timeline");
  const lanes = page.getByRole("group", { name: /^Timeline lanes/ });
  assert.ok(await lanes.isVisible(), "the timeline is open");
  await page.evaluate(() => {
    window.__perf = { longest: 0, tasks: 0, frames: [] };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__perf.tasks += 1;
        window.__perf.longest = Math.max(window.__perf.longest, e.duration);
      }
    }).observe({ type: "longtask" });
    let last = null;
    const frame = (t) => {
      if (last !== null) window.__perf.frames.push(t - last);
      last = t;
      window.__perf.raf = requestAnimationFrame(frame);
    };
    window.__perf.raf = requestAnimationFrame(frame);
  });
  const start = await simulationSeconds(page);
  await page.getByRole("button", { name: "Play", exact: true }).click();
  await page.waitForTimeout(30_000);
  await page.getByRole("button", { name: "Pause", exact: true }).click();
  const simulated = (await simulationSeconds(page)) - start;
  const perf = await page.evaluate(() => {
    cancelAnimationFrame(window.__perf.raf);
    return window.__perf;
  });
  const share = (limit) => (100 * perf.frames.filter((d) => d > limit).length) / Math.max(1, perf.frames.length);
  const sorted = [...perf.frames].sort((a, b) => a - b);
  const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  console.log(
    `PERF 50× for 30 s with the timeline: ${simulated.toFixed(0)} simulated s (${(simulated / 30).toFixed(1)}× achieved), ` +
      `longest task ${perf.longest.toFixed(0)} ms (${perf.tasks} tasks over 50 ms; aim: none), ` +
      `${perf.frames.length} frames: ${share(16.7).toFixed(1)}% over 16.7 ms (at 60 Hz most of these are vsync jitter), ` +
      `${share(25).toFixed(1)}% over 25 ms (a missed frame), 95th percentile ${p95.toFixed(1)} ms`,
  );
  assert.ok(simulated > 30 * 5, "play advances the simulation many times faster than real time");
  assert.deepEqual(page.errors, []);
});
