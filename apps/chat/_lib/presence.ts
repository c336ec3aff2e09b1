// Who is in the room: kept across reloads (keep), so editing the chat code while
// `npm run dev` runs neither drops the sockets nor forgets who is connected.
import { keep } from 'hotpub';

export const presence = keep('presence', () => ({ online: 0, guests: 0 }));
