// The disclosure status page: poll the document's status every 2 s while it is queued or
// rendering, then reload once to show the result (download link or reason and Retry).
// Without script the page refreshes itself (<noscript> meta refresh).
(() => {
  const box = document.getElementById("disclosure-status");
  if (!box || !["queued", "rendering"].includes(box.dataset.status)) return;
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const state = await response.json();
        const label = box.querySelector("[data-field=status_display]");
        if (label) label.textContent = state.status_display;
        const progress = box.querySelector("[data-field=progress]");
        if (progress && state.status === "rendering") progress.removeAttribute("value");
        if (state.done) { window.location.reload(); return; }
      }
    } catch (error) { /* a dropped poll is tried again */ }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
})();
