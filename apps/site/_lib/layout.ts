// Private helpers: files and folders starting with _ are importable but never addressable.
import { type HtmlString, html } from 'hotpub';

/** A whole page with the site's navigation around `body` (html`` escapes every value). */
export function layout(title: string, body: HtmlString): HtmlString {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · hotpub site</title>
  <link rel="stylesheet" href="/site/style.css">
</head>
<body>
  <nav><a href="/site">Guestbook</a> <a href="/site/about">About</a></nav>
  <main>
    <h1>${title}</h1>
    ${body}
  </main>
</body>
</html>`;
}
