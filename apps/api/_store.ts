// The todo store, private to the app (the leading _ keeps it off the URL space). It lives
// in `storage`: SQLite under .data/ by default, Redis with HOTPUB_STORAGE_URL=redis://...
// So every --workers process and every instance behind a load balancer sees the same
// todos, and they survive a restart (keep() would give each process its own copy).
// One key per todo, todos:<tenant>:<id>: two workers creating at once never overwrite
// each other, and ids are random, so no counter has to be shared.
import { randomInt } from 'node:crypto';
import { storage } from 'hotpub';

export interface Todo {
  id: number;
  title: string;
  done: boolean;
  created: string;
}

/** A tenant as one key segment (a mount param may hold ':' or '/'). */
function tenantKey(tenant: string): string {
  return `todos:${encodeURIComponent(tenant)}`;
}

/** The tenant's todos, oldest first. An unknown tenant has none, and nothing is stored. */
export async function listTodos(tenant: string): Promise<Todo[]> {
  const keys = await storage.getKeys(tenantKey(tenant));
  const items = await storage.getItems(keys);
  return items
    .map((item) => item.value as Todo | null)
    .filter((todo): todo is Todo => todo !== null)
    .sort((a, b) => a.created.localeCompare(b.created) || a.id - b.id);
}

export async function readTodo(tenant: string, id: number): Promise<Todo | null> {
  return storage.getItem<Todo>(`${tenantKey(tenant)}:${id}`);
}

export async function saveTodo(tenant: string, todo: Todo): Promise<void> {
  await storage.setItem(`${tenantKey(tenant)}:${todo.id}`, todo);
}

/** Deletes a todo; false if there was none. */
export async function deleteTodo(tenant: string, id: number): Promise<boolean> {
  const key = `${tenantKey(tenant)}:${id}`;
  if (!(await storage.hasItem(key))) return false;
  await storage.removeItem(key);
  return true;
}

/** A new id: random up to 2^48, so two processes need no shared counter. */
export async function newId(tenant: string): Promise<number> {
  for (;;) {
    const id = randomInt(1, 2 ** 48);
    if (!(await storage.hasItem(`${tenantKey(tenant)}:${id}`))) return id;
  }
}

/** How many tenants have at least one todo. */
export async function tenantCount(): Promise<number> {
  const tenants = new Set((await storage.getKeys('todos')).map((key) => key.split(':')[1]));
  return tenants.size;
}
