/**
 * Turns on the webhook server in a project's `src/main.ts` by editing its syntax tree (ts-morph):
 * the Manager's `webhook` options, the self-managed certificates (`WebhookCertManager`, unless
 * cert-manager provides them) and, through {@link registerController}, the kind's
 * `register<Kind>Webhooks(mgr)` / `register<Kind>Conversion(mgr)` calls. Idempotent; refuses a file
 * it does not understand rather than guessing.
 * @module
 */
import type { Node as MorphNode } from 'ts-morph';
import { ScaffoldError } from './errors.js';
import { registerController } from './main-edit.js';
import type { WebhookProjectNames } from './webhook-spec.js';

/** What main.ts must register and name for one run of `opkit create webhook`. */
export interface WebhookMainEdit {
  readonly project: WebhookProjectNames;
  /** `register<Kind>Webhooks` / `register<Kind>Conversion` with their import paths from `src/`. */
  readonly registrations: ReadonlyArray<{ readonly functionName: string; readonly importPath: string }>;
  /** Whether the project now has defaulting / validating webhooks (their configuration gets the caBundle). */
  readonly mutating: boolean;
  readonly validating: boolean;
  /** A CRD whose conversion webhook gets the caBundle. */
  readonly crd?: string | undefined;
}

/** The certificate folder the Deployment mounts (config/default/manager_webhook_patch.yaml). */
export const WEBHOOK_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
const CERTS_MODULE = '@opkit/runtime/webhook/certs';

function notUnderstood(file: string, what: string): ScaffoldError {
  return new ScaffoldError({
    reason: 'MainNotUnderstood',
    message: `${file}: ${what}; expected the layout create-operator writes (a top-level \`const mgr = new Manager({ ... })\` with an object literal, and \`await mgr.start(...)\`). Nothing was written; see docs/webhooks.md to wire the webhooks by hand`,
  });
}

/**
 * Returns `text` with the webhooks on.
 *
 * Guarantees: returns `text` unchanged (the same string) when everything is already there; the
 * names the certificate manager patches are string literals (what `opkit generate rbac` reads).
 * @throws ScaffoldError `MainNotUnderstood` naming `file`.
 */
