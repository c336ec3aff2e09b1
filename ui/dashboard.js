// The dashboard at /-/: renders the state /-/events streams (every app and module, the
// dependency graph, the change log) and sends the controls (reload now, freeze and
// unfreeze an app). Built with the DOM only: every text from the server is set as text.
import { api, askToken, forgetToken, hasToken, readEvents, TokenRequired } from '/-/ui/control.js';

const $ = (selector, root = document) => root.querySelector(selector);
// Which <details> the user toggled away from their default: a re-render keeps them so.
const toggled = new Set();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'open') node.open = true;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function notice(text) {
  const p = $('#notice');
  p.textContent = text;
  p.hidden = false;
}

function setConnection(state) {
  const c = $('#connection');
  c.dataset.state = state;
  c.textContent = state;
}

function appState(app) {
  if (app.frozen) return 'frozen';
  if (app.reloadPending) return 'reload pending';
  if (app.stale) return 'stale: last good code serves';
  return 'ready';
}

function details(key, summary, body, openByDefault) {
  const open = openByDefault !== toggled.has(key);
  const node = el('details', { open }, el('summary', {}, summary), body);
  node.addEventListener('toggle', () => {
    if (node.open === openByDefault) toggled.delete(key);
    else toggled.add(key);
  });
  return node;
}

function errorBlock(error) {
  const where = error.file ? `${error.file}:${error.line}:${error.column} ` : '';
  return el(
    'div',
    { class: 'error', 'data-field': 'error' },
    el('p', {}, el('code', {}, error.code), ` ${where}`, error.message),
    error.frame ? el('pre', { class: 'frame' }, error.frame) : null,
  );
}

function modulesTable(app) {
  const rows = app.modules.map((m) =>
    el(
      'tr',
      { 'data-module': m.file, class: m.state },
      el('td', { class: 'file' }, m.file, m.lastError ? errorBlock(m.lastError) : null),
      el('td', { 'data-field': 'generation' }, m.generation),
      el('td', { 'data-field': 'evaluations' }, m.evaluations),
      el('td', { 'data-field': 'inflight' }, m.inflight),
      el('td', { 'data-field': 'state' }, m.state),
    ),
  );
  return el(
    'div',
    { class: 'scroll' },
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['module', 'gen', 'evals', 'in-flight', 'state'].map((h) => el('th', {}, h)),
        ),
      ),
      el('tbody', {}, rows),
    ),
  );
}

/** The app's import graph as a tree from the modules nothing else imports. */
function graph(app) {
  const byFile = new Map(app.modules.map((m) => [m.file, m]));
  const imported = new Set(app.modules.flatMap((m) => m.imports));
  const roots = app.modules.filter((m) => !imported.has(m.file)).map((m) => m.file);
  const branch = (file, seen) => {
    const m = byFile.get(file);
    const again = seen.has(file);
    const next = new Set(seen).add(file);
    const kids = again || !m ? [] : m.imports.map((f) => branch(f, next));
    return el(
      'li',
      {},
      el('code', {}, file),
      again ? ' (cycle)' : '',
      kids.length ? el('ul', {}, kids) : null,
    );
  };
  const starts = roots.length > 0 ? roots : app.modules.map((m) => m.file);
  if (starts.length === 0) return el('p', { class: 'muted' }, 'No module loaded yet.');
  return el(
    'ul',
    { class: 'graph' },
    starts.map((f) => branch(f, new Set())),
  );
}

