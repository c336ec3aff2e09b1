// /__APP__/items/<function>: a small JSON API over an in-memory store.
// fn.schema validates args (query strings are coerced: ?id=1 is the number 1);
// fn.methods restricts the HTTP methods (others answer 405).
import { HttpError, keep } from 'hotpub';

interface Item {
  id: number;
  title: string;
  done: boolean;
}

// keep() creates the store once: editing this file reloads the code, not the data.
const store = keep('items', () => ({ nextId: 1, items: new Map<number, Item>() }));

function notFound(id: number): HttpError {
  return new HttpError(404, `no item ${id}`);
}

export function list(args: { done?: boolean }) {
  const all = [...store.items.values()];
  return args.done === undefined ? all : all.filter((item) => item.done === args.done);
}
list.schema = {
  type: 'object',
  properties: { done: { type: 'boolean' } },
};

export function get(args: { id: number }) {
  const item = store.items.get(args.id);
  if (!item) throw notFound(args.id);
  return item;
}
get.schema = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
};

export function create(args: { title: string }) {
  const item: Item = { id: store.nextId++, title: args.title, done: false };
  store.items.set(item.id, item);
  return item;
}
create.methods = ['POST'];
create.schema = {
  type: 'object',
  properties: { title: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['title'],
};

export function done(args: { id: number }) {
  const item = get(args);
  item.done = true;
  return item;
}
done.methods = ['POST'];
done.schema = get.schema;
