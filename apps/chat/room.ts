// ws://HOST/chat/room: one call per message, on the code current when it arrives.
// Save this file while two browser tabs chat: the next message runs the new code and
// nobody is disconnected.
import type { SocketContext } from 'hotpub';
import { presence } from './_lib/presence.js';

interface Said {
  text?: unknown;
}

export function index(message: Said, ctx: SocketContext) {
  const text = String(message?.text ?? '').slice(0, 500);
  if (text.trim() === '') return { type: 'error', text: 'say something' };
  const line = { type: 'message', from: ctx.socket.data.name, text };
  ctx.socket.publish('lobby', line);
  return line; // the sender sees its own line too
}
index.websocket = true;

index.open = (ctx: SocketContext) => {
  presence.online++;
  ctx.socket.data.name = `guest-${++presence.guests}`;
  ctx.socket.subscribe('lobby');
  ctx.socket.publish('lobby', { type: 'joined', name: ctx.socket.data.name });
  return { type: 'welcome', name: ctx.socket.data.name, online: presence.online };
};

index.close = (ctx: SocketContext) => {
  presence.online--;
  ctx.socket.publish('lobby', { type: 'left', name: ctx.socket.data.name });
};
