// Date fields show the Hijri (Umm al-Qura) date of the Gregorian date being typed.
// An <input type="date" data-other-calendar="ID"> (common/widgets.py DateInput) names the
// aria-live element under it; the browser's Intl calendar does the conversion. Events are
// caught on the document, so rows added later (commitments in the agreement editor) work too.
(function () {
  "use strict";
  // The Umm al-Qura table the portal's own Hijri dates come from (hijridate) covers these
  // days; outside them browsers fall back to an arithmetic calendar, so nothing is shown.
  const FIRST = "1924-08-01";
  const LAST = "2077-11-16";
  const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  const language = document.documentElement.lang || "ar";
  // Western digits in both languages, as in every other date the portal prints.
  const calendar = "-u-ca-islamic-umalqura-nu-latn";
  const words = new Intl.DateTimeFormat(language + calendar, {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  const numbers = new Intl.DateTimeFormat("en" + calendar, {
    day: "numeric",
    month: "numeric",
    year: "numeric",
    timeZone: "UTC",
  });

  const pad = (value) => String(value).padStart(2, "0");

  // The server's month names and pattern (data-months, data-pattern) when the page gives them,
  // so the hint reads like every Hijri date the portal prints; else the browser's own words.
  function hijri(value, hint) {
    const match = ISO_DATE.exec(value);
    if (!match || value < FIRST || value > LAST) return null;
    const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    const parts = Object.fromEntries(numbers.formatToParts(day).map((part) => [part.type, part.value]));
    const months = (hint.dataset.months || "").split("|");
    const text =
      months.length === 12 && hint.dataset.pattern
        ? hint.dataset.pattern
            .replace("{day}", parts.day)
            .replace("{month}", months[Number(parts.month) - 1])
            .replace("{year}", parts.year)
        : words.format(day);
    return { text, iso: `${parts.year}-${pad(parts.month)}-${pad(parts.day)}` };
  }

  function show(input) {
    const hint = document.getElementById(input.dataset.otherCalendar);
    if (!hint) return;
    const date = hijri(input.value, hint);
    const text = date ? date.text : "";
    // Writing the same words again would make screen readers repeat them.
    if (hint.textContent !== text) hint.textContent = text;
    // The day as numbers (year-month-day), for tests and anything reading the page.
    if (date) hint.dataset.hijri = date.iso;
    else delete hint.dataset.hijri;
  }

  function onEdit(event) {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.dataset.otherCalendar) show(input);
  }

  function showAll(root) {
    root.querySelectorAll("input[data-other-calendar]").forEach(show);
  }

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
  // Content swapped in by htmx brings its own date fields.
  document.addEventListener("htmx:load", (event) => showAll(event.target));
  // The script is deferred: the page is parsed, prefilled dates get their hint now.
  showAll(document);
})();
