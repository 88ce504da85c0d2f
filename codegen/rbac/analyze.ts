/**
 * What a project's code implies about its permissions, read with ts-morph (syntax only):
 * - `controller(mgr).for(K)`, `.owns(K)`, `.watches(K, map)` → get, list, watch on K (the cache);
 * - `client.status.update|patch|apply(K, …)` → update / patch on `K-plural/status`;
 * - `setControllerReference|setOwnerReference(owner, obj, K)` and `controllerReferenceTo(owner, K)`
 *   with blockOwnerDeletion (the default) → update on `K-plural/finalizers` (what the API server's
 *   OwnerReferencesPermission admission checks);
 * - `addFinalizer|removeFinalizer|finalizer(client, K, …)` → patch on K (a guarded JSON patch);
 * - `new Manager({ namespace: 'x' })` → the cache's scope;
 * - `new WebhookCertManager({ … })` → its Secret, webhook configurations and CRDs (./webhook-certs.ts).
 * @module
 */
import { CodegenError, type SourceLocation } from '../errors.js';
import { ts } from 'ts-morph';
import { KindResolver, type ParsedFile, type ResolvedKind } from './kinds.js';
import type { Permission, RbacVerb } from './rules.js';
import { certManagerNames, certManagerPermissions } from './webhook-certs.js';

/** What the code of a project implies. */
export interface CodeAnalysis {
  readonly permissions: Permission[];
  /** Namespaces of `new Manager({ namespace })`, with where they are set. */
  readonly managerNamespaces: Array<{ namespace: string; location: SourceLocation }>;
  /** Managers whose namespace is not a string literal. */
  readonly unresolvedNamespaces: SourceLocation[];
  /** How many controller builder chains were found. */
  readonly controllers: number;
}

const CACHE_VERBS: readonly RbacVerb[] = ['get', 'list', 'watch'];
const BUILDER_METHODS = new Set(['for', 'owns', 'watches']);
const STATUS_VERBS: Readonly<Record<string, RbacVerb>> = { update: 'update', patch: 'patch', apply: 'patch' };
const FINALIZER_HELPERS = ['addFinalizer', 'removeFinalizer', 'finalizer'];
/** Owner-reference helpers, with the positions of their owner kind and options arguments. */
const OWNER_HELPERS: Readonly<Record<string, { readonly kind: number; readonly options: number }>> = {
  setControllerReference: { kind: 2, options: 3 },
  setOwnerReference: { kind: 2, options: 3 },
  controllerReferenceTo: { kind: 1, options: 2 },
};

/** Thrown when a kind named in the code cannot be resolved to a group and plural. */
export class UnresolvedKindError extends CodegenError {
  constructor(location: SourceLocation, call: string, name: string) {
    super({
      reason: 'UnresolvedKind',
      location,
      message:
        `cannot resolve the kind in ${call} ("${name}") to an API group and plural: import a built-in kind from @opkit/runtime, ` +
        `or a Resource descriptor const with literal group, kind and plural (e.g. the one \`opkit generate types\` writes in src/api/)`,
    });
  }
}

/** Reads `files` (and what they import) and collects the permissions their code implies. */
export function analyzeProject(files: readonly string[], resolver = new KindResolver()): CodeAnalysis {
  const result: CodeAnalysis = { permissions: [], managerNamespaces: [], unresolvedNamespaces: [], controllers: 0 };
  for (const path of files) analyzeFile(resolver.load(path), resolver, result);
  return result;
}

function localNames(file: ParsedFile, exported: string): Set<string> {
  const names = new Set<string>();
  for (const [local] of file.imports) if (file.isRuntimeImport(local, exported)) names.add(local);
  return names;
}

