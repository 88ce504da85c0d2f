/**
 * What `new WebhookCertManager({ … })` (`@opkit/runtime/webhook/certs`) needs, read from its options:
 * - get, update on its Secret and create on Secrets, in its namespace (the operator's own when
 *   `namespace` is not a literal, as in the generated main.ts);
 * - get, update on the named Mutating/ValidatingWebhookConfigurations (cluster-scoped);
 * - get, update on the named CRDs (their conversion webhook's caBundle).
 * Names must be string literals: a rule on every webhook configuration of the cluster is what a
 * least-privilege role must not grant.
 * @module
 */
import { ts } from 'ts-morph';
import { CodegenError } from '../errors.js';
import type { ParsedFile } from './kinds.js';
import type { Permission } from './rules.js';

/** The module that exports `WebhookCertManager`. */
export const CERTS_MODULE = '@opkit/runtime/webhook/certs';

/** Local names of `WebhookCertManager` imported from {@link CERTS_MODULE} in `file`. */
export function certManagerNames(file: ParsedFile): Set<string> {
  const names = new Set<string>();
  for (const [local, imported] of file.imports) if (imported.module === CERTS_MODULE && imported.name === 'WebhookCertManager') names.add(local);
  return names;
}

function property(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) return p.initializer;
  }
  return undefined;
}

function literal(expression: ts.Expression | undefined): string | undefined {
  return expression !== undefined && (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) ? expression.text : undefined;
}

/**
 * The permissions of one `new WebhookCertManager(options)`.
 * @throws CodegenError `UnresolvedScope` naming the file, line and option when the options are not
 *   an object literal, or `secretName` or a configuration or CRD name is not a string literal.
 */
export function certManagerPermissions(node: ts.NewExpression, file: ParsedFile): Permission[] {
  const fail = (at: ts.Node, what: string): never => {
    throw new CodegenError({
      reason: 'UnresolvedScope',
      location: file.location(at),
      message: `cannot read ${what} of new WebhookCertManager(…): write it as a string literal (opkit generate rbac grants rights on exactly the named objects)`,
    });
  };
  const options = node.arguments?.[0];
  if (options === undefined || !ts.isObjectLiteralExpression(options)) return fail(options ?? node, 'the options');
  const source = { what: 'new WebhookCertManager', location: file.location(node) };
  const names = (expression: ts.Expression | undefined, what: string): string[] => {
    if (expression === undefined) return [];
    if (!ts.isArrayLiteralExpression(expression)) return fail(expression, what);
    return expression.elements.map((e) => literal(e) ?? fail(e, what));
  };

  const secretExpr = property(options, 'secretName');
  const secretName = literal(secretExpr) ?? fail(secretExpr ?? options, 'secretName');
  const namespace = literal(property(options, 'namespace'));
  const inNamespace = namespace === undefined ? { operatorNamespace: true } : { namespace };
  const permissions: Permission[] = [
    { group: '', resource: 'secrets', verbs: ['get', 'update'], resourceNames: [secretName], ...inNamespace, source },
    // create cannot be limited by name (the name is not known to authorization before the object exists)
    { group: '', resource: 'secrets', verbs: ['create'], ...inNamespace, source },
  ];
  const configs = property(options, 'webhookConfigurations');
  if (configs !== undefined && !ts.isObjectLiteralExpression(configs)) fail(configs, 'webhookConfigurations');
  const clusterScoped = (resource: string, group: string, list: string[]): void => {
    if (list.length > 0) permissions.push({ group, resource, verbs: ['get', 'update'], resourceNames: list, namespace: '', source });
  };
  if (configs !== undefined && ts.isObjectLiteralExpression(configs)) {
    clusterScoped('mutatingwebhookconfigurations', 'admissionregistration.k8s.io', names(property(configs, 'mutating'), 'webhookConfigurations.mutating'));
    clusterScoped('validatingwebhookconfigurations', 'admissionregistration.k8s.io', names(property(configs, 'validating'), 'webhookConfigurations.validating'));
  }
  clusterScoped('customresourcedefinitions', 'apiextensions.k8s.io', names(property(options, 'crds'), 'crds'));
  return permissions;
}
