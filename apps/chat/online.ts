// GET /chat/online with Accept: text/event-stream: the number of people in the room,
// as server-sent events, whenever it changes (an EventSource in the page reads it).
import { presence } from './_lib/presence.js';

export async function* index(_args: unknown, ctx: { signal: AbortSignal }) {
  let last = -1;
  while (!ctx.signal.aborted) {
    if (presence.online !== last) {
      last = presence.online;
      yield { online: last };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
