// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});
// Destructive actions ask first: <form data-confirm="…">.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
// Print buttons: <button type="button" data-print>. No inline handlers: the Content-Security-Policy
// allows scripts from our own files only.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
