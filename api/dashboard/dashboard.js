/* global window, document, fetch, Chart */
// The dashboard page: fetches the JSON endpoints, draws the charts with the locally served Chart.js, and refreshes
// its data (not the page) every 30 seconds. No build step: a plain ES module.

const REFRESH_MS = 30_000;
const COLORS = { p50: '#2b6cb0', p95: '#dd6b20', p99: '#9b2c2c', f1: '#2b6cb0', base: '#718096', bar: '#4a90c2' };
const ANOMALY = '#7b1fa2';

const state = { range: '24h', charts: {}, refreshes: 0, timer: undefined };

// Tests and curious operators read the chart instances from here.
window.vcpDashboard = state;

/** PNG exports get a white background instead of a transparent one. */
const whiteBackground = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children)
    node.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  return node;
}

async function getJson(url, init) {
  const res = await fetch(url, { cache: 'no-store', ...init });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `${url} answered ${res.status}`);
  return body;
}

function timeLabel(iso, stepMs) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  const day = `${d.getMonth() + 1}/${d.getDate()}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (stepMs >= 86_400_000) return day;
  if (stepMs < 60_000) return `${time}:${pad(d.getSeconds())}`;
  return state.range === '24h' ? time : `${day} ${time}`;
}

/** A points-only dataset that marks the anomalous indexes of `values`. */
function anomalyDataset(values, indexes, label = 'anomaly') {
  const marked = new Set(indexes);
  return {
    type: 'line',
    label,
    data: values.map((v, i) => (marked.has(i) ? v : null)),
    showLine: false,
    pointRadius: 6,
    pointHoverRadius: 8,
    pointStyle: 'triangle',
    backgroundColor: ANOMALY,
    borderColor: ANOMALY,
  };
}

const narrow = () => window.innerWidth < 600;

/** Points are drawn only on short series: on a long one they would hide the line, on a single one they are all. */
const pointRadius = (n) => (n <= 48 ? 2 : 0);

function baseOptions(extra = {}) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: 'index', intersect: false },
    plugins: { legend: { labels: { boxWidth: 12, font: { size: 11 } } } },
    scales: { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: narrow() ? 4 : 8, font: { size: 10 } } } },
    ...extra,
  };
}

/** Creates the chart on first use and swaps its data afterwards, so a refresh does not rebuild the canvas. */
function draw(name, config) {
  const existing = state.charts[name];
  if (existing) {
    existing.data = config.data;
    if (config.options) existing.options = config.options;
    existing.update();
    return existing;
  }
  const canvas = document.getElementById(`chart-${name}`);
  const chart = new Chart(canvas, { ...config, plugins: [whiteBackground] });
  state.charts[name] = chart;
  return chart;
}

function drawApi(data) {
  const labels = data.points.map((p) => timeLabel(p.at, data.latencyStepMs));
  const ms = (v) => (v === null ? null : v * 1000);
  const p95 = data.points.map((p) => ms(p.p95));
  const r = pointRadius(data.points.length);
  draw('latency', {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: 'p50', data: data.points.map((p) => ms(p.p50)), borderColor: COLORS.p50, pointRadius: r },
        { label: 'p95', data: p95, borderColor: COLORS.p95, pointRadius: r },
        { label: 'p99', data: data.points.map((p) => ms(p.p99)), borderColor: COLORS.p99, pointRadius: r },
        anomalyDataset(p95, data.anomalies.p95, 'p95 anomaly'),
      ],
    },
    options: baseOptions({
      scales: { ...baseOptions().scales, y: { beginAtZero: true, title: { display: true, text: 'ms' } } },
    }),
  });

  const perDay = data.throughputStepMs >= 86_400_000;
  document.getElementById('title-throughput').textContent = `Throughput (requests per ${perDay ? 'day' : 'hour'})`;
  const marked = new Set(data.anomalies.throughput);
  draw('throughput', {
    type: 'bar',
    data: {
      labels: data.throughput.map((b) => timeLabel(b.at, data.throughputStepMs)),
      datasets: [
        {
          label: 'requests',
          data: data.throughput.map((b) => b.requests),
          backgroundColor: data.throughput.map((_, i) => (marked.has(i) ? ANOMALY : COLORS.bar)),
        },
      ],
    },
    options: baseOptions({ plugins: { legend: { display: false } } }),
  });

  const rate = data.points.map((p) => (p.errorRate === null ? null : p.errorRate * 100));
  draw('errors', {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: 'error rate %', data: rate, borderColor: COLORS.p99, pointRadius: r },
        {
          label: `threshold ${data.errorRateThreshold * 100}%`,
          data: labels.map(() => data.errorRateThreshold * 100),
          borderColor: '#a0aec0',
          borderDash: [6, 4],
          // A one-point line draws nothing, so a lone bin shows the threshold as a dash marker.
          pointRadius: labels.length <= 1 ? 8 : 0,
          pointStyle: 'line',
        },
        anomalyDataset(rate, data.anomalies.errorRate),
      ],
    },
    options: baseOptions({
      scales: {
        ...baseOptions().scales,
        y: { beginAtZero: true, suggestedMax: 10, title: { display: true, text: '%' } },
      },
    }),
  });

  const s = data.sampler;
  const every = s.intervalMs < 1000 ? `${s.intervalMs} ms` : `${Math.round(s.intervalMs / 1000)} s`;
  const since = s.since ? new Date(s.since).toLocaleString() : '-';
  document.getElementById('note-latency').textContent = s.enabled
    ? `${s.samples} samples every ${every} since ${since} (this process only)`
    : 'metrics are off in this process: no API charts';
}

function psiColor(psi) {
  if (psi === null || psi === undefined) return '#d0d4da';
  if (psi < 0.1) return '#2e9d5b';
  if (psi < 0.25) return '#e8a317';
  return '#d64541';
}

function drawQuality(data) {
  const f1 = data.f1;
  draw('f1', {
    type: 'line',
    data: {
      labels: f1.dates,
      datasets: [
        { label: 'F1 (30 d)', data: f1.f1, borderColor: COLORS.f1, pointRadius: pointRadius(f1.f1.length) },
        {
          label: 'baseline (test-set F1)',
          data: f1.baseline,
          borderColor: COLORS.base,
          borderDash: [6, 4],
          pointRadius: 0,
          stepped: true,
        },
        anomalyDataset(f1.f1, f1.anomalies),
      ],
    },
    options: baseOptions({ scales: { ...baseOptions().scales, y: { suggestedMin: 0, suggestedMax: 1 } } }),
  });
  const oneDay = state.range === '24h' ? ' (24h shows that day alone: F1 is evaluated daily)' : '';
  document.getElementById('note-f1').textContent = data.asOf
    ? `evaluated through ${data.asOf}${oneDay}`
    : 'no evaluations yet';

  const psi = data.psi;
  const anomalous = new Set(psi.anomalies);
  const box = document.getElementById('psi-box');
  box.style.height = `${Math.max(160, psi.features.length * 16 + 60)}px`;
  draw('psi', {
    type: 'bar',
    data: {
      labels: psi.features,
      datasets: psi.dates.map((date, d) => {
        const column = psi.features.map((_, f) => psi.values[f]?.[d] ?? null);
        // An anomalous day is marked on the cell that made it: the feature with that day's largest PSI.
        const top = anomalous.has(d) ? column.indexOf(psi.dailyMax[d]) : -1;
        return {
          label: date,
          data: psi.features.map(() => 1),
          psi: column,
          backgroundColor: column.map(psiColor),
          borderColor: column.map((_, f) => (f === top ? ANOMALY : '#ffffff')),
          borderWidth: column.map((_, f) => (f === top ? 2 : 0.5)),
          barPercentage: 1,
          categoryPercentage: 1,
        };
      }),
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => items[0]?.label ?? '',
            label: (item) => {
              const v = item.dataset.psi[item.dataIndex];
              return `${item.dataset.label}: PSI ${v === null ? 'n/a' : v.toFixed(3)}`;
            },
          },
        },
      },
      scales: {
        x: {
          stacked: true,
          min: 0,
          max: Math.max(1, psi.dates.length),
          grid: { display: false },
          ticks: {
            stepSize: 1,
            maxRotation: 0,
            autoSkip: true,
            maxTicksLimit: 8,
            font: { size: 10 },
            callback: (value) => psi.dates[Math.floor(Number(value))]?.slice(5) ?? '',
          },
        },
        y: { stacked: true, grid: { display: false }, ticks: { autoSkip: false, font: { size: 10 } } },
      },
    },
  });
}

function fmt(value, kind) {
  if (value === null || value === undefined) return 'n/a';
  if (kind === 'pct') return `${(value * 100).toFixed(2)}%`;
  if (kind === 'int') return Math.round(value).toLocaleString();
  return value.toFixed(3);
}

/** higherIsBetter decides the colour of the change: F1 up is good, errors up are bad. */
function deltaCard(label, comparison, kind, higherIsBetter) {
  const { current, previous, delta, relativeDelta } = comparison;
  let cls = 'flat';
  let text = previous === null ? 'no previous period' : 'no change';
  if (delta !== null && delta !== 0) {
    cls = delta > 0 === higherIsBetter ? 'good' : 'bad';
    const sign = delta > 0 ? '+' : '';
    const rel = relativeDelta === null ? '' : ` (${sign}${(relativeDelta * 100).toFixed(1)}%)`;
    text = `${sign}${kind === 'pct' ? `${(delta * 100).toFixed(2)} pp` : fmt(delta, kind)}${rel} vs previous`;
  }
  return el(
    'div',
    { class: 'delta' },
    el('div', { class: 'label' }, label),
    el('div', { class: 'value' }, fmt(current, kind)),
    el('div', { class: `change ${cls}` }, text),
  );
}

function drawDeltas(api, quality) {
  document
    .getElementById('deltas')
    .replaceChildren(
      deltaCard('Mean F1 (30 d window)', quality.comparison.f1, 'num', true),
      deltaCard('Requests', api.comparison.requests, 'int', true),
      deltaCard('Error rate', api.comparison.errorRate, 'pct', false),
      deltaCard('Mean daily max PSI', quality.comparison.psiMax, 'num', false),
    );
}

function drawModel(data) {
  const facts = document.getElementById('model-facts');
  const m = data.active;
  if (!m) {
    facts.replaceChildren(el('dt', {}, 'status'), el('dd', {}, 'no active model version'));
    return;
  }
  const rows = [
    ['version', m.version],
    ['type', m.modelType],
    ['trained', m.trainingDate],
    ['stage', m.stage],
    ['test F1', m.testF1.toFixed(3)],
    ['test ROC-AUC', m.testRocAuc.toFixed(3)],
  ];
  facts.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  draw('importances', {
    type: 'bar',
    data: {
      labels: m.topFeatures.map((f) => f.feature),
      datasets: [{ label: 'importance', data: m.topFeatures.map((f) => f.importance), backgroundColor: COLORS.bar }],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { ticks: { autoSkip: false, font: { size: 10 } } } },
    },
  });
}

function alertItem(alert, withButton) {
  const links = el(
    'span',
    { class: 'links' },
    ...alert.links.map((l) => el('a', { href: l.url, target: '_blank', rel: 'noopener' }, l.label)),
  );
  const ack = alert.acknowledgedBy
    ? `acknowledged by ${alert.acknowledgedBy} at ${new Date(alert.acknowledgedAt).toLocaleString()}`
    : alert.status;
  const children = [el('span', {}, el('span', { class: `sev ${alert.severity}` }, alert.severity), alert.title)];
  if (withButton) {
    children.push(
      el(
        'button',
        {
          type: 'button',
          class: 'ack',
          'data-alert-id': alert.id,
          disabled: alert.status === 'open' ? undefined : 'disabled',
          onclick: (event) => void acknowledge(alert.id, event.currentTarget),
        },
        alert.status === 'open' ? 'Acknowledge' : 'Acknowledged',
      ),
    );
  }
  children.push(
    el('span', { class: 'meta' }, `#${alert.id} ${alert.source} ${alert.level} ${alert.date} - ${ack} `, links),
  );
  return el('li', { 'data-alert-id': alert.id, 'data-status': alert.status }, ...children);
}

