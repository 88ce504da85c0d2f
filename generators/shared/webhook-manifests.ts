/**
 * The webhook manifests of a project (config/webhook/manifests.yaml: one Mutating and one
 * ValidatingWebhookConfiguration holding a webhook per kind and version), and the kustomize edits
 * that wire config/webhook into config/default and the CRDs into the cert-manager overlay.
 * Each edit keeps comments and layout, is idempotent, and names the file it cannot read.
 * @module
 */
import { isMap, isSeq, parseAllDocuments, parseDocument, YAMLSeq, type Document } from 'yaml';
import { ScaffoldError } from './errors.js';
import type { WebhookSpec } from './webhook-spec.js';

/** Base names in config/webhook (kustomize prefixes them with `<stem>-`). */
export const WEBHOOK_BASE_NAMES = {
  mutating: 'mutating-webhook-configuration',
  validating: 'validating-webhook-configuration',
  service: 'webhook-service',
} as const;

const HEADER = `# The webhooks of this project: \`opkit create webhook\` adds one per kind and version.
# failurePolicy Fail: a request the webhook cannot answer is refused, never let through unchecked.
# The operator's own namespace is excluded, so the operator can always run (and fix) itself.
`;

type Kind = 'mutating' | 'validating';

function malformed(file: string, what: string): ScaffoldError {
  return new ScaffoldError({ reason: 'MalformedManifest', message: `${file}: ${what}; fix or remove it, then run opkit create webhook again. Nothing was written` });
}

/** One webhook entry of a configuration, as the API server's admissionregistration.k8s.io/v1 takes it. */
export function webhookEntry(spec: WebhookSpec, kind: Kind): Record<string, unknown> {
  return {
    name: kind === 'mutating' ? spec.mutatingWebhookName : spec.validatingWebhookName,
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name: WEBHOOK_BASE_NAMES.service, namespace: 'system', path: kind === 'mutating' ? spec.mutatePath : spec.validatePath } },
    failurePolicy: 'Fail',
    sideEffects: 'None',
    timeoutSeconds: 10,
    // kustomize does not rewrite label values: the operator's namespace is written as deployed
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [spec.project.namespace] }] },
    rules: [
      {
        apiGroups: [spec.apiGroup],
        apiVersions: [spec.version],
        operations: kind === 'mutating' ? ['CREATE', 'UPDATE'] : ['CREATE', 'UPDATE', 'DELETE'],
        resources: [spec.plural],
        scope: spec.namespaced ? 'Namespaced' : 'Cluster',
      },
    ],
  };
}

/**
 * config/webhook/manifests.yaml with the webhooks of `spec` in it: a configuration is created when
 * missing; an entry of the same name is replaced (so `--force` regenerates it), others are kept.
 * @throws ScaffoldError `MalformedManifest` naming `file` when it is not YAML of webhook configurations.
 */
export function withWebhooks(text: string | undefined, spec: WebhookSpec, file: string): string {
  const docs: Document.Parsed[] = text === undefined ? [] : parseAllDocuments(text).filter((d): d is Document.Parsed => !(d instanceof Array));
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) throw malformed(file, `not valid YAML (${error.message.split('\n')[0] ?? ''})`);
  }
  const wanted: Kind[] = [...(spec.defaulting ? (['mutating'] as const) : []), ...(spec.validation ? (['validating'] as const) : [])];
  const kindName = { mutating: 'MutatingWebhookConfiguration', validating: 'ValidatingWebhookConfiguration' } as const;
  const out = [...docs];
  for (const kind of wanted) {
    let doc = out.find((d) => d.get('kind') === kindName[kind]);
    if (doc === undefined) {
      doc = parseDocument(`apiVersion: admissionregistration.k8s.io/v1\nkind: ${kindName[kind]}\nmetadata:\n  name: ${WEBHOOK_BASE_NAMES[kind]}\nwebhooks: []\n`);
      out.push(doc);
    }
    let webhooks = doc.get('webhooks', true);
    if (webhooks === undefined || webhooks === null) {
      webhooks = new YAMLSeq();
      doc.set('webhooks', webhooks);
    }
    if (!isSeq(webhooks)) throw malformed(file, `webhooks of the ${kindName[kind]} is not a list`);
    const entry = webhookEntry(spec, kind);
    const index = webhooks.items.findIndex((item) => isMap(item) && item.get('name') === entry['name']);
    const node = doc.createNode(entry);
    webhooks.flow = false;
    if (index >= 0) webhooks.items[index] = node;
    else webhooks.items.push(node);
  }
  const body = out.map((d) => d.toString({ directives: false }).replace(/^---\n/, '')).join('---\n');
  return text === undefined ? HEADER + body : body;
}

/** A kustomization.yaml parsed, with its `patches` list (created when absent). */
function kustomizationPatches(text: string, file: string): { doc: ReturnType<typeof parseDocument>; patches: YAMLSeq } {
  const doc = parseDocument(text);
  if (doc.errors[0] !== undefined) throw malformed(file, 'not valid YAML');
  let patches = doc.get('patches', true);
  if (patches === undefined || patches === null) {
    patches = new YAMLSeq();
    doc.set('patches', patches);
  }
  if (!isSeq(patches)) throw malformed(file, 'patches is not a list');
  return { doc, patches };
}

/** Adds `path` to the `patches` list of a kustomization.yaml (once). */
export function addKustomizePatch(text: string, path: string, file: string): string {
  const { doc, patches } = kustomizationPatches(text, file);
  if ((patches.toJSON() as Array<{ path?: unknown }>).some((p) => typeof p === 'object' && p !== null && p.path === path)) return text;
  patches.flow = false;
  patches.add(doc.createNode({ path }));
  return doc.toString();
}

/**
 * The cert-manager overlay's kustomization with the cainjector annotation patched into the CRD
 * `crdName` too (its conversion webhook's caBundle).
 */
export function withCaInjectedCrd(text: string, crdName: string, annotation: string, file: string): string {
  const { doc, patches } = kustomizationPatches(text, file);
  const targets = patches.toJSON() as Array<{ target?: { kind?: string; name?: string } }>;
  if (targets.some((p) => p.target?.kind === 'CustomResourceDefinition' && p.target.name === crdName)) return text;
  patches.flow = false;
  patches.add(
    doc.createNode({
      target: { kind: 'CustomResourceDefinition', name: crdName },
      patch: `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${crdName}\n  annotations:\n    cert-manager.io/inject-ca-from: ${annotation}\n`,
    }),
  );
  return doc.toString();
}

/**
 * A CRD with `spec.conversion` set to the project's conversion webhook (`strategy: Webhook`, the
 * webhook Service's `/convert`; the caBundle is patched in at run time). A CRD that already has a
 * conversion webhook is returned unchanged.
 */
export function withConversionWebhook(text: string, file: string): string {
  const doc = parseDocument(text);
  if (doc.errors[0] !== undefined) throw malformed(file, 'not valid YAML');
  if (doc.getIn(['spec', 'conversion', 'strategy']) === 'Webhook') return text;
  if (!isMap(doc.get('spec', true))) throw malformed(file, 'spec is not a map');
  doc.setIn(
    ['spec', 'conversion'],
    doc.createNode({
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: WEBHOOK_BASE_NAMES.service, namespace: 'system', path: '/convert' } } },
    }),
  );
  return doc.toString();
}
