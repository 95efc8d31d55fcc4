// Saving a file the app made or fetched (a CSV export, a PDF statement) through a temporary link: the API
// needs the access token, which a plain <a href> to it would not send.
export function saveFile(data: Blob, name: string): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
