/**
 * Static validation of the deployment artefacts. No Docker engine runs on the machines these tests run on, so
 * the stack is never started here; instead every property that would otherwise fail only at `docker compose up`
 * (or, worse, at 18:30 on the first trading day) is checked from the files: images, ports, volumes, variables,
 * bind mounts, the environment each process reads, dependencies, the Dockerfile's stages and what the image
 * must contain, and that the Compose copies of the Prometheus and Alertmanager configs match the originals.
 * It needs no service, but lives with the integration tests because the unit project covers domain/ and the
 * library folders only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const yamlFile = (file: string): unknown => parse(read(file), { merge: true });

interface HealthCheck {
  readonly test?: string | readonly string[];
  readonly disable?: boolean;
}
interface Dependency {
  readonly condition?: string;
  readonly required?: boolean;
}
interface LongVolume {
  readonly type: string;
  readonly source?: string;
  readonly target: string;
}
interface Service {
  readonly image?: string;
  readonly build?: string | { readonly context: string; readonly dockerfile?: string; readonly target?: string };
  readonly command?: string | readonly string[];
  readonly ports?: readonly string[];
  readonly volumes?: readonly (string | LongVolume)[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>>;
  readonly depends_on?: Readonly<Record<string, Dependency>> | readonly string[];
  readonly healthcheck?: HealthCheck;
  readonly profiles?: readonly string[];
  readonly secrets?: readonly (string | { readonly source: string; readonly target?: string })[];
  readonly restart?: string;
}
interface Compose {
  readonly services: Readonly<Record<string, Service>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
  readonly secrets?: Readonly<Record<string, { readonly environment?: string; readonly file?: string }>>;
}

const compose = yamlFile('docker-compose.yml') as Compose;
const services = Object.entries(compose.services);

/** `${VAR}`, `${VAR:-default}`, `${VAR:?message}` ...; `$${...}` is Compose's escape for a literal `$`. */
const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

/** Every string value in the parsed file, so comments (which may mention `${VAR}` as prose) are not counted. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function referencedVariables(value: unknown): Set<string> {
  const names = new Set<string>();
  for (const s of strings(value)) for (const m of s.replaceAll('$$', '').matchAll(INTERPOLATION)) names.add(m[1]!);
  return names;
}

/** The value Compose would use with an empty .env: each reference replaced by its default (or nothing). */
function withDefaults(value: string): string {
  return value.replace(INTERPOLATION, (_all, _name: string, op: string | undefined, arg: string | undefined) =>
    op === ':-' || op === '-' ? (arg ?? '') : '',
  );
}

function envExample(): Map<string, string> {
  const entries = new Map<string, string>();
  read('.env.example')
    .split('\n')
    .forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(trimmed);
      if (!match) throw new Error(`.env.example line ${index + 1} is neither a comment nor NAME=value: ${line}`);
      entries.set(match[1]!, match[2]!);
    });
  return entries;
}

// --- Dockerfile ------------------------------------------------------------------------------------------

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}
interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: Instruction[];
}

function dockerfileStages(text: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i]!;
    while (logical.trimEnd().endsWith('\\') && i + 1 < lines.length) {
      logical = `${logical.trimEnd().slice(0, -1)} ${lines[++i]!.trim()}`;
    }
    const trimmed = logical.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(trimmed) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest, line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const [, base = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({ name: name ?? String(stages.length), base, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = dockerfileStages(read('Dockerfile'));
const runtimeStage = dockerfile.stages.at(-1)!;
const resolveBase = (base: string) =>
  base.replace(/\$\{?(\w+)\}?/g, (_m, name: string) => dockerfile.args.get(name) ?? '');

function envOfStage(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    for (const pair of args.split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      if (name) env.set(name, value.join('='));
    }
  }
  return env;
}

// --- What the code reads: import closure and environment variables ------------------------------------

/** Runtime imports only: `import type` / `export type` are erased by the compiler. */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /import\(\s*['"]([^'"]+)['"]\s*\)/g;
const ENV_READ = [
  /\benv(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g,
  /\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
];

interface Closure {
  /** Repository-relative .ts files. */
  readonly files: Set<string>;
  /** Bare package names imported at run time, with the file that imports each. */
  readonly packages: Map<string, string>;
}

function resolveRelative(from: string, specifier: string): string {
  const base = path.join(path.dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) return candidate;
  }
  throw new Error(`${from} imports ${specifier}, which resolves to no file`);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function importClosure(entries: readonly string[]): Closure {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const specifiers = [
      ...[...source.matchAll(STATIC_IMPORT)].filter((m) => m[1] === undefined).map((m) => m[2]!),
      ...[...source.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) pending.push(resolveRelative(file, specifier));
      else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.set(packageName(specifier), file);
      }
    }
  }
  return { files, packages };
}

function envReads(files: Iterable<string>): Map<string, string> {
  const reads = new Map<string, string>();
  for (const file of files) {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const pattern of ENV_READ) {
      for (const m of source.matchAll(pattern)) {
        const name = m[1] ?? m[2];
        if (name && !reads.has(name)) reads.set(name, file);
      }
    }
  }
  return reads;
}

