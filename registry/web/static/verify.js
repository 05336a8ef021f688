// Verification page: a chosen or dropped file is hashed here (SHA-256 with hash-wasm, in 4 MiB
// slices, so a 1 GiB file never sits in memory) and only its hash is submitted. A receipt JSON
// is read here too and submitted as text, with the SHA-256 of the file it is for when one is
// chosen beside it (hashed here the same way). Nothing else leaves the browser.
(function () {
  "use strict";
  const SLICE = 4 * 1024 * 1024;
  const page = document.getElementById("verify-page");
  if (!page) return;
  const hashForm = document.getElementById("verify-form");
  const hashField = document.getElementById("hash");
  const fileInput = document.getElementById("file");
  const receiptInput = document.getElementById("receipt-file");
  const receiptForm = document.getElementById("receipt-form");
  const receiptField = document.getElementById("receipt");
  const receiptEvidence = document.getElementById("receipt-evidence");
  const receiptHash = document.getElementById("receipt-hash");
  const drop = document.getElementById("drop");
  const progress = document.getElementById("file-status");
  const label = (key) => page.dataset[key] || key;

  async function sha256(file) {
    const hasher = await hashwasm.createSHA256();
    hasher.init();
    for (let offset = 0; offset < file.size; offset += SLICE) {
      const slice = await file.slice(offset, offset + SLICE).arrayBuffer();
      hasher.update(new Uint8Array(slice));
      const done = Math.min(100, Math.round(((offset + SLICE) / file.size) * 100));
      progress.textContent = `${label("hashing")} ${done}%`;
    }
    return "0x" + hasher.digest("hex");
  }

  async function take(file) {
    if (!file) return;
    progress.textContent = `${label("hashing")} 0%`;
    const started = performance.now();
    hashField.value = await sha256(file);
    document.getElementById("name").value = file.name;
    const seconds = (performance.now() - started) / 1000;
    progress.textContent = `${label("hashed")} ${hashField.value} (${file.size} B, ${seconds.toFixed(2)} s)`;
    page.dataset.lastHashSeconds = String(seconds);
    hashForm.submit();
  }

  fileInput.addEventListener("change", () => take(fileInput.files[0]));
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    take(event.dataTransfer.files[0]);
  });
  receiptForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = receiptInput.files[0];
    if (!file) return;
    receiptField.value = await file.text();
    const evidence = receiptEvidence.files[0];
    receiptHash.value = evidence ? await sha256(evidence) : "";
    receiptForm.submit();
  });
})();
