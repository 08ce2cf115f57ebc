// Small behaviours shared by every page; no inline scripts anywhere (CSP script-src 'self').
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
