/**
 * The API report of `@opkit/runtime`: one api-extractor report per entry point in its package.json
 * `exports` (`.`, `./testing`, `./client`, …), committed under runtime/api/, so that a change to
 * the public surface shows in review.
 *
 * `tsx scripts/api-report.ts check` (in `npm test`): fails when a report differs from the built
 * declarations (build first). `tsx scripts/api-report.ts update` (`npm run api:update`): rewrites
 * the reports.
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';

const RUNTIME = join(import.meta.dirname, '..', 'runtime');
const REPORTS = join(RUNTIME, 'api');

interface ExportTarget {
  readonly types?: string;
}

/** The entry points of @opkit/runtime: subpath → its .d.ts (from package.json `exports`). */
export function runtimeEntryPoints(): Array<{ subpath: string; types: string; report: string }> {
  const manifest = JSON.parse(readFileSync(join(RUNTIME, 'package.json'), 'utf8')) as { exports: Record<string, ExportTarget | string> };
  return Object.entries(manifest.exports)
    .filter((entry): entry is [string, ExportTarget & { types: string }] => typeof entry[1] === 'object' && typeof entry[1].types === 'string')
    .map(([subpath, target]) => ({
      subpath,
      types: join(RUNTIME, target.types),
      report: subpath === '.' ? 'runtime.api.md' : `runtime.${subpath.slice(2).replaceAll('/', '-')}.api.md`,
    }));
}

function config(types: string, report: string): IConfigFile {
  return {
    projectFolder: RUNTIME,
    mainEntryPointFilePath: types,
    bundledPackages: [],
    compiler: { tsconfigFilePath: join(RUNTIME, 'tsconfig.json') },
    apiReport: { enabled: true, reportFileName: report, reportFolder: REPORTS, reportTempFolder: join(RUNTIME, '..', 'node_modules', '.cache', 'opkit-api-report') },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    newlineKind: 'lf',
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning },
        // Release tags (@public/@beta) are not used: every exported name is public.
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
        // A type exported from another entry point of the package counts as "forgotten" here.
        'ae-forgotten-export': { logLevel: ExtractorLogLevel.None },
        // Members without their own comment show as "(undocumented)" in the report; the exports themselves carry TSDoc.
        'ae-undocumented': { logLevel: ExtractorLogLevel.None },
        // {@link} to a name of another entry point does not resolve within one entry point.
        'ae-unresolved-link': { logLevel: ExtractorLogLevel.None },
      },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
}

/** Runs api-extractor on every entry point; resolves to the problems (empty when clean and up to date). */
export function apiReport(mode: 'check' | 'update'): string[] {
  mkdirSync(REPORTS, { recursive: true });
  const problems: string[] = [];
  for (const entry of runtimeEntryPoints()) {
    if (!existsSync(entry.types)) {
      problems.push(`${entry.types} is missing: run npm run build first`);
      continue;
    }
    const prepared = ExtractorConfig.prepare({ configObject: config(entry.types, entry.report), configObjectFullPath: join(RUNTIME, 'api-extractor.json'), packageJsonFullPath: join(RUNTIME, 'package.json') });
    const messages: string[] = [];
    const result = Extractor.invoke(prepared, {
      localBuild: mode === 'update',
      messageCallback: (message) => {
        const reportable = message.logLevel === ExtractorLogLevel.Warning || message.logLevel === ExtractorLogLevel.Error;
        // console-* messages narrate the run (a report written, a report changed); the outcome says that.
        if (reportable && !message.messageId.startsWith('console-')) messages.push(`${message.messageId}: ${message.text} (${message.sourceFilePath ?? ''}:${String(message.sourceFileLine ?? '')})`);
        message.handled = true;
      },
    });
    if (!result.succeeded || messages.length > 0 || (mode === 'check' && result.apiReportChanged)) {
      const what = result.apiReportChanged && mode === 'check' ? `the public API of @opkit/runtime${entry.subpath === '.' ? '' : entry.subpath.slice(1)} changed: review it and run npm run api:update to accept it (runtime/api/${entry.report})` : `api-extractor on ${entry.subpath}`;
      problems.push([what, ...messages].join('\n  '));
    }
  }
  return problems;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const mode = process.argv[2];
  if (mode !== 'check' && mode !== 'update') {
    process.stderr.write('usage: tsx scripts/api-report.ts check|update\n');
    process.exitCode = 2;
  } else {
    const problems = apiReport(mode);
    for (const problem of problems) process.stderr.write(`[api-report] ${problem}\n`);
    if (problems.length === 0) process.stdout.write(`[api-report] ${runtimeEntryPoints().length} entry points of @opkit/runtime: ${mode === 'check' ? 'reports up to date' : 'reports written'}\n`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  }
}
