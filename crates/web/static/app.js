// Jixiao's own script: no third-party JS. Pages work without it.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) { window.print(); }
});
