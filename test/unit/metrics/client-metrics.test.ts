import { describe, expect, it } from 'vitest';
import { OperatorMetrics } from '../../../runtime/src/metrics/metrics.js';
import { transportMetrics } from '../../../runtime/src/metrics/client.js';

const value = (text: string, series: string): string | undefined => text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1);

describe('transportMetrics (rest_client_* and the APF classification of answers)', () => {
  it('counts answers per code and method, failures as <error> without a duration, and APF answers per flow schema and priority level', async () => {
    const m = new OperatorMetrics();
    const t = transportMetrics(m.lazyRegistry);
    const answer = (method: string, status: number, fs?: string, pl?: string) => t.response({ method, status, durationMs: 20, flowSchemaUid: fs, priorityLevelUid: pl });
    answer('PATCH', 200, 'fs-a', 'pl-1');
    answer('PATCH', 200, 'fs-a', 'pl-1');
    answer('PATCH', 409, 'fs-a', 'pl-2');
    answer('GET', 200, 'fs-b', 'pl-1');
    answer('GET', 0);
    answer('PATCH', 200, undefined, 'pl-3');
    const text = await m.scrape();
    expect(value(text, 'rest_client_requests_total{code="200",method="PATCH"}')).toBe('3');
    expect(value(text, 'rest_client_requests_total{code="409",method="PATCH"}')).toBe('1');
    expect(value(text, 'rest_client_requests_total{code="200",method="GET"}')).toBe('1');
    expect(value(text, 'rest_client_requests_total{code="<error>",method="GET"}')).toBe('1');
    expect(value(text, 'rest_client_request_duration_seconds_count{verb="PATCH"}')).toBe('4');
    expect(value(text, 'rest_client_request_duration_seconds_count{verb="GET"}')).toBe('1');
    expect(value(text, 'rest_client_request_duration_seconds_bucket{le="0.025",verb="PATCH"}')).toBe('4');
    expect(value(text, 'opkit_rest_client_apf_requests_total{flow_schema_uid="fs-a",priority_level_uid="pl-1"}')).toBe('2');
    expect(value(text, 'opkit_rest_client_apf_requests_total{flow_schema_uid="fs-a",priority_level_uid="pl-2"}')).toBe('1');
    expect(value(text, 'opkit_rest_client_apf_requests_total{flow_schema_uid="fs-b",priority_level_uid="pl-1"}')).toBe('1');
    expect(value(text, 'opkit_rest_client_apf_requests_total{flow_schema_uid="",priority_level_uid="pl-3"}')).toBe('1');
  });
});
