// A course author embeds HA Lab with the loader script and the link's embed
// options: the loader, served from the lab's origin to a course page on
// another origin (under its own strict CSP), fits the frame to the lab and
// turns the lab's messages into DOM events and its commands into play and
// pause; height= gives the lab a fixed height that scrolls inside; panels=
// shows only the panels asked for; theme= wins over the system's colours.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { openLab, openPage, reveal, screenshot, withSiteAndBrowser } from "./support.mjs";

let site, browser;
withSiteAndBrowser((s, b) => {
  site = s;
  browser = b;
});

// The course page's own script: records the loader's events, then adds the
// lab's frame (after the loader has run) from the page's `lab` parameter.
const COURSE_JS = `
window.labEvents = [];
for (const type of ["resize", "lesson-step-completed", "lesson-completed"]) {
  document.addEventListener("ha-lab:" + type, (e) =>
    window.labEvents.push({ type: e.type, target: e.target.id, bubbles: e.bubbles, detail: e.detail }));
}
const frame = document.createElement("iframe");
frame.id = "lab";
frame.title = "HA Lab";
frame.setAttribute("data-ha-lab", "");
frame.src = new URL(location.href).searchParams.get("lab");
document.body.append(frame);
`;

/**
 * Serves a course page on its own origin that loads the loader from the lab's
 * origin, with a strict CSP: no inline script or style, frames and scripts
 * only from itself and the lab. Returns { open(labQuery), close }, which
 * also closes the pages it opened.
 */
