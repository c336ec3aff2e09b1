// /api/:tenant/todos/<function>: a JSON API with one in-memory todo list per tenant.
//   fn.schema  — JSON Schema for args, checked by ajv before the call (400 on failure);
//                query strings are coerced, so ?id=1 arrives as the number 1.
//   fn.methods — allowed HTTP methods; others answer 405 with an Allow header.
import { HttpError, keep } from 'hotpub';
import { readTodos, type Todo, tenantCount, todosOf } from './_store.js';

const tenant = { type: 'string' } as const;
const id = { type: 'integer', minimum: 1 } as const;

// A counter that, like the store, outlives reloads of this file.
const created = keep('created', () => ({ count: 0 }));

export function list(args: { tenant: string; done?: boolean }) {
  const todos = [...readTodos(args.tenant).items.values()];
  return args.done === undefined ? todos : todos.filter((t) => t.done === args.done);
}
list.schema = {
  type: 'object',
  properties: { tenant, done: { type: 'boolean' } },
};

export function get(args: { tenant: string; id: number }): Todo {
  const todo = readTodos(args.tenant).items.get(args.id);
  // An HttpError with a 4xx status answers that status and its message.
  if (!todo) throw new HttpError(404, `no todo ${args.id}`);
  return todo;
}
get.schema = {
  type: 'object',
  properties: { tenant, id },
  required: ['id'],
};

export function create(args: { tenant: string; title: string }): Todo {
  const store = todosOf(args.tenant);
  const todo: Todo = {
    id: store.nextId++,
    title: args.title,
    done: false,
    created: new Date().toISOString(),
  };
  store.items.set(todo.id, todo);
  created.count++;
  return todo;
}
create.methods = ['POST'];
create.schema = {
  type: 'object',
  properties: { tenant, title: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['title'],
};

export function update(args: { tenant: string; id: number; title?: string; done?: boolean }): Todo {
  const todo = get(args);
  if (args.title !== undefined) todo.title = args.title;
  if (args.done !== undefined) todo.done = args.done;
  return todo;
}
update.methods = ['POST', 'PATCH'];
update.schema = {
  type: 'object',
  properties: {
    tenant,
    id,
    title: { type: 'string', minLength: 1, maxLength: 200 },
    done: { type: 'boolean' },
  },
  required: ['id'],
};

export function remove(args: { tenant: string; id: number }) {
  // A tenant's list is made by create only: remove on an unknown tenant is a 404.
  if (!readTodos(args.tenant).items.delete(args.id)) get(args);
  // undefined answers 204 No Content.
}
remove.methods = ['POST', 'DELETE'];
remove.schema = get.schema;

// GET /api/:tenant/todos/stats
export function stats(args: { tenant: string }) {
  return {
    tenant: args.tenant,
    todos: readTodos(args.tenant).items.size,
    tenants: tenantCount(),
    createdSinceStart: created.count,
  };
}