function drawAlerts(data) {
  const active = document.getElementById('alerts-active');
  active.replaceChildren(
    ...(data.active.length > 0
      ? data.active.map((a) => alertItem(a, true))
      : [el('li', { class: 'empty' }, 'no active alerts')]),
  );
  const recent = document.getElementById('alerts-recent');
  recent.replaceChildren(
    ...(data.recent.length > 0
      ? data.recent.map((a) => alertItem(a, false))
      : [el('li', { class: 'empty' }, 'no alerts yet')]),
  );
  const open = data.active.filter((a) => a.status === 'open').length;
  document.getElementById('alert-count').textContent = `${open} open, ${data.active.length - open} acknowledged`;
  document
    .getElementById('reports')
    .replaceChildren(
      ...data.reports.map((r) =>
        el(
          'li',
          {},
          el('a', { href: r.url, target: '_blank', rel: 'noopener' }, `${r.kind} ${r.date}`),
          ` ${r.severity}`,
        ),
      ),
    );
}

async function acknowledge(id, button) {
  button.disabled = true;
  try {
    await getJson(`/dashboard/api/alerts/${id}/acknowledge`, { method: 'POST', headers: { 'X-VCP-Dashboard': '1' } });
    drawAlerts(await getJson('/dashboard/api/alerts'));
    setStatus(`alert #${id} acknowledged`);
  } catch (err) {
    button.disabled = false;
    setStatus(`acknowledge failed: ${err.message}`, true);
  }
}

