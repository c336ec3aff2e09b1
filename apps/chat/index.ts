// GET /chat: the page. Its script talks to room.ts over a WebSocket and reads online.ts
// as server-sent events.
export function index() {
  return PAGE;
}
index.type = 'text/html';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hotpub chat</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
  #log { list-style: none; padding: 0; min-height: 12rem; border: 1px solid #ccc; }
  #log li { padding: .2rem .5rem; } #log .note { color: #777; font-style: italic; }
  form { display: flex; gap: .5rem; } input { flex: 1; }
</style>
</head>
<body>
<h1>Chat <small id="online"></small></h1>
<ul id="log"></ul>
<form id="say"><input id="text" autocomplete="off" placeholder="Say something"><button>Send</button></form>
<script>
  const log = document.getElementById('log');
  const add = (text, note) => {
    const li = document.createElement('li');
    li.textContent = text;
    if (note) li.className = 'note';
    log.append(li);
  };
  const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/chat/room');
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === 'welcome') add('You are ' + m.name, true);
    else if (m.type === 'message') add(m.from + ': ' + m.text);
    else if (m.type === 'joined' || m.type === 'left') add(m.name + ' ' + m.type, true);
    else if (m.type === 'error' || m.error) add(m.text ?? m.error.message, true);
  };
  ws.onclose = () => add('disconnected', true);
  document.getElementById('say').onsubmit = (e) => {
    e.preventDefault();
    const input = document.getElementById('text');
    ws.send(JSON.stringify({ text: input.value }));
    input.value = '';
  };
  new EventSource('/chat/online').onmessage = (e) => {
    document.getElementById('online').textContent = JSON.parse(e.data).online + ' online';
  };
</script>
</body>
</html>
`;
