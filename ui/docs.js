// /-/docs: Swagger UI (served by hotpub from swagger-ui-dist) over /-/openapi.json,
// fetched with the admin token when one is needed. The token is never sent with the
// "try it out" requests: those go to the apps.
import { api, askToken, forgetToken, hasToken, TokenRequired } from '/-/ui/control.js';

async function load() {
  for (;;) {
    try {
      const res = await api('/-/openapi.json');
      return await res.json();
    } catch (err) {
      if (!(err instanceof TokenRequired)) throw err;
      const wrong = hasToken();
      forgetToken();
      await askToken(
        wrong ? 'That token was refused. Try again:' : 'These docs need the admin token.',
      );
    }
  }
}

load().then(
  (spec) => {
    globalThis.SwaggerUIBundle({
      spec,
      dom_id: '#swagger',
      deepLinking: true,
      // No validator badge: it would send the document to another host.
      validatorUrl: null,
    });
  },
  (err) => {
    const notice = document.getElementById('notice');
    notice.textContent = `Could not load the API description: ${err.message}`;
    notice.hidden = false;
  },
);
