// hotpub as a router inside an Express 5 app: app.use('/x', publisher({ apps })).
import express from 'express';
import { publisher } from '../../dist/index.js';

const port = Number(process.env.PORT);
const app = express();
app.use('/x', publisher({ apps: process.env.APPS }));
app.listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
