// The in-memory store, private to the app (the leading _ keeps it off the URL space).
// keep() makes it once per process: reloading this file or todos.ts keeps the data.
import { keep } from 'hotpub';

export interface Todo {
  id: number;
  title: string;
  done: boolean;
  created: string;
}

interface TenantTodos {
  nextId: number;
  items: Map<number, Todo>;
}

const tenants = keep('tenants', () => new Map<string, TenantTodos>());

/** The todo list of one tenant, created on first use. */
export function todosOf(tenant: string): TenantTodos {
  let todos = tenants.get(tenant);
  if (!todos) {
    todos = { nextId: 1, items: new Map() };
    tenants.set(tenant, todos);
  }
  return todos;
}
