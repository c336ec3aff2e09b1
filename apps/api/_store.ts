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

const EMPTY: TenantTodos = Object.freeze({ nextId: 1, items: new Map<number, Todo>() });

/**
 * The todo list of one tenant, for reading: an unknown tenant sees an empty list and
 * nothing is stored (anonymous GETs must not grow memory).
 */
export function readTodos(tenant: string): TenantTodos {
  return tenants.get(tenant) ?? EMPTY;
}

/** The todo list of one tenant, for writing: created on the first write. */
export function todosOf(tenant: string): TenantTodos {
  let todos = tenants.get(tenant);
  if (!todos) {
    todos = { nextId: 1, items: new Map() };
    tenants.set(tenant, todos);
  }
  return todos;
}

/** How many tenants have a list (have written at least once). */
export function tenantCount(): number {
  return tenants.size;
}
