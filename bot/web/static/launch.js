// The launch page's locked "open on WDTK" buttons unlock when WDTK's pace allows: each
// carries the moment (data-unlock-at), counted from the server's clock (data-now), so a
// page served `--as-of` a moment unlocks as it would have then. Without this script the
// page says the time and a reload shows the link.
(function () {
  "use strict";
  var table = document.querySelector("[data-now]");
  if (!table) { return; }
  var serverNow = Date.parse(table.getAttribute("data-now"));
  var MAX_WAIT = 2147483647; // setTimeout's longest delay (about 24.8 days)

  function unlock(span) {
    var link = document.createElement("a");
    link.href = span.getAttribute("data-href");
    link.className = "send";
    link.rel = "noreferrer noopener";
    link.target = "_blank";
    link.textContent = span.textContent;
    var when = document.getElementById("when-" + span.getAttribute("data-ref"));
    if (when) { when.textContent = "send now"; }
    span.parentNode.replaceChild(link, span);
  }

  Array.prototype.forEach.call(document.querySelectorAll("span.send[data-unlock-at]"), function (span) {
    var wait = Date.parse(span.getAttribute("data-unlock-at")) - serverNow;
    if (wait <= MAX_WAIT) {
      window.setTimeout(function () { unlock(span); }, Math.max(0, wait));
    }
  });
}());
