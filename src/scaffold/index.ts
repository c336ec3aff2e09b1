/** Scaffolding: `new app`, `new module` and `init`, from the templates in `templates/`. */
export { type InitOptions, initProject } from './init-project.js';
export { listTemplates, packageVersion, TEMPLATES_DIR } from './names.js';
export { type NewAppOptions, newApp } from './new-app.js';
export { type NewModuleOptions, newModule } from './new-module.js';
export { display } from './write-files.js';
