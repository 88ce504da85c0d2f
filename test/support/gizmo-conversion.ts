import { fileURLToPath } from 'node:url';
import type { KubeObject, Resource } from '../../runtime/src/api/resource.js';
import { defineConversion, type SpokeConverter } from '../../runtime/src/webhook/conversion/conversion.js';

/**
 * The test kind of conversion: Gizmo in `conv.opkit.dev`, v1 and v2 (the hub). v2 renamed
 * `replicas` to `size`, added `extra` and the tier `platinum`, and dropped v1's `note`; so each
 * side has fields the other has no place for.
 */
export interface GizmoV1 extends KubeObject {
  spec?: { replicas?: number; color?: string; tier?: 'basic' | 'premium'; note?: string };
  status?: { ready?: boolean };
}

/** The hub version. */
export interface GizmoV2 extends KubeObject {
  spec?: { size?: number; color?: string; tier?: 'basic' | 'premium' | 'platinum'; extra?: string };
  status?: { ready?: boolean };
}

const base = { group: 'conv.opkit.dev', kind: 'Gizmo', plural: 'gizmos', namespaced: true, subresources: { status: true } } as const;

/** `gizmos.conv.opkit.dev/v1`. */
export const GizmoV1: Resource<GizmoV1> = { ...base, version: 'v1' };
/** `gizmos.conv.opkit.dev/v2`, the hub. */
export const GizmoV2: Resource<GizmoV2> = { ...base, version: 'v2' };

/** v1 ⇄ v2: renames replicas/size, narrows platinum to premium; `note` and `extra` are dropped (the lossless layer keeps them). */
export const gizmoV1Converter: SpokeConverter<GizmoV1, GizmoV2> = {
  toHub: ({ spec, ...v1 }) => {
    if (spec === undefined) return v1;
    const hub: NonNullable<GizmoV2['spec']> = {};
    if (spec.replicas !== undefined) hub.size = spec.replicas;
    if (spec.color !== undefined) hub.color = spec.color;
    if (spec.tier !== undefined) hub.tier = spec.tier;
    return { ...v1, spec: hub };
  },
  fromHub: ({ spec, ...v2 }) => {
    if (spec === undefined) return v2;
    const spoke: NonNullable<GizmoV1['spec']> = {};
    if (spec.size !== undefined) spoke.replicas = spec.size;
    if (spec.color !== undefined) spoke.color = spec.color;
    if (spec.tier !== undefined) spoke.tier = spec.tier === 'platinum' ? 'premium' : spec.tier;
    return { ...v2, spec: spoke };
  },
};

/** The conversion of Gizmo: hub v2, spoke v1. */
export const gizmoConversion = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, gizmoV1Converter);

/** The Gizmo CRD (v1 storage, v2 served, conversion webhook at /convert). */
export const GIZMO_CRD = fileURLToPath(new URL('../fixtures/conversion/gizmos.yaml', import.meta.url));
