// The cascade page: open every branch before printing (a closed <details> prints closed), print on request,
// and bring the reader's own branch into view when the page opens without a fragment.
(function () {
  function openAll() {
    document.querySelectorAll("details.cascade-branch").forEach((d) => {
      if (!d.open) {
        d.dataset.closedBeforePrint = "1";
        d.open = true;
      }
    });
  }
  function restore() {
    document.querySelectorAll("details.cascade-branch[data-closed-before-print]").forEach((d) => {
      d.open = false;
      delete d.dataset.closedBeforePrint;
    });
  }
  function start() {
    window.addEventListener("beforeprint", openAll);
    window.addEventListener("afterprint", restore);
    document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
    if (!window.location.hash) {
      const mine = document.querySelector("[data-mine]");
      if (mine && mine.getBoundingClientRect().top > window.innerHeight) mine.scrollIntoView({ block: "start" });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
