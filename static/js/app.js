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
// Long lists (departments, organisations) become searchable: <select data-searchable>, and any
// select with many options. Without JavaScript, or if the library failed to load, the plain
// <select> stays and works. The library is served by the app (node_modules, no CDN).
const SEARCHABLE_FROM = 15;
document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.TomSelect !== "function") return;
  document.querySelectorAll("select").forEach((select) => {
    if (select.dataset.plain !== undefined || select.tomselect) return;
    if (select.dataset.searchable === undefined && select.options.length < SEARCHABLE_FROM) return;
    const options = { maxOptions: null, allowEmptyOption: true, plugins: [] };
    if (select.multiple) options.plugins.push("remove_button");
    else options.plugins.push("dropdown_input");
    new window.TomSelect(select, options);
  });
});
