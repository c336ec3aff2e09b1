// GET /__APP__ describes the API. Functions returning objects answer JSON.

export function index() {
  return {
    app: '__APP__',
    endpoints: {
      'GET /__APP__/items/list?done=true': 'list items, optionally by state',
      'GET /__APP__/items/get?id=1': 'one item',
      'POST /__APP__/items/create {"title":"..."}': 'add an item',
      'POST /__APP__/items/done {"id":1}': 'mark an item done',
    },
  };
}
