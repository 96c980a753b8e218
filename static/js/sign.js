// Signing page: draw with mouse, touch or pen (signature_pad), or type the name.
(function () {
  "use strict";
  const form = document.getElementById("sign-form");
  if (!form || !window.SignaturePad) return;
  const canvas = document.getElementById("signature-canvas");
  const drawn = form.querySelector("input[name='drawn']");
  const pad = new window.SignaturePad(canvas, { penColor: "#1a3d8f", minWidth: 0.8, maxWidth: 2.6 });

  // Match the canvas's pixels to its displayed size and the screen's density.
  function resize() {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  resize();

  form.querySelector("[data-clear-signature]").addEventListener("click", () => {
    pad.clear();
    drawn.value = "";
  });

  const panels = form.querySelectorAll("[data-method-panel]");
  function showMethod() {
    const chosen = form.querySelector("input[name='method']:checked");
    const method = chosen ? chosen.value : "drawn";
    panels.forEach((panel) => { panel.hidden = panel.dataset.methodPanel !== method; });
    if (method === "drawn") resize();
  }
  form.querySelectorAll("input[name='method']").forEach((radio) => radio.addEventListener("change", showMethod));
  showMethod();

  const typed = form.querySelector("input[name='typed']");
  const preview = form.querySelector("[data-typed-preview]");
  if (typed && preview) {
    // The size steps of the PDF's typed signature (agreements/pdf/render.py, typed_size).
    const size = (n) => (n <= 22 ? "l" : n <= 32 ? "m" : n <= 56 ? "s" : "xs");
    const update = () => {
      preview.textContent = typed.value;
      preview.dataset.size = size([...typed.value.trim()].length);
    };
    typed.addEventListener("input", update);
    update();
  }

  form.addEventListener("submit", () => {
    drawn.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