function analyzeFile(file: ParsedFile, resolver: KindResolver, result: { -readonly [K in keyof CodeAnalysis]: CodeAnalysis[K] }): void {
  const controllerFns = localNames(file, 'controller');
  const managers = localNames(file, 'Manager');
  const owners = new Map(Object.entries(OWNER_HELPERS).flatMap(([h, at]) => [...localNames(file, h)].map((local) => [local, at] as const)));
  const finalizers = new Set(FINALIZER_HELPERS.flatMap((h) => [...localNames(file, h)]));
  const certManagers = certManagerNames(file);

  const kindOf = (expression: ts.Expression | undefined, call: ts.CallExpression, what: string): ResolvedKind => {
    const at = file.location(expression ?? call);
    if (expression === undefined) throw new UnresolvedKindError(at, what, '(no argument)');
    const kind = resolver.resolve(expression, file);
    if (kind === undefined) throw new UnresolvedKindError(at, what, expression.getText(file.source));
    return kind;
  };
  const add = (kind: ResolvedKind, resource: string, verbs: readonly RbacVerb[], what: string, node: ts.Node): void => {
    result.permissions.push({ group: kind.group, resource, verbs, source: { what, location: file.location(node) } });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && controllerFns.has(callee.text)) {
        result.controllers += 1;
        walkChain(node);
      } else if (ts.isIdentifier(callee) && owners.has(callee.text)) {
        const at = owners.get(callee.text) as { readonly kind: number; readonly options: number };
        if (!blockOwnerDeletionOff(node.arguments[at.options])) {
          const kind = kindOf(node.arguments[at.kind], node, `${callee.text}(…, ${node.arguments[at.kind]?.getText(file.source) ?? ''})`);
          add(kind, `${kind.plural}/finalizers`, ['update'], `${callee.text} with blockOwnerDeletion`, node);
        }
      } else if (ts.isIdentifier(callee) && finalizers.has(callee.text)) {
        const kind = kindOf(node.arguments[1], node, `${callee.text}(client, ${node.arguments[1]?.getText(file.source) ?? ''}, …)`);
        add(kind, kind.plural, ['patch'], callee.text, node);
      } else if (
        ts.isPropertyAccessExpression(callee) &&
        STATUS_VERBS[callee.name.text] !== undefined &&
        ts.isPropertyAccessExpression(callee.expression) &&
        callee.expression.name.text === 'status' &&
        node.arguments.length >= 2
      ) {
        const verb = STATUS_VERBS[callee.name.text] as RbacVerb;
        const kind = kindOf(node.arguments[0], node, `status.${callee.name.text}(${node.arguments[0]?.getText(file.source) ?? ''}, …)`);
        add(kind, `${kind.plural}/status`, [verb], `status.${callee.name.text}`, node);
      }
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && managers.has(node.expression.text)) {
      managerScope(node);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && certManagers.has(node.expression.text)) {
      result.permissions.push(...certManagerPermissions(node, file));
    }
    ts.forEachChild(node, visit);
  };

  /** `controller(mgr)` → up through `.named(…)`, `.for(K)`, `.owns(K)`, … */
  const walkChain = (root: ts.CallExpression): void => {
    let current: ts.Node = root;
    for (;;) {
      const access = current.parent;
      if (!access || !ts.isPropertyAccessExpression(access) || access.expression !== current) return;
      const call = access.parent;
      if (!call || !ts.isCallExpression(call) || call.expression !== access) return;
      const method = access.name.text;
      if (BUILDER_METHODS.has(method)) {
        const arg = call.arguments[0];
        const kind = kindOf(arg, call, `${method}(${arg?.getText(file.source) ?? ''})`);
        add(kind, kind.plural, CACHE_VERBS, `${method}(${kind.kind})`, call);
      }
      current = call;
    }
  };

  const managerScope = (node: ts.NewExpression): void => {
    const options = node.arguments?.[0];
    if (!options || !ts.isObjectLiteralExpression(options)) {
      if (options) result.unresolvedNamespaces.push(file.location(options));
      return;
    }
    for (const p of options.properties) {
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'namespace') result.unresolvedNamespaces.push(file.location(p));
      if (ts.isSpreadAssignment(p)) result.unresolvedNamespaces.push(file.location(p));
      if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name) || p.name.text !== 'namespace') continue;
      const v = p.initializer;
      if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) result.managerNamespaces.push({ namespace: v.text, location: file.location(p) });
      else if (!(ts.isIdentifier(v) && v.text === 'undefined')) result.unresolvedNamespaces.push(file.location(p));
    }
  };

  visit(file.source);
}

function blockOwnerDeletionOff(options: ts.Expression | undefined): boolean {
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  return options.properties.some(
    (p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'blockOwnerDeletion' && p.initializer.kind === ts.SyntaxKind.FalseKeyword,
  );
}
