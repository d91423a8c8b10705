// The search page: Pagefind's interface over the index the build wrote to pagefind/.
// A ?q= in the address runs that search at once, so searches can be linked to.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") { return; }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: box.getAttribute("data-bundle"),
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
})();
