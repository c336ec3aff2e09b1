// /api/:tenant/todos/<function>: a JSON API with one todo list per tenant, kept in storage.
//   fn.schema  — JSON Schema for args, checked by ajv before the call (400 on failure);
//                query strings are coerced, so ?id=1 arrives as the number 1.
//   fn.methods — allowed HTTP methods; others answer 405 with an Allow header.
import { HttpError, keep } from 'hotpub';
import {
  deleteTodo,
  listTodos,
  newId,
  readTodo,
  saveTodo,
  type Todo,
  tenantCount,
} from './_store.js';

const tenant = { type: 'string' } as const;
const id = { type: 'integer', minimum: 1 } as const;

// Truly per process, so keep() and not storage: how many todos this process created
// since it started. It outlives reloads of this file, not a restart.
const created = keep('created', () => ({ count: 0 }));

export async function list(args: { tenant: string; done?: boolean }) {
  const todos = await listTodos(args.tenant);
  return args.done === undefined ? todos : todos.filter((t) => t.done === args.done);
}
list.schema = {
  type: 'object',
  properties: { tenant, done: { type: 'boolean' } },
};

export async function get(args: { tenant: string; id: number }): Promise<Todo> {
  const todo = await readTodo(args.tenant, args.id);
  if (!todo) throw new HttpError(404, `no todo ${args.id}`);
  return todo;
}
get.schema = {
  type: 'object',
  properties: { tenant, id },
  required: ['id'],
};

export async function create(args: { tenant: string; title: string }): Promise<Todo> {
  const todo: Todo = {
    id: await newId(args.tenant),
    title: args.title,
    done: false,
    created: new Date().toISOString(),
  };
  await saveTodo(args.tenant, todo);
  created.count++;
  return todo;
}
create.methods = ['POST'];
create.schema = {
  type: 'object',
  properties: { tenant, title: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['title'],
};

export async function update(args: {
  tenant: string;
  id: number;
  title?: string;
  done?: boolean;
}): Promise<Todo> {
  const todo = await get(args);
  if (args.title !== undefined) todo.title = args.title;
  if (args.done !== undefined) todo.done = args.done;
  await saveTodo(args.tenant, todo);
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

export async function remove(args: { tenant: string; id: number }) {
  if (!(await deleteTodo(args.tenant, args.id))) throw new HttpError(404, `no todo ${args.id}`);
  // undefined answers 204 No Content.
}
remove.methods = ['POST', 'DELETE'];
remove.schema = get.schema;

// GET /api/:tenant/todos/stats
export async function stats(args: { tenant: string }) {
  return {
    tenant: args.tenant,
    todos: (await listTodos(args.tenant)).length,
    tenants: await tenantCount(),
    createdSinceStart: created.count,
  };
}
