// Filters for the timeline and the quote index. The pages work without this script:
// it only reveals the filter form and hides the items that do not match.
(function () {
  "use strict";
  document.querySelectorAll("form.filters").forEach(function (form) {
    var kind = form.getAttribute("data-filter");
    var items = Array.prototype.slice.call(
      document.querySelectorAll(kind === "timeline" ? ".event[data-actors]" : ".filter-item"));
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-attribute]"));
    var text = form.querySelector("input[data-text]");
    var count = form.querySelector(".filter-count");
    var empty = document.querySelector(".filter-empty");
    var params = new URLSearchParams(window.location.search);

    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) {
        select.value = wanted;
      }
    });
    if (text && params.get(text.name)) { text.value = params.get(text.name); }

    function words(value) { return (value || "").split(/\s+/).filter(Boolean); }
    function fold(value) { return value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }

    function apply() {
      var shown = 0;
      var query = text ? fold(text.value.trim()) : "";
      items.forEach(function (item) {
        var ok = selects.every(function (select) {
          return !select.value || words(item.getAttribute("data-" + select.getAttribute("data-attribute")))
            .indexOf(select.value) !== -1;
        });
        if (ok && query) { ok = fold(item.textContent).indexOf(query) !== -1; }
        item.hidden = !ok;
        if (ok) { shown += 1; }
      });
      document.querySelectorAll(kind === "timeline" ? "section.month, section.year" : "section.speaker-group")
        .forEach(function (section) {
          section.hidden = !section.querySelector(kind === "timeline" ? ".event:not([hidden])" : ".filter-item:not([hidden])");
        });
      if (count) { count.textContent = shown + " of " + items.length + " shown"; }
      if (empty) { empty.hidden = shown !== 0; }
      var next = new URLSearchParams();
      selects.forEach(function (select) { if (select.value) { next.set(select.name, select.value); } });
      if (text && text.value.trim()) { next.set(text.name, text.value.trim()); }
      var search = next.toString();
      history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    }

    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  });
})();