async function serveCourse(labUrl) {
  const labOrigin = new URL(labUrl).origin;
  const policy = `default-src 'self'; script-src 'self' ${labOrigin}; frame-src ${labOrigin}; style-src 'self'`;
  const server = createServer((req, res) => {
    if (req.url.startsWith("/course.css")) {
      res.writeHead(200, { "content-type": "text/css; charset=utf-8" });
      res.end("iframe { display: block; width: 100%; border: 0 }");
      return;
    }
    if (req.url.startsWith("/course.js")) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(COURSE_JS);
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": policy });
    res.end(`<!doctype html><html lang="en"><head><title>A course</title>
<script src="${labUrl}embed/ha-lab-embed.js" defer></script>
<script src="/course.js" defer></script>
<link rel="stylesheet" href="/course.css">
</head><body><h1>Week 3: high availability</h1></body></html>`);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const courseUrl = `http://127.0.0.1:${server.address().port}/`;
  assert.notEqual(new URL(courseUrl).origin, labOrigin);
  const pages = [];
  return {
    async open(labQuery) {
      const page = await openPage(browser, { viewport: { width: 1100, height: 800 } });
      pages.push(page);
      page.violations = [];
      page.on("console", (msg) => {
        if (/Content Security Policy|Refused to/i.test(msg.text())) page.violations.push(msg.text());
      });
      await page.addInitScript(() => {
        window.__csp = [];
        document.addEventListener("securitypolicyviolation", (e) =>
          window.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`),
        );
      });
      await page.goto(`${courseUrl}?lab=${encodeURIComponent(`${labUrl}?${labQuery}`)}`);
      return page;
    },
    async close() {
      await Promise.all(pages.map((p) => p.close()));
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** The resize heights the course page has heard of, in order. */
const resizes = (page) =>
  page.evaluate(() => window.labEvents.filter((e) => e.type === "ha-lab:resize").map((e) => e.detail.height));

/** The lab frame's height on the course page, in CSS pixels. */
const frameHeight = (page) => page.evaluate(() => document.getElementById("lab").getBoundingClientRect().height);

test("the loader fits the frame, turns lab messages into events, and plays and pauses", async () => {
  const course = await serveCourse(site.url);
  try {
    const page = await course.open("embed=1&lesson=leader-election-timings&speed=20");
    const frame = page.frameLocator("#lab");
    await frame.getByRole("group", { name: "Cluster", exact: true }).waitFor();

    // resize: the frame (150 px high without the loader) takes the posted height.
    await page.waitForFunction(() =>
      window.labEvents.some((e) => e.type === "ha-lab:resize" && e.detail.height > 600),
    );
    const resize = await page.evaluate(() => window.labEvents.find((e) => e.type === "ha-lab:resize"));
    assert.deepEqual(
      { target: resize.target, bubbles: resize.bubbles, source: resize.detail.source },
      { target: "lab", bubbles: true, source: "ha-lab" },
    );
    // Read together, so that no message can land between the two.
    const fit = await page.evaluate(() => ({
      posted: window.labEvents.filter((e) => e.type === "ha-lab:resize").at(-1).detail.height,
      height: document.getElementById("lab").getBoundingClientRect().height,
    }));
    assert.equal(Math.round(fit.height), fit.posted);

    // A completed lesson step reaches the page as a bubbling CustomEvent.
    await page.waitForFunction(
      () => window.labEvents.some((e) => e.type === "ha-lab:lesson-step-completed"),
      null,
      { timeout: 30_000 },
    );
    const step = await page.evaluate(() =>
      window.labEvents.find((e) => e.type === "ha-lab:lesson-step-completed"),
    );
    assert.equal(step.target, "lab");
    assert.deepEqual(
      { type: step.detail.type, lesson: step.detail.lesson, step: step.detail.step },
      { type: "lesson-step-completed", lesson: "leader-election-timings", step: 1 },
    );

    // HaLab.pause and HaLab.play drive the lab; anything but a lab frame is refused.
    assert.equal(await frame.getByRole("button", { name: "Pause", exact: true }).count(), 1);
    await page.evaluate(() => window.HaLab.pause(document.getElementById("lab")));
    await frame.getByRole("button", { name: "Play", exact: true }).waitFor();
    // Paused, a narrower frame still gets the lab's new height: the panels
    // stack at phone width, so the page grows.
    const wide = await frameHeight(page);
    await page.evaluate(() => {
      document.getElementById("lab").style.width = "360px";
    });
    await page.waitForFunction((h) => document.getElementById("lab").getBoundingClientRect().height > h + 200, wide);
    assert.equal(Math.round(await frameHeight(page)), (await resizes(page)).at(-1));
    await page.evaluate(() => {
      document.getElementById("lab").style.width = "";
    });
    await page.waitForFunction((h) => document.getElementById("lab").getBoundingClientRect().height < h - 200, await frameHeight(page));
    await page.evaluate(() => window.HaLab.play(document.getElementById("lab")));
    await frame.getByRole("button", { name: "Pause", exact: true }).waitFor();
    const refused = await page.evaluate(() => {
      try {
        window.HaLab.pause(document.body);
        return null;
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    });
    assert.equal(refused, "TypeError: HaLab.pause: expected an <iframe data-ha-lab>");

    await screenshot(page, "embed-loader");
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(page.violations, []);
    assert.deepEqual(page.errors, []);
  } finally {
    await course.close();
  }
});

test("height= gives the embedded lab that height, posts it, and scrolls inside", async () => {
  const course = await serveCourse(site.url);
  try {
    const page = await course.open("embed=1&scenario=kill-controller-manager-leader&paused=1&height=480");
    const frame = page.frameLocator("#lab");
    await frame.getByRole("group", { name: "Cluster", exact: true }).waitFor();
    await page.waitForFunction(() => window.labEvents.some((e) => e.type === "ha-lab:resize"));
    assert.deepEqual(await resizes(page), [480]);
    assert.equal(Math.round(await frameHeight(page)), 480);

    // Inside the frame: the page is exactly 480 px high, and its content,
    // taller than that, scrolls inside it rather than the frame's document.
    const labFrame = page.frames().find((f) => f.url().startsWith(site.url));
    const measure = () =>
      labFrame.evaluate(() => {
        const lab = document.querySelector(".lab-page");
        return {
          document: document.documentElement.scrollHeight,
          lab: lab.getBoundingClientRect().height,
          content: lab.scrollHeight,
          scrolled: lab.scrollTop,
          documentScrolled: document.scrollingElement.scrollTop,
        };
      });
    const before = await measure();
    assert.deepEqual({ document: before.document, lab: Math.round(before.lab) }, { document: 480, lab: 480 });
    assert.ok(before.content > 480, `the content is ${before.content} px high`);
    await frame.getByRole("region", { name: "Event log", exact: true }).scrollIntoViewIfNeeded();
    const after = await measure();
    assert.ok(after.scrolled > 0, "the lab page scrolled to the event log");
    assert.equal(after.documentScrolled, 0);
    // The time bar stays in view while the content scrolls under it.
    assert.ok(await frame.getByRole("button", { name: "Play", exact: true }).isVisible());
    const timeBar = await frame.getByRole("region", { name: "Time", exact: true }).boundingBox();
    const frameBox = await page.locator("#lab").boundingBox();
    assert.ok(Math.abs(timeBar.y - frameBox.y) < 1, `time bar at ${timeBar.y}, frame at ${frameBox.y}`);

    assert.deepEqual(await resizes(page), [480], "the height is posted once");
    await screenshot(page, "embed-fixed-height");
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(page.errors, []);
  } finally {
    await course.close();
  }
});

/** The accessible names of every region (landmark section) on the page. */
async function regionNames(page) {
  const tree = await page.locator("body").ariaSnapshot();
  return [...tree.matchAll(/^\s*- region "([^"]*)"/gm)].map((m) => m[1]).sort();
}

test("panels= shows only the panels asked for", async () => {
  const base = "embed=1&scenario=kill-controller-manager-leader&paused=1";
  const every = await openLab(browser, site, base);
  const all = await regionNames(every);
  // Every panel is there without panels=, so their absence below means something.
  for (const name of ["Time", "Cluster view", "Break things", "kubectl on your laptop", "Inspector", "Leases", "Timeline", "Event log"]) {
    assert.ok(all.includes(name), `${name} in ${all}`);
  }
  await every.close();

  const page = await openLab(browser, site, `${base}&panels=cluster,leases`);
  await reveal(page, "Leases");
  assert.deepEqual(await regionNames(page), [
    "Cluster view",
    "Leases",
    "kube-controller-manager lease",
    "kube-scheduler lease",
  ]);
  // The time controls went with their panel.
  assert.equal(await page.getByRole("button", { name: /^(Play|Pause)$/ }).count(), 0);
  assert.equal(await page.getByRole("timer", { name: "Simulation time" }).count(), 0);
  await screenshot(page, "embed-panels-cluster-leases");
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** The relative luminance (0 black to 1 white) of a CSS rgb() colour. */
function luminance(rgb) {
  const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

for (const [theme, system] of [
  ["dark", "light"],
  ["light", "dark"],
]) {
  test(`theme=${theme} wins over a ${system} system`, async () => {
    const page = await openLab(browser, site, `embed=1&paused=1&theme=${theme}`, { colorScheme: system });
    const seen = await page.evaluate(() => ({
      system: matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light",
      theme: document.documentElement.dataset.theme,
      background: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.body).color,
    }));
    assert.equal(seen.system, system);
    assert.equal(seen.theme, theme);
    const [background, text] = [luminance(seen.background), luminance(seen.text)];
    if (theme === "dark") {
      assert.ok(background < 0.05 && text > 0.5, `dark: background ${seen.background}, text ${seen.text}`);
    } else {
      assert.ok(background > 0.8 && text < 0.05, `light: background ${seen.background}, text ${seen.text}`);
    }
    await screenshot(page, `embed-theme-${theme}`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}