/** `node dist/workers/worker.js` -> `workers/worker.ts`. */
function entryOf(service: Service): string | undefined {
  const command = typeof service.command === 'string' ? service.command.split(/\s+/) : service.command;
  const script = command?.find((part) => part.startsWith('dist/'));
  return script?.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

const appServices = services.filter(([, s]) => s.build !== undefined);

describe('docker-compose.yml', () => {
  it('gives every service an image or a build, and pins every image to a version tag', () => {
    for (const [name, service] of services) {
      expect(service.image ?? service.build, `service ${name} has neither image nor build`).toBeDefined();
      if (service.image === undefined) continue;
      const image = withDefaults(service.image);
      const tag = /:([^/:@]+)$/.exec(image)?.[1];
      expect(tag, `service ${name}: image ${service.image} has no tag`).toBeDefined();
      expect(tag, `service ${name}: image ${service.image} is not pinned`).not.toBe('latest');
      expect(tag, `service ${name}: image ${service.image} tag names no version`).toMatch(/\d/);
    }
  });

  it('publishes no host port twice, and nothing from the scalable worker', () => {
    const seen = new Map<string, string>();
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) {
        const parts = withDefaults(port).split(':');
        expect(parts.length, `service ${name}: port ${port} must publish a fixed host port`).toBeGreaterThanOrEqual(2);
        const [hostPort = '', protocol = 'tcp'] = parts.at(-2)!.split('/');
        const key = `${hostPort}/${(parts.at(-1)!.split('/')[1] ?? protocol).toLowerCase()}`;
        expect(seen.get(key), `host port ${key} is published by ${seen.get(key)} and ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
    expect(compose.services.worker?.ports ?? []).toEqual([]);
  });

  it('declares every named volume it mounts, and mounts every volume it declares', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const used = new Set<string>();
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source =
          typeof volume === 'string' ? volume.split(':')[0]! : volume.type === 'volume' ? volume.source : undefined;
        if (source === undefined || /^[./~$]/.test(source)) continue;
        expect(declared.has(source), `service ${name} mounts volume ${source}, not declared under volumes:`).toBe(true);
        used.add(source);
      }
    }
    expect([...declared].filter((v) => !used.has(v))).toEqual([]);
  });

  it('finds every bind-mounted file and directory in the repository', () => {
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source =
          typeof volume === 'string' ? volume.split(':')[0]! : volume.type === 'bind' ? volume.source : undefined;
        if (source === undefined || !/^[./$]/.test(source)) continue;
        const resolved = withDefaults(source);
        expect(
          fs.existsSync(path.join(ROOT, resolved)),
          `service ${name} binds ${resolved}, which does not exist`,
        ).toBe(true);
      }
    }
  });

  it('lists every ${VAR} it references in .env.example, and nothing else', () => {
    const example = envExample();
    const referenced = referencedVariables(compose);
    expect([...referenced].filter((v) => !example.has(v)).sort()).toEqual([]);
    // COMPOSE_PROFILES is read by Compose itself.
    expect([...example.keys()].filter((v) => !referenced.has(v) && v !== 'COMPOSE_PROFILES').sort()).toEqual([]);
  });

  it('holds no secret literally: credentials are ${VAR} references and .env.example has placeholders only', () => {
    const secretName = /PASSWORD|PWD|TOKEN|SECRET|API_KEY|ROUTING_KEY|WEBHOOK_URL/;
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secretName.test(key)) continue;
        expect(String(value), `service ${name}: ${key} must come from .env`).toMatch(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/);
        expect(withDefaults(String(value)), `service ${name}: ${key} has a default value`).toBe('');
      }
    }
    for (const [key, value] of envExample()) {
      if (secretName.test(key)) expect(value, `.env.example ${key}`).toMatch(/^(|change-me[\w-]*)$/);
    }
    const ignored = read('.gitignore').split('\n');
    expect(ignored).toContain('.env');
  });

  it('points depends_on at existing services, with a healthcheck wherever it waits for service_healthy', () => {
    for (const [name, service] of services) {
      const deps = service.depends_on ?? {};
      const entries: [string, Dependency][] = Array.isArray(deps)
        ? (deps as readonly string[]).map((d): [string, Dependency] => [d, {}])
        : Object.entries(deps as Record<string, Dependency>);
      for (const [target, dep] of entries) {
        const other = compose.services[target];
        expect(other, `service ${name} depends on ${target}, which does not exist`).toBeDefined();
        if (dep.condition !== 'service_healthy') continue;
        const check = other?.healthcheck;
        expect(
          check?.test !== undefined && check.disable !== true,
          `${name} waits for ${target} to be healthy, which has no healthcheck`,
        ).toBe(true);
        // A dependency that is only in an optional profile must be optional, or the stack cannot start without it.
        if (
          other?.profiles &&
          other.profiles.length > 0 &&
          !(service.profiles ?? []).some((p) => other.profiles?.includes(p))
        ) {
          expect(dep.required, `${name} needs ${target}, which runs only in profile ${other.profiles.join(',')}`).toBe(
            false,
          );
        }
      }
    }
  });

  it('runs Postgres with a pg_isready healthcheck on a named volume, and Temporal on that Postgres', () => {
    const postgres = compose.services.postgres!;
    expect(strings(postgres.healthcheck?.test).join(' ')).toContain('pg_isready');
    expect(postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    const temporal = compose.services.temporal!;
    expect(temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(temporal.environment?.POSTGRES_PWD).toBe(postgres.environment?.POSTGRES_PASSWORD);
    expect(compose.services['temporal-ui']?.ports).toEqual(['127.0.0.1:8233:8080']);
    for (const [name, service] of appServices) {
      expect(service.environment?.TEMPORAL_ADDRESS, name).toBe('${TEMPORAL_ADDRESS:-temporal:7233}');
    }
  });

  it('gives every long-running service a restart policy', () => {
    for (const [name, service] of services) {
      expect(service.restart, `service ${name}`).toMatch(/^(unless-stopped|always|on-failure(:\d+)?)$/);
    }
  });

  it('provides every environment variable the code of each process reads', () => {
    const imageEnv = envOfStage(runtimeStage);
    // The scan works per file, so a variable read by a function the process never calls still shows. Each one
    // left out on purpose is named here with the reason; anything else missing fails.
    const notNeeded: Record<string, [names: string[], reason: string][]> = {
      api: [
        [['BHAVCOPY_SOURCE'], "readConfig parses it, but only the worker's ground-truth activity reads BhavCopy files"],
        [['API_RELOAD_URL'], "the rollback routes reload the API's own model in process instead of over HTTP"],
      ],
      schedule: [
        [
          ['DATABASE_URL', 'BHAVCOPY_SOURCE', 'REPORT_BASE_URL'],
          'it reads only readTemporalConfig from config/index.ts',
        ],
        [
          ['SMTP_HOST', 'SMTP_SECURE', 'SMTP_PORT', 'SMTP_USER', 'SMTP_PASSWORD', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO'],
          'it reads only the escalation policy from alerts/config.ts, never the channels',
        ],
        [['SLACK_WEBHOOK_URL', 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL'], 'the same: no channel is used'],
        [
          ['LOG_STDOUT', 'LOG_MAX_FILE_BYTES', 'LOG_RETENTION_DAYS', 'AUDIT_LOG_RETENTION_DAYS'],
          'a one-shot logging to stdout only (LOG_FILES=false)',
        ],
        [['ELASTICSEARCH_URL', 'ELASTICSEARCH_API_KEY', 'LOG_SHIP_BUFFER_LINES'], 'its few lines are not shipped'],
      ],
    };
    for (const [name, service] of appServices) {
      const entry = entryOf(service);
      expect(entry, `service ${name} runs no dist/ entry point`).toBeDefined();
      const reads = envReads(importClosure([entry!]).files);
      const provided = new Set([
        ...Object.keys(service.environment ?? {}),
        ...imageEnv.keys(),
        ...(notNeeded[name] ?? []).flatMap(([names]) => names),
      ]);
      const missing = [...reads].filter(([v]) => !provided.has(v)).map(([v, file]) => `${v} (read in ${file})`);
      expect(missing, `service ${name} does not pass these variables`).toEqual([]);
    }
  });

  it('passes the monitoring thresholds to whoever starts runs: the schedule upsert', () => {
    // The settings module itself plus the escalation policy it reads through alerts/config.ts.
    const reads = [...envReads(['config/monitoring-settings.ts']).keys(), 'ALERT_POLICY_JSON'];
    const schedule = Object.keys(compose.services.schedule?.environment ?? {});
    expect(reads.filter((v) => !schedule.includes(v))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const names = dockerfile.stages.map((s) => s.name);

  it('has the stages compose builds and copies from, with pinned base images', () => {
    for (const [name, service] of appServices) {
      const target = typeof service.build === 'object' ? service.build.target : undefined;
      expect(names, `service ${name} builds target ${target}`).toContain(target);
    }
    for (const [index, stage] of dockerfile.stages.entries()) {
      const base = resolveBase(stage.base);
      if (!names.slice(0, index).includes(base)) expect(base, `stage ${stage.name}`).toMatch(/:[^:]*\d[^:]*$/);
      for (const { args, line } of stage.instructions) {
        const from = /--from=(\S+)/.exec(args)?.[1];
        if (from) expect(names.slice(0, index), `Dockerfile line ${line} copies from ${from}`).toContain(from);
      }
    }
  });

  it('runs the final stage as a non-root user with production settings and a healthcheck', () => {
    const users = runtimeStage.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    const env = envOfStage(runtimeStage);
    expect(env.get('NODE_ENV')).toBe('production');
    expect(env.get('LOG_DIR')).toBe('/app/logs');
    expect(runtimeStage.instructions.some((i) => i.keyword === 'HEALTHCHECK' && i.args.includes('/healthz'))).toBe(
      true,
    );
  });

  it('ships production dependencies only: node_modules comes from an npm ci --omit=dev stage', () => {
    const copy = runtimeStage.instructions.find((i) => i.keyword === 'COPY' && i.args.includes('node_modules'));
    const from = /--from=(\S+)/.exec(copy?.args ?? '')?.[1];
    const stage = dockerfile.stages.find((s) => s.name === from);
    expect(stage?.instructions.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
  });

  it('compiles every entry point compose runs, and copies every folder their imports reach', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { files: string[] };
    for (const file of build.files) expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
    const copied = new Set(
      dockerfile.stages
        .find((s) => s.name === 'build')!
        .instructions.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from'))
        .map((i) => i.args.split(/\s+/)[0]!.replace(/\/$/, '')),
    );
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'));
    for (const [name, service] of appServices) {
      const entry = entryOf(service)!;
      expect(build.files, `service ${name} runs ${entry}, which tsconfig.build.json does not compile`).toContain(entry);
      for (const file of importClosure([entry]).files) {
        const top = file.split('/')[0]!;
        expect(
          copied.has(top),
          `${file} (imported by ${entry}) is in ${top}/, which the build stage does not COPY`,
        ).toBe(true);
        expect(ignored, `${top}/ is needed by ${entry} but excluded by .dockerignore`).not.toContain(top);
      }
    }
  });

  it('imports no devDependency at run time from the worker, its workflows, the API or the schedule script', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const entries = [...appServices.map(([, s]) => entryOf(s)!), 'workflows/index.ts'];
    const { packages } = importClosure(entries);
    const notShipped = [...packages].filter(([name]) => !(name in pkg.dependencies)).map(([n, f]) => `${n} (${f})`);
    expect(notShipped).toEqual([]);
  });
});

describe('Prometheus and Alertmanager configs used by compose', () => {
  interface ScrapeConfig {
    job_name: string;
    metrics_path?: string;
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; port: number }[];
  }
  interface PrometheusConfig {
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  }
  const main = yamlFile('prometheus/prometheus.yml') as PrometheusConfig;
  const forCompose = yamlFile('deploy/prometheus.compose.yml') as PrometheusConfig;

  it('scrapes the same jobs on the same paths, with the same rule files, as prometheus/prometheus.yml', () => {
    const shape = (c: PrometheusConfig) => c.scrape_configs.map((s) => [s.job_name, s.metrics_path ?? '/metrics']);
    expect(shape(forCompose)).toEqual(shape(main));
    expect(forCompose.rule_files).toEqual(main.rule_files);
  });

  it('targets compose service names on the ports those services listen on', () => {
    const hosts = forCompose.scrape_configs.flatMap((s) => [
      ...(s.static_configs ?? []).flatMap((c) => c.targets),
      ...(s.dns_sd_configs ?? []).flatMap((c) => c.names.map((n) => `${n}:${c.port}`)),
    ]);
    hosts.push(...forCompose.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets)));
    for (const host of hosts) {
      const [service = '', port = ''] = host.split(':');
      expect(compose.services[service], `target ${host} is not a compose service`).toBeDefined();
      if (service === 'api') expect(String(compose.services.api?.environment?.API_PORT)).toBe(port);
    }
    expect(hosts).toEqual(expect.arrayContaining(['api:8080', 'worker:9464', 'alertmanager:9093']));
    const prometheus = compose.services.prometheus!;
    const mounted = (prometheus.volumes ?? []).filter((v): v is LongVolume => typeof v === 'object');
    expect(mounted.map((v) => [v.source, v.target])).toEqual(
      expect.arrayContaining([
        ['./deploy/prometheus.compose.yml', '/etc/prometheus/prometheus.yml'],
        ['./prometheus/rules', '/etc/prometheus/rules'],
      ]),
    );
  });

  it('is accepted by promtool with the repository rules where the container finds them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-compose-prom-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'deploy/prometheus.compose.yml'), path.join(dir, 'prometheus.yml'));
      fs.symlinkSync(path.join(ROOT, 'prometheus/rules'), path.join(dir, 'rules'));
      const out = execFileSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('differs from alertmanager/alertmanager.yml only in the intake URL, which names the api service', () => {
    const original = yamlFile('alertmanager/alertmanager.yml');
    const copy = yamlFile('deploy/alertmanager.compose.yml');
    const urls = strings(copy).filter((s) => s.startsWith('http'));
    expect(urls).toEqual(['http://api:8080/api/v1/alerts/alertmanager']);
    const swapped = JSON.parse(
      JSON.stringify(copy).replaceAll('http://api:8080/', 'http://127.0.0.1:8080/'),
    ) as unknown;
    expect(swapped).toEqual(original);
  });

  it('mounts the webhook token where Alertmanager reads it, from the variable the API checks', () => {
    const credentials = strings(yamlFile('deploy/alertmanager.compose.yml')).filter((s) => s.startsWith('/etc/'));
    const alertmanager = compose.services.alertmanager!;
    const secret = alertmanager.secrets?.find((s) => typeof s === 'object');
    expect(typeof secret === 'object' ? secret.target : undefined).toBe(credentials[0]);
    const source = typeof secret === 'object' ? compose.secrets?.[secret.source] : undefined;
    expect(source?.environment).toBe('ALERTMANAGER_WEBHOOK_TOKEN');
    expect(compose.services.api?.environment?.ALERTMANAGER_WEBHOOK_TOKEN).toMatch(/^\$\{ALERTMANAGER_WEBHOOK_TOKEN:\?/);
  });
});