export async function enableWebhooks(text: string, edit: WebhookMainEdit, file = 'src/main.ts'): Promise<string> {
  const { IndentationText, Project, Node, QuoteKind, SyntaxKind } = await import('ts-morph');
  const quoteKind = /^import .* from "/m.test(text) ? QuoteKind.Double : QuoteKind.Single;
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true, manipulationSettings: { quoteKind, indentationText: IndentationText.TwoSpaces } });
  const source = project.createSourceFile('main.ts', text);
  const q = (s: string): string => (quoteKind === QuoteKind.Double ? JSON.stringify(s) : `'${s}'`);

  // 1. The Manager's options: webhook { port, certDir }.
  const runtimeImport = source.getImportDeclaration((d) => d.getModuleSpecifierValue() === '@opkit/runtime');
  const managerLocal = runtimeImport?.getNamedImports().find((n) => n.getName() === 'Manager');
  if (managerLocal === undefined) throw notUnderstood(file, 'it does not import Manager from @opkit/runtime');
  const managerName = managerLocal.getAliasNode()?.getText() ?? 'Manager';
  const creation = source
    .getVariableStatements()
    .flatMap((s) => s.getDeclarations())
    .find((d) => {
      const init = d.getInitializer();
      return init !== undefined && Node.isNewExpression(init) && init.getExpression().getText() === managerName;
    });
  const init = creation?.getInitializer();
  if (creation === undefined || init === undefined || !Node.isNewExpression(init)) throw notUnderstood(file, `no top-level \`const <name> = new ${managerName}(...)\``);
  const mgr = creation.getName();
  const options = init.getArguments()[0];
  if (options === undefined || !Node.isObjectLiteralExpression(options)) throw notUnderstood(file, `the options of new ${managerName}(...) are not an object literal`);
  if (options.getProperty('webhook') === undefined) {
    options.addPropertyAssignment({
      name: 'webhook',
      initializer: `{ port: 9443, certDir: process.env[${q('WEBHOOK_CERT_DIR')}] ?? ${q(WEBHOOK_CERT_DIR)} }`,
    });
  }

  // 2. The self-managed certificates, before the manager starts (its webhook server needs the files).
  const certsNew = source.getDescendantsOfKind(SyntaxKind.NewExpression).find((n) => n.getExpression().getText() === 'WebhookCertManager');
  const wantMutating = edit.mutating ? [edit.project.mutatingConfiguration] : [];
  const wantValidating = edit.validating ? [edit.project.validatingConfiguration] : [];
  const wantCrds = edit.crd === undefined ? [] : [edit.crd];
  if (certsNew === undefined) {
    if (!source.getStatements().some((s) => s.getText().includes(`${mgr}.start(`))) throw notUnderstood(file, `no \`${mgr}.start(...)\``);
    if (source.getImportDeclaration((d) => d.getModuleSpecifierValue() === CERTS_MODULE) === undefined) {
      source.insertImportDeclaration(source.getImportDeclarations().length, { moduleSpecifier: CERTS_MODULE, namedImports: ['WebhookCertManager'] });
    }
    const list = (names: readonly string[]): string => `[${names.map(q).join(', ')}]`;
    // A failed first sync (no RBAC for the Secret, no API server) is one line, as the template's
    // other start failures are, when main.ts has the template's `report`; otherwise it propagates.
    const reports = source.getFunction('report') !== undefined;
    const sync = reports
      ? ['  await webhookCerts.sync().catch((err: unknown) => {', '    report(err);', '    return process.exit();', '  });']
      : ['  await webhookCerts.sync();'];
    // child index, not statement index: ts-morph counts standalone comments as statements when inserting
    const anchor = source.getStatements().find((s) => s.getText().includes(`${mgr}.start(`));
    if (anchor === undefined) throw notUnderstood(file, `no \`${mgr}.start(...)\``);
    let at = anchor.getChildIndex();
    // before the comment lines that introduce the start
    for (let prev = anchor.getPreviousSibling(); prev !== undefined && Node.isCommentStatement(prev); prev = prev.getPreviousSibling()) at -= 1;
    source.insertStatements(at, [
      '',
      '// The webhook server\'s certificates: the operator keeps its own (a CA and a serving certificate in a',
      '// Secret, renewed before they expire, caBundle patched into the configurations), unless cert-manager',
      '// provides them (kubectl apply -k config/certmanager sets WEBHOOK_CERTS=cert-manager).',
      `if (process.env[${q('WEBHOOK_CERTS')}] !== ${q('cert-manager')}) {`,
      '  const webhookCerts = new WebhookCertManager({',
      `    client: ${mgr}.apiReader,`,
      `    namespace: process.env[${q('POD_NAMESPACE')}] ?? ${q('default')},`,
      `    secretName: ${q(edit.project.secretName)},`,
      `    serviceName: ${q(edit.project.serviceName)},`,
      `    certDir: process.env[${q('WEBHOOK_CERT_DIR')}] ?? ${q(WEBHOOK_CERT_DIR)},`,
      `    webhookConfigurations: { mutating: ${list(wantMutating)}, validating: ${list(wantValidating)} },`,
      `    crds: ${list(wantCrds)},`,
      `    logger: ${mgr}.logger,`,
      '  });',
      ...sync,
      `  ${mgr}.add(webhookCerts);`,
      '}',
    ].join('\n'));
  } else {
    const certOptions = certsNew.getArguments()[0];
    if (certOptions === undefined || !Node.isObjectLiteralExpression(certOptions)) throw notUnderstood(file, 'the options of new WebhookCertManager(...) are not an object literal');
    const ensure = (array: MorphNode | undefined, names: readonly string[], what: string): void => {
      if (names.length === 0) return;
      if (array === undefined || !Node.isArrayLiteralExpression(array)) throw notUnderstood(file, `${what} of new WebhookCertManager(...) is not an array literal`);
      const present = new Set(array.getElements().map((e) => (Node.isStringLiteral(e) ? e.getLiteralValue() : e.getText())));
      for (const name of names) if (!present.has(name)) array.addElement(q(name));
    };
    const configs = certOptions.getProperty('webhookConfigurations');
    const configsInit = configs !== undefined && Node.isPropertyAssignment(configs) ? configs.getInitializer() : undefined;
    if ((wantMutating.length > 0 || wantValidating.length > 0) && (configsInit === undefined || !Node.isObjectLiteralExpression(configsInit))) {
      throw notUnderstood(file, 'webhookConfigurations of new WebhookCertManager(...) is not an object literal');
    }
    if (configsInit !== undefined && Node.isObjectLiteralExpression(configsInit)) {
      for (const [key, names] of [['mutating', wantMutating], ['validating', wantValidating]] as const) {
        if (names.length === 0) continue;
        if (configsInit.getProperty(key) === undefined) configsInit.addPropertyAssignment({ name: key, initializer: '[]' });
        const p = configsInit.getProperty(key);
        ensure(p !== undefined && Node.isPropertyAssignment(p) ? p.getInitializer() : undefined, names, `webhookConfigurations.${key}`);
      }
    }
    if (wantCrds.length > 0) {
      if (certOptions.getProperty('crds') === undefined) certOptions.addPropertyAssignment({ name: 'crds', initializer: '[]' });
      const p = certOptions.getProperty('crds');
      ensure(p !== undefined && Node.isPropertyAssignment(p) ? p.getInitializer() : undefined, wantCrds, 'crds');
    }
  }

  let result = source.getFullText();
  for (const registration of edit.registrations) result = await registerController(result, registration, file);
  return result === text ? text : result;
}
