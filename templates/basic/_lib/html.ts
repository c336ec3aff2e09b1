// Private to the app (the leading _ keeps it off the URL space); index.ts imports it.
import { type HtmlString, html } from 'hotpub';

/** A whole HTML page around `body`; html`` escapes every interpolated value. */
export function page(title: string, body: HtmlString): HtmlString {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="stylesheet" href="/__APP__/style.css">
</head>
<body>
  <main>
    <h1>${title}</h1>
    ${body}
  </main>
</body>
</html>`;
}
