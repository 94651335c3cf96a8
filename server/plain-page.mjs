// The app's few pages written without React (a database outage, a form from an older version):
// one self-contained document, styled by a nonce'd stylesheet of its own, its own CSP to match.

export const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** The page's CSP: its stylesheet and nothing else. */
export const plainPageCsp = (nonce) => `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * A page with a heading, paragraphs (plain text, escaped here) and one link (`href`, a path); `head`
 * is markup added to the head as it is (say, a refresh).
 */
export function plainPage({ title, paragraphs, link, nonce, head = "" }) {
  const text = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${head}<title>${escapeHtml(title)} · Sessionboard</title>
<style nonce="${nonce}">
  body { margin: 0; font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f8fafc; color: #0f172a; }
  main { max-width: 28rem; margin: 0 auto; padding: 6rem 1rem; text-align: center; }
  h1 { font-size: 1.5rem; font-weight: 600; margin: 0; }
  p { color: #475569; font-size: 0.875rem; line-height: 1.5; }
  a { display: inline-block; margin-top: 1rem; color: #4f46e5; font-weight: 500; font-size: 0.875rem; }
  a:focus-visible { outline: 2px solid #4f46e5; outline-offset: 2px; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${text}
<a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>
</main>
</body>
</html>`;
}