function setStatus(text, isError = false) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

async function refresh() {
  const q = `?range=${encodeURIComponent(state.range)}`;
  try {
    const [api, quality, model, alerts] = await Promise.all([
      getJson(`/dashboard/api/api-metrics${q}`),
      getJson(`/dashboard/api/quality${q}`),
      getJson('/dashboard/api/model'),
      getJson('/dashboard/api/alerts'),
    ]);
    drawApi(api);
    drawQuality(quality);
    drawDeltas(api, quality);
    drawModel(model);
    drawAlerts(alerts);
    state.refreshes += 1;
    state.loadedRange = state.range;
    setStatus(`${state.range} - updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    setStatus(`refresh failed: ${err.message}`, true);
  }
}

function exportPng(name) {
  const chart = state.charts[name];
  if (!chart) return;
  const link = el('a', { href: chart.toBase64Image('image/png', 1), download: `vcp-${name}-${state.range}.png` });
  document.body.append(link);
  link.click();
  link.remove();
}

function start() {
  for (const button of document.querySelectorAll('[data-range]')) {
    button.addEventListener('click', () => {
      state.range = button.dataset.range;
      for (const b of document.querySelectorAll('[data-range]')) b.setAttribute('aria-pressed', String(b === button));
      void refresh();
    });
  }
  for (const button of document.querySelectorAll('[data-export]')) {
    button.addEventListener('click', () => exportPng(button.dataset.export));
  }
  void refresh();
  state.timer = window.setInterval(() => void refresh(), REFRESH_MS);
}

// Chart.js is a classic deferred script and this module is deferred too; both run before DOMContentLoaded.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
