// The query page: Ctrl+Enter (or Cmd+Enter) runs the query.
document.addEventListener("keydown", (event) => {
  const area = document.getElementById("query");
  if (area && event.target === area && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    area.form.requestSubmit();
  }
});
