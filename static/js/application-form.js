// The application form: a base added by "Add a base" (htmx) takes the focus.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "base-rows") return;
  const rows = event.detail.target.querySelectorAll(".base-row");
  const last = rows[rows.length - 1];
  if (last) last.querySelector("select")?.focus();
});
