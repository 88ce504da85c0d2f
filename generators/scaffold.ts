/**
 * A new project without yeoman: what `create-operator --yes` (or any run without a terminal)
 * does. The same steps as the `app` generator composing the `api` generator — the answers, the
 * plan of the first kind, the files of generators/app/files.ts and generators/api/files.ts — run
 * in order over a {@link ProjectDraft}, committed at the end. Loading yeoman's environment and
 * generator classes takes about a second; asking nothing, this path needs neither.
 * @module
 */
import { relative } from 'node:path';
import { newProjectRequest, planApi, writeApiFiles, writeNewProjectRbac } from './api/files.js';
import { writeAppFiles } from './app/files.js';
import { resolveAppAnswers, type AppAnswers, type GivenValues } from './shared/answers.js';
import type { OpkitDependencies } from './shared/paths.js';
import { ProjectDraft } from './shared/project-files.js';
import { assertTargetUsable } from './shared/target.js';

/** Options of {@link scaffoldProject}. */
export interface ScaffoldOptions {
  /** The values given (flags); the rest are defaults. */
  readonly given: GivenValues;
  /** Relative paths are resolved against it. */
  readonly cwd: string;
  /** Write into a non-empty folder (files of the same name are overwritten). */
  readonly overwrite: boolean;
  /** How the project depends on Opkit. */
  readonly dependencies: OpkitDependencies;
  /** Receives one line per file written (`   create <path>`, yeoman's format). Default: nothing. */
  readonly log?: (line: string) => void;
}

/**
 * Validates the answers and the target, renders every file in memory, then writes them; resolves
 * to the answers.
 *
 * Guarantees: an invalid value, a folder that is not usable, or a failure while rendering leaves
 * the disk as it was (rendering is done before the first write). The files are those the
 * interactive path (the yeoman generators) writes for the same answers.
 * @throws ScaffoldError naming the value or folder and the fix.
 */
export async function scaffoldProject(options: ScaffoldOptions): Promise<AppAnswers> {
  const answers = resolveAppAnswers(options.given, options.cwd);
  assertTargetUsable(answers.directory, options.overwrite);
  const draft = new ProjectDraft(answers.directory);
  const { spec, plan } = planApi(draft, newProjectRequest(answers.api));
  writeAppFiles(draft, answers, options.dependencies);
  await writeApiFiles(draft, spec, plan, { storage: false, newProject: true });
  writeNewProjectRbac(draft, spec);
  for (const { file, status } of draft.commit()) {
    options.log?.(`${status.padStart('identical'.length)} ${relative(options.cwd, `${answers.directory}/${file}`) || file}`);
  }
  return answers;
}
