// Console: the status of each write made in this session (pending / sent / confirmed / failed
// with its reason), polled from /v1/operations until it settles, without reloading the page.
(function () {
  "use strict";
  const rows = document.querySelectorAll("[data-operation]");
  const settled = new Set(["confirmed", "failed"]);
  async function poll(row) {
    const cell = row.querySelector(".op-status");
    for (;;) {
      const answer = await fetch(`/v1/operations/${encodeURIComponent(row.dataset.operation)}`);
      if (answer.ok) {
        const op = await answer.json();
        let text = op.status;
        if (op.tx_hash) text += ` · ${op.tx_hash.slice(0, 12)}…`;
        if (op.status === "failed" && op.error) text += ` · ${op.error.name || op.error.title || ""}`;
        cell.textContent = text;
        cell.className = `op-status badge ${op.status === "confirmed" ? "valid" : op.status === "failed" ? "fail" : "pending"}`;
        if (settled.has(op.status)) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  rows.forEach(poll);
})();
