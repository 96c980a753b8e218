// Agreement editor: add, remove and reorder clauses, add commitments under a clause.
// Works on Django formsets: new rows come from <template> elements whose names carry
// placeholders (__prefix__ for the row index, __clause__ for the clause prefix).
(function () {
  "use strict";
  const form = document.getElementById("agreement-form");
  if (!form) return;
  const container = document.getElementById("clauses");
  const totalClauses = form.querySelector("input[name='clauses-TOTAL_FORMS']");
  const clauseTemplate = document.getElementById("clause-template");
  const commitmentTemplate = document.getElementById("commitment-template");
  const emptyNote = form.querySelector("[data-no-clauses]");

  const clauses = () => Array.from(container.querySelectorAll("[data-clause]"));
  const orderInput = (clause) => clause.querySelector("input[name$='-order']");

  function showNumber(clause) {
    clause.querySelector("[data-clause-number]").textContent = orderInput(clause).value || "?";
  }

  function renumber() {
    clauses().forEach((clause, index) => {
      orderInput(clause).value = index + 1;
      showNumber(clause);
    });
  }

  function fromTemplate(template, replacements) {
    let html = template.innerHTML;
    for (const [placeholder, value] of replacements) html = html.split(placeholder).join(value);
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  form.querySelector("[data-add-clause]").addEventListener("click", () => {
    const index = Number(totalClauses.value);
    const clause = fromTemplate(clauseTemplate, [["__prefix__", String(index)]]);
    container.appendChild(clause);
    totalClauses.value = index + 1;
    const highest = Math.max(0, ...clauses().map((c) => Number(orderInput(c).value) || 0));
    orderInput(clause).value = highest + 1;
    showNumber(clause);
    if (emptyNote) emptyNote.hidden = true;
    clause.querySelector("select").focus();
  });

  container.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const clause = button.closest("[data-clause]");
    if (button.dataset.move === "up" && clause.previousElementSibling) {
      container.insertBefore(clause, clause.previousElementSibling);
      renumber();
    } else if (button.dataset.move === "down" && clause.nextElementSibling) {
      container.insertBefore(clause.nextElementSibling, clause);
      renumber();
    } else if ("addCommitment" in button.dataset) {
      const total = clause.querySelector("input[name$='-commitments-TOTAL_FORMS']");
      const index = Number(total.value);
      const row = fromTemplate(commitmentTemplate, [
        ["clauses-__clause__-commitments", clause.dataset.prefix + "-commitments"],
        ["__prefix__", String(index)],
      ]);
      clause.querySelector("[data-commitments]").appendChild(row);
      total.value = index + 1;
      row.querySelector("input[name$='-description_ar']").focus();
    }
  });

  // What one save can carry (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS and _MEMORY_SIZE): past it
  // the server would refuse the request and the typing would be lost, so it is not sent.
  const tooBig = form.querySelector("[data-too-big]");
  form.addEventListener("submit", (event) => {
    if (!tooBig) return;
    let fields = 0;
    let bytes = 0;
    for (const [name, value] of new FormData(form)) {
      fields += 1;
      bytes += encodeURIComponent(name).length + encodeURIComponent(typeof value === "string" ? value : "").length + 2;
    }
    if (fields > Number(tooBig.dataset.maxFields) || bytes > Number(tooBig.dataset.maxBytes)) {
      event.preventDefault();
      tooBig.hidden = false;
      tooBig.scrollIntoView({ block: "center" });
    }
  });

  container.addEventListener("change", (event) => {
    const target = event.target;
    if (target.name && target.name.endsWith("-DELETE")) {
      const row = target.closest("[data-commitment]") || target.closest("[data-clause]");
      row.classList.toggle("opacity-50", target.checked);
    }
    if (target.name && target.name.endsWith("-order") && !target.name.includes("commitments")) {
      showNumber(target.closest("[data-clause]"));
    }
  });
})();
