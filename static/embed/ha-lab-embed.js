// HA Lab's optional loader for host pages (README.md, "Embedding"). For each
// <iframe data-ha-lab>, even one added later: sets the height the lab posts,
// dispatches each lab message as a bubbling CustomEvent "ha-lab:<type>" on
// the iframe (detail: the message), and offers HaLab.play/pause(frame).
(() => {
  "use strict";
  if (window.HaLab) return;

  // The origin of the lab in `frame`, or null if its src has none.
  const labOrigin = (frame) => {
    try {
      const origin = new URL(frame.src, document.baseURI).origin;
      return origin === "null" ? null : origin;
    } catch {
      return null;
    }
  };

  // Looked up at message time, so frames added later are found too.
  const frameOf = (source) =>
    [...document.querySelectorAll("iframe[data-ha-lab]")].find((f) => f.contentWindow === source);

  addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data !== "object" || data.source !== "ha-lab" || typeof data.type !== "string") return;
    const frame = frameOf(event.source);
    if (!frame || event.origin !== labOrigin(frame)) return;
    if (data.type === "resize" && Number.isFinite(data.height) && data.height > 0) {
      frame.style.height = `${Math.ceil(data.height)}px`;
    }
    frame.dispatchEvent(new CustomEvent(`ha-lab:${data.type}`, { detail: data, bubbles: true }));
  });

  // One of the two commands the lab accepts, to the lab's origin only.
  const command = (type) => (frame) => {
    if (!(frame instanceof HTMLIFrameElement) || !frame.hasAttribute("data-ha-lab")) {
      throw new TypeError(`HaLab.${type}: expected an <iframe data-ha-lab>`);
    }
    const origin = labOrigin(frame);
    if (origin) frame.contentWindow?.postMessage({ source: "ha-lab-host", type }, origin);
  };

  window.HaLab = Object.freeze({ play: command("play"), pause: command("pause") });
})();