function renderApp(app) {
  const mount =
    app.mount === undefined
      ? el('span', { class: 'muted' }, 'shared modules')
      : app.patterned
        ? el('code', {}, app.mount)
        : el('a', { href: app.mount }, el('code', {}, app.mount));
  const canFreeze = app.mount !== undefined || app.modules.length > 0;
  return el(
    'article',
    {
      class: `app${app.frozen ? ' frozen' : ''}${app.stale ? ' stale' : ''}`,
      'data-app': app.name,
    },
    el(
      'header',
      {},
      el('h2', {}, app.name),
      mount,
      canFreeze
        ? el(
            'button',
            {
              type: 'button',
              'data-action': app.frozen ? 'unfreeze' : 'freeze',
              'data-target': app.name,
            },
            app.frozen ? 'Unfreeze' : 'Freeze reloads',
          )
        : null,
    ),
    el(
      'dl',
      {},
      el(
        'div',
        {},
        el('dt', {}, 'generation'),
        el('dd', { 'data-field': 'generation' }, app.generation),
      ),
      el(
        'div',
        {},
        el('dt', {}, 'in flight'),
        el('dd', { 'data-field': 'inflight' }, app.inflight),
      ),
      el('div', {}, el('dt', {}, 'state'), el('dd', { 'data-field': 'state' }, appState(app))),
      el('div', {}, el('dt', {}, 'modules'), el('dd', {}, app.modules.length)),
    ),
    app.held.length > 0
      ? el(
          'p',
          { class: 'held', 'data-field': 'held' },
          `Held until unfrozen: ${app.held.join(', ')}`,
        )
      : null,
    details(`${app.name}:modules`, 'Modules', modulesTable(app), true),
    details(`${app.name}:graph`, 'Dependency graph', graph(app), false),
  );
}

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour12: false });
}

function renderEntry(e) {
  const what = {
    swap: () => `generation ${e.generation}: ${e.files.join(', ')}`,
    error: () => `failed: ${e.files.join(', ')}`,
    freeze: () => 'reloads frozen',
    unfreeze: () => `unfrozen${e.files.length ? `, applying ${e.files.join(', ')}` : ''}`,
    reload: () => e.note ?? 'reload',
  }[e.kind];
  return el(
    'li',
    { 'data-kind': e.kind, 'data-app': e.app || undefined },
    el('time', { datetime: e.at }, time(e.at)),
    ' ',
    e.app ? el('strong', {}, e.app) : null,
    ' ',
    el('span', { class: 'what' }, what ? what() : e.kind),
    e.ms !== undefined ? el('span', { class: 'ms' }, ` ${e.ms} ms`) : null,
    e.error ? errorBlock(e.error) : null,
  );
}

function render(state) {
  $('#apps').replaceChildren(
    ...(state.apps.length ? state.apps.map(renderApp) : [el('p', {}, 'No apps yet.')]),
  );
  $('#log').replaceChildren(...state.log.slice().reverse().map(renderEntry));
}

async function connect() {
  let delay = 500;
  for (;;) {
    try {
      setConnection('connecting');
      await readEvents('/-/events', (type, data) => {
        if (type !== 'state') return;
        setConnection('live');
        delay = 500;
        render(JSON.parse(data));
      });
      setConnection('reconnecting');
    } catch (err) {
      if (err instanceof TokenRequired) {
        const wrong = hasToken();
        forgetToken();
        setConnection('locked');
        await askToken(
          wrong ? 'That token was refused. Try again:' : 'This dashboard needs the admin token.',
        );
        continue;
      }
      setConnection('offline');
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}

async function act(button) {
  const action = button.dataset.action;
  const target = button.dataset.target;
  button.disabled = true;
  try {
    const path =
      action === 'reload' ? '/-/reload' : `/-/apps/${encodeURIComponent(target)}/${action}`;
    const result = await (await api(path, { method: 'POST' })).json();
    if (action === 'reload') {
      notice(
        `Reloaded ${result.reloaded.length} module(s); ${result.errors.length} failed; ${result.held.length} held by frozen apps.`,
      );
    } else {
      notice(`${target}: ${result.frozen ? 'reloads frozen' : 'unfrozen'}`);
    }
  } catch (err) {
    notice(
      err instanceof TokenRequired ? 'The admin token was refused.' : `Failed: ${err.message}`,
    );
  } finally {
    button.disabled = false;
  }
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (button) act(button);
});

connect();
