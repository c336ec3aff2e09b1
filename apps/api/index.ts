// This app is mounted at /api/:tenant (see app.json), so GET /api/acme calls index
// with args.tenant === 'acme'. Mount params always win over query and body.

export function index(args: { tenant: string }) {
  const base = `/api/${encodeURIComponent(args.tenant)}`;
  return {
    tenant: args.tenant,
    endpoints: [
      `GET  ${base}/todos/list?done=false`,
      `GET  ${base}/todos/get?id=1`,
      `POST ${base}/todos/create  {"title": "Write docs"}`,
      `POST ${base}/todos/update  {"id": 1, "done": true}`,
      `POST ${base}/todos/remove  {"id": 1}`,
    ],
  };
}
