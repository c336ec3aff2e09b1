/** The text of `hotpub --help` and `hotpub <command> --help`. */

const SERVE_FLAGS = `  --apps DIR            apps directory (default ./apps)
  --port N, -p N        port (default 3000, or PORT; 0 picks a free one)
  --host H              host (default 127.0.0.1)
  --watch               reload modules when their files change
  --dev                 development mode: error details, code frames, /-/ endpoints, request log
  --admin               serve /-/registry and /-/routes without --dev
  --admin-token T       open the /-/ dashboard, docs and controls to Authorization: Bearer T
                        (or HOTPUB_ADMIN_TOKEN; at least 16 characters)
  --workers N           N worker processes (node:cluster), each with its own registry
  --drain-timeout MS    longest wait for in-flight requests before a reload swaps (default 5000)
  --body-limit SIZE     largest request body, e.g. 1mb, 512kb (default 1mb)
  --config FILE, -c     config file (default ./hotpub.config.ts, .mts, .js or .mjs if present)`;

const TOPICS: Record<string, string> = {
  serve: `Usage: hotpub serve [flags]

Serves every app under the apps directory. Prints the URL when ready; SIGTERM or
SIGINT stops accepting, lets in-flight requests finish, and exits 0.

${SERVE_FLAGS}`,
  dev: `Usage: hotpub dev [flags]

The same as: hotpub serve --watch --dev [flags]

${SERVE_FLAGS}`,
  routes: `Usage: hotpub routes [--apps DIR] [--config FILE]

Prints every URL and the file#function it calls, one per line. Fails (exit 1) when a
module does not load, or a function's fn.methods, guards or fn.schema would fail every
request: usable as a CI check.`,
  openapi: `Usage: hotpub openapi [--apps DIR] [--out FILE] [--config FILE]

Writes the OpenAPI 3.1 document of every published function (the one /-/openapi.json
serves) to FILE, or to stdout. Fails (exit 1) when a module does not load.`,
  new: `Usage: hotpub new app NAME [--apps DIR] [--template T]
       hotpub new module APP/PATH [--apps DIR]

new app      copies templates/T (basic: HTML page and form; api: JSON with a schema)
             into DIR/NAME
new module   writes DIR/APP/PATH.ts with an index function

Never overwrites a file. NAME and every part of PATH must look like a URL segment:
letters, digits, - and _, not starting with _ or -.`,
  init: `Usage: hotpub init DIR

Makes a new project in DIR: package.json (depends on hotpub, with dev and start
scripts), tsconfig.json, .gitignore and apps/ with one app from the basic template.`,
};

/** The general usage text, or the help of one command. Undefined for an unknown topic. */
export function helpText(topic?: string): string | undefined {
  if (topic !== undefined) return TOPICS[topic];
  return `Usage: hotpub <command> [flags]

Commands:
  serve [flags]              serve the apps (see hotpub serve --help)
  dev [flags]                serve --watch --dev
  routes [--apps DIR]        print every URL -> file#function
  openapi [--apps DIR] [--out FILE]
                             write the OpenAPI 3.1 document of every function
  new app NAME [--template T] [--apps DIR]
                             scaffold an app from a template (basic, api)
  new module APP/PATH [--apps DIR]
                             scaffold one module
  init DIR                   make a new project that depends on hotpub

  --help, -h                 this text (hotpub <command> --help for one command)
  --version, -v              print the version`;
}
