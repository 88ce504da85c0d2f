import { describe, expect, it } from 'vitest';
import { checkConversionRoundTrip, RoundTripError } from '../../../runtime/src/testing/conversion/index.js';
import { defineConversion } from '../../../runtime/src/webhook/conversion/conversion.js';
import { GIZMO_CRD, gizmoConversion, gizmoV1Converter, GizmoV1, GizmoV2 } from '../../support/gizmo-conversion.js';

const numRuns = 60;

describe('checkConversionRoundTrip', () => {
  it('passes a conversion that round-trips both ways and fits each version\'s schema', async () => {
    await expect(checkConversionRoundTrip(gizmoConversion, { crd: GIZMO_CRD, numRuns })).resolves.toBeUndefined();
  });

  it('fails a converter that leaves a hub-only field in the spoke, which the API server would prune and lose', async () => {
    const leaky = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, {
      toHub: gizmoV1Converter.toHub,
      fromHub: (v2) => {
        const v1 = gizmoV1Converter.fromHub(v2) as GizmoV1;
        return v2.spec?.extra === undefined ? v1 : ({ ...v1, spec: { ...v1.spec, extra: v2.spec.extra } } as GizmoV1);
      },
    });
    const err = await checkConversionRoundTrip(leaky, { crd: GIZMO_CRD, numRuns }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RoundTripError);
    expect((err as Error).message).toMatch(/round trip of Gizmo.conv.opkit.dev v2 → v1 → v2 failed .*seed/);
    expect((err as Error).message).toContain('spec.extra: not in the schema, so the API server prunes it');
  });

  it('fails a converter that writes a value the target version refuses', async () => {
    const wide = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, {
      toHub: gizmoV1Converter.toHub,
      fromHub: (v2) => {
        const v1 = gizmoV1Converter.fromHub(v2) as GizmoV1;
        return v2.spec?.tier === 'platinum' ? ({ ...v1, spec: { ...v1.spec, tier: 'platinum' } } as unknown as GizmoV1) : v1;
      },
    });
    await expect(checkConversionRoundTrip(wide, { crd: GIZMO_CRD, numRuns })).rejects.toThrow(/spec.tier: "platinum" is not one of \["basic","premium"\]/);
  });

  it('fails a converter that throws for some valid object, naming it', async () => {
    const fragile = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, {
      toHub: (v1) => {
        if (v1.spec === undefined) throw new Error('no spec');
        return gizmoV1Converter.toHub(v1);
      },
      fromHub: gizmoV1Converter.fromHub,
    });
    await expect(checkConversionRoundTrip(fragile, { crd: GIZMO_CRD, numRuns })).rejects.toThrow(/v1 → v2 → v1 failed[\s\S]*toHub of v1 threw: no spec/);
  });

  it('needs a schema or an arbitrary for every version', async () => {
    await expect(checkConversionRoundTrip(gizmoConversion)).rejects.toMatchObject({ reason: 'InvalidInput', message: expect.stringContaining('no schema for Gizmo v1: pass { crd }') });
    await expect(checkConversionRoundTrip(gizmoConversion, { crd: '/nonexistent/crd.yaml' })).rejects.toMatchObject({ reason: 'InvalidInput' });
  });
});
