// GET /__APP__ shows the page; the form posts to /__APP__/greet.
// Save this file while `hotpub dev` runs and reload the page: no restart.
import { html, keep } from 'hotpub';
import { page } from './_lib/html.js';

// keep() makes the counter once; it survives every reload of this module.
const visits = keep('visits', () => ({ count: 0 }));

export function index() {
  visits.count++;
  return page(
    '__APP__',
    html`<p>This page was served ${visits.count} time(s) since the server started.</p>
    <form method="post" action="/__APP__/greet">
      <label>Your name <input name="name" required maxlength="80"></label>
      <button>Greet me</button>
    </form>`,
  );
}

// POST /__APP__/greet with a form body: args.name comes from the form field.
export function greet(args: { name: string }) {
  // html`` escapes the title: a name like <script> is shown, never run.
  return page(`Hello, ${args.name}!`, html`<p><a href="/__APP__">Back</a></p>`);
}
greet.methods = ['POST'];
greet.schema = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 80 } },
  required: ['name'],
};
