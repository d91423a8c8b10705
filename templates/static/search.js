// The search page: Pagefind's interface over the index the build wrote to pagefind/, in
// parts listed in pagefind/parts.json, which are searched together.
// A ?q= in the address runs that search at once, so searches can be linked to.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined" || !window.fetch) { return; }
  var bundle = box.getAttribute("data-bundle");
  window.fetch(bundle + "parts.json").then(function (response) {
    if (!response.ok) { throw new Error("no list of the search index's parts"); }
    return response.json();
  }).then(function (parts) {
    if (parts.length) { start(parts); }
  }).catch(function () {
    box.textContent = "The search index is missing: build the site with its search index.";
  });

  function start(parts) {
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: bundle + parts[0],
      mergeIndex: parts.slice(1).map(function (part) { return { bundlePath: bundle + part }; }),
      showSubResults: true,
      showImages: false,
      resetStyles: false
    });
    // A visible label for the search box (Pagefind's box has only a placeholder).
    var label = document.createElement("label");
    label.className = "search-label";
    label.htmlFor = "search-input";
    label.textContent = "Search articles, people and what they said";
    box.parentNode.insertBefore(label, box);
    (function name() {
      var input = box.querySelector("input");
      if (input) { input.id = "search-input"; } else { window.requestAnimationFrame(name); }
    })();
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) { ui.triggerSearch(query); }
  }
})();
