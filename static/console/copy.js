// Copy buttons of the console: <button data-copy="ID" hidden> copies the value of the field
// with that id. Without JavaScript the buttons stay hidden and the field can be selected.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy || "");
    if (!(field instanceof HTMLInputElement)) return;
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.copied || button.textContent;
    } catch {
      field.select();  // the browser refused the clipboard: leave it to the keyboard
    }
  });
}
