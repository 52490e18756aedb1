/**
 * Static checks of the Grafana provisioning and the vcp-monitor dashboard: current panel types only, every panel
 * queries the templated Prometheus datasource, the four sections exist, and the provisioning files agree with
 * the paths and names docker-compose.yml gives them. test/grafana-promql.test.ts runs the queries for real.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Target {
  readonly expr?: string;
  readonly refId: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly targets?: readonly Target[];
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
}
interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly current?: { readonly value: unknown };
  readonly datasource?: { readonly uid: string };
}
interface Dashboard {
  readonly uid: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}

const dashboard = JSON.parse(read('grafana/dashboards/vcp-monitor.json')) as Dashboard;
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const TEMPLATED = { type: 'prometheus', uid: '${datasource}' };

describe('grafana/dashboards/vcp-monitor.json', () => {
  it('uses current panel types only (timeseries, stat, bargauge, ...), never the retired graph or singlestat', () => {
    const current = new Set(['row', 'timeseries', 'stat', 'bargauge', 'gauge', 'table', 'text', 'heatmap']);
    expect(dashboard.panels.filter((p) => !current.has(p.type)).map((p) => `${p.title}: ${p.type}`)).toEqual([]);
  });

  it('gives every panel at least one target with a PromQL expression, a description and a unique id', () => {
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? [])
        expect(target.expr?.trim(), `${panel.title} ${target.refId}`).toBeTruthy();
      expect(panel.description, panel.title).toBeTruthy();
    }
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries the templated datasource variable everywhere, never a hard-wired datasource', () => {
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(TEMPLATED);
      for (const target of panel.targets ?? [])
        expect(target.datasource, `${panel.title} ${target.refId}`).toEqual(TEMPLATED);
    }
    const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.model_version).toMatchObject({ type: 'query', datasource: { uid: '${datasource}' } });
  });

  it('has the API performance, model performance, data drift and system health rows, in that order', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['API performance', 'Model performance', 'Data drift', 'System health']);
  });

  it('shows the latency quantiles from the histogram, 7- and 30-day model quality, and the top 10 daily PSI', () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    for (const q of ['0.5', '0.95', '0.99']) {
      expect(
        exprs.some((e) =>
          e.startsWith(`histogram_quantile(${q}, sum by (le) (rate(api_request_duration_seconds_bucket`),
        ),
      ).toBe(true);
    }
    for (const metric of ['model_f1_score', 'model_precision', 'model_recall']) {
      expect(
        exprs.some((e) => e.startsWith(`${metric}{window=~"7d|30d"`)),
        metric,
      ).toBe(true);
    }
    const drift = panels.find((p) => p.title === 'Top 10 features by daily PSI');
    expect(drift?.type).toBe('bargauge');
    expect(drift?.targets?.[0]?.expr).toMatch(/^topk\(10, feature_psi\{window="daily"/);
    for (const metric of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'disk_read_bytes_total']) {
      expect(
        exprs.some((e) => e.includes(metric)),
        metric,
      ).toBe(true);
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe('grafana/provisioning', () => {
  interface Volume {
    readonly type: string;
    readonly source: string;
    readonly target: string;
  }
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { volumes?: (string | Volume)[] }>;
  };
  const mounts = (compose.services.grafana?.volumes ?? []).filter((v): v is Volume => typeof v === 'object');
  const targetOf = (source: string) => mounts.find((m) => m.source === source)?.target;

  it('provisions the datasource whose uid the dashboard variable defaults to, at the compose Prometheus', () => {
    const { datasources } = parse(read('grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({ type: 'prometheus', uid: variable?.current?.value });
    const host = new URL(datasources[0]!.url).hostname;
    expect(compose.services[host], `datasource URL names ${host}, not a compose service`).toBeDefined();
  });

  it('loads dashboards from the directory compose mounts grafana/dashboards on', () => {
    const { providers } = parse(read('grafana/provisioning/dashboards/vcp-monitor.yml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers[0]?.type).toBe('file');
    expect(providers[0]?.options.path).toBe(targetOf('./grafana/dashboards'));
    expect(targetOf('./grafana/provisioning')).toBe('/etc/grafana/provisioning');
  });
});
