// Copy buttons for feedback links (progressive enhancement): a button with
// data-copy-target="<id>" is hidden until this script shows it; pressing it copies the text
// of that element and says so in the status region named by data-copy-status.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  const source = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      if (status) status.textContent = "Link copied.";
    } catch {
      if (status) status.textContent = "Could not copy: select the link and copy it yourself.";
    }
  });
}
