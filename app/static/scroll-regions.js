// A table that scrolls sideways sits in a focusable region so keyboard users can scroll it
// (WCAG 2.1.1); a region with nothing to scroll would only be an empty tab stop, so it leaves
// the tab order until the window narrows enough for its table to overflow. Without this script
// every region stays focusable, which is the safe default.
(function () {
  "use strict";
  var regions = document.querySelectorAll(".table-wrap[role=region]");
  function update() {
    regions.forEach(function (region) {
      if (region.scrollWidth > region.clientWidth + 1) {
        region.setAttribute("tabindex", "0");
      } else {
        region.removeAttribute("tabindex");
      }
    });
  }
  if (regions.length) {
    update();
    window.addEventListener("resize", update);
  }
})();
