/** `hotpub new app`, `hotpub new module` and `hotpub init`: thin wrappers over src/scaffold. */
import { display, initProject, newApp, newModule } from '../scaffold/index.js';
import type { CliIo } from './io.js';

/** `new app NAME [--apps DIR] [--template T]`. */
export async function newAppCommand(
  io: CliIo,
  name: string,
  template: string,
  apps = './apps',
): Promise<void> {
  const result = await newApp({ apps, name, template, cwd: io.cwd });
  io.out(`created app ${name} from template ${template} in ${display(result.dir, io.cwd)}:`);
  for (const file of result.files) io.out(`  ${display(file, io.cwd)}`);
  io.out(
    `next: hotpub dev${apps === './apps' ? '' : ` --apps ${apps}`}, then open http://127.0.0.1:3000/${name}`,
  );
}

/** `new module APP/PATH [--apps DIR]`. */
export async function newModuleCommand(io: CliIo, target: string, apps = './apps'): Promise<void> {
  const result = await newModule({ apps, target, cwd: io.cwd });
  io.out(`created ${display(result.file, io.cwd)}: GET ${result.url} calls its index function`);
}

/** `init DIR`; `HOTPUB_INIT_DEPENDENCY` (an npm spec) replaces the default `file:` dependency. */
export async function initCommand(io: CliIo, dir: string): Promise<void> {
  const spec = io.env.HOTPUB_INIT_DEPENDENCY;
  const result = await initProject({
    dir,
    cwd: io.cwd,
    ...(spec !== undefined && spec !== '' ? { hotpubVersion: spec } : {}),
  });
  const where = display(result.dir, io.cwd);
  io.out(`created a hotpub project in ${where}:`);
  for (const file of result.files) io.out(`  ${display(file, io.cwd)}`);
  io.out(`next: cd ${where} && npm install && npm run dev`);
}
