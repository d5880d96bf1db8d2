// Keying in a paper questionnaire: once a valid key is typed in an answer box, move on to the
// next answer box, so a whole form is one key per question. Optional: the box above turns it off.
(function () {
  "use strict";
  var toggle = document.getElementById("auto-advance");
  if (!toggle) { return; }
  toggle.closest(".auto-advance").hidden = false;
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".key-input"));
  boxes.forEach(function (box, index) {
    box.addEventListener("input", function () {
      var typed = box.value.trim().toLowerCase();
      if (!toggle.checked || typed.length !== 1) { return; }
      if ((box.dataset.keys || "").indexOf(typed) === -1) { return; }
      var next = boxes[index + 1];
      if (next) { next.focus(); next.select(); }
    });
  });
}());
