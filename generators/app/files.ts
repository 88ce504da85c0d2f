/**
 * The files of a new project besides its first kind's (generators/api/files.ts): package.json,
 * tsconfig, the manager's main.ts, Dockerfile, README and the kustomize layout. Shared by the `app`
 * yeoman generator and the non-interactive scaffold (generators/scaffold.ts).
 * @module
 */
import type { AppAnswers } from '../shared/answers.js';
import { projectStem } from '../shared/names.js';
import { templatesDir, type OpkitDependencies } from '../shared/paths.js';
import { copyTemplateFile, renderTemplateFile, type ProjectFiles } from '../shared/project-files.js';
import { projectPackageJson } from './package-json.js';

/**
 * Template (under templates/app) → project file; `.ejs` templates are rendered, others copied.
 * config/rbac/role.yaml, role_binding.yaml and leader_election_role.yaml are `opkit generate
 * rbac`'s output: the first kind's step writes them (writeNewProjectRbac).
 */
const APP_TEMPLATES: ReadonlyArray<readonly [string, string]> = [
  ['tsconfig.json', 'tsconfig.json'],
  ['vitest.config.ts', 'vitest.config.ts'],
  ['gitignore', '.gitignore'],
  ['dockerignore', '.dockerignore'],
  ['Dockerfile.ejs', 'Dockerfile'],
  ['README.md.ejs', 'README.md'],
  ['src/main.ts.ejs', 'src/main.ts'],
  ['config/default/kustomization.yaml.ejs', 'config/default/kustomization.yaml'],
  ['config/manager/manager.yaml.ejs', 'config/manager/manager.yaml'],
  ['config/manager/kustomization.yaml.ejs', 'config/manager/kustomization.yaml'],
  ['config/rbac/kustomization.yaml', 'config/rbac/kustomization.yaml'],
  ['config/rbac/service_account.yaml', 'config/rbac/service_account.yaml'],
  ['config/rbac/leader_election_role_binding.yaml', 'config/rbac/leader_election_role_binding.yaml'],
  ['config/crd/kustomization.yaml', 'config/crd/kustomization.yaml'],
  ['config/samples/kustomization.yaml', 'config/samples/kustomization.yaml'],
];

/** Writes the project files of `answers` (not its kind's) into `files`, depending on Opkit by `deps`. */
export function writeAppFiles(files: ProjectFiles, answers: AppAnswers, deps: OpkitDependencies): void {
  const api = answers.api;
  const data = { ...api, projectName: answers.projectName, projectStem: projectStem(answers.projectName), fromCheckout: deps.mode === 'checkout' };
  const pkg = projectPackageJson({
    name: answers.projectName,
    description: `A Kubernetes operator for ${api.kind} (${api.apiGroup})`,
    domain: api.domain,
    deps,
  });
  files.write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  const templates = templatesDir('app');
  for (const [from, to] of APP_TEMPLATES) {
    files.write(to, from.endsWith('.ejs') ? renderTemplateFile(templates, from, data) : copyTemplateFile(templates, from));
  }
}
