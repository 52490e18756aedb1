/** Text and HTML renderings of an alert, shared by the email and Slack adapters. Pure. */
import type { AlertLink, AlertMessage, AlertSeverity } from './types.js';

const SEVERITY_LABEL: Record<AlertSeverity, string> = { info: 'INFO', warning: 'WARNING', critical: 'CRITICAL' };

export function severityLabel(severity: AlertSeverity): string {
  return SEVERITY_LABEL[severity];
}

/** One line, no line breaks: safe as an email subject or a notification preview. */
export function alertHeadline(alert: AlertMessage): string {
  return `[${severityLabel(alert.severity)}] ${alert.title}`.replace(/\s+/g, ' ').trim();
}

/** The facts every channel shows next to the summary, in display order; a missing value is shown as a dash. */
export function alertFields(alert: AlertMessage): { readonly label: string; readonly value: string }[] {
  return [
    { label: 'Source', value: alert.source },
    { label: 'Level', value: alert.level },
    { label: 'Date', value: alert.date },
    { label: 'Model version', value: alert.modelVersion ?? '-' },
  ];
}

/** Only http(s) links become clickable; anything else (a report path on the worker's disk) is shown as text. */
export function isWebLink(link: AlertLink): boolean {
  return /^https?:\/\//i.test(link.url);
}

export function renderAlertText(alert: AlertMessage): string {
  const lines = [alertHeadline(alert), '', alert.summary, ''];
  for (const f of alertFields(alert)) lines.push(`${f.label}: ${f.value}`);
  if (alert.body.trim() !== '') lines.push('', alert.body.trimEnd());
  if (alert.links.length > 0) {
    lines.push('', 'Links:');
    for (const link of alert.links) lines.push(`- ${link.label}: ${link.url}`);
  }
  lines.push('', `Dedup key: ${alert.dedupKey}`, `Raised at: ${alert.createdAt}`);
  return `${lines.join('\n')}\n`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const SEVERITY_COLOUR: Record<AlertSeverity, string> = { info: '#1f6feb', warning: '#bf8700', critical: '#cf222e' };

/**
 * A self-contained HTML email body. Every interpolated value is escaped; the body keeps its layout in a <pre>
 * because the drift and performance reports are fixed-width text tables.
 */
export function renderAlertHtml(alert: AlertMessage): string {
  const rows = alertFields(alert)
    .map((f) => `<tr><th align="left">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('');
  const links = alert.links
    .map((link) =>
      isWebLink(link)
        ? `<li><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></li>`
        : `<li>${escapeHtml(link.label)}: <code>${escapeHtml(link.url)}</code></li>`,
    )
    .join('');
  const colour = SEVERITY_COLOUR[alert.severity];
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(alertHeadline(alert)) + '</title></head><body>',
    `<h2 style="color:${colour}">${escapeHtml(alertHeadline(alert))}</h2>`,
    `<p>${escapeHtml(alert.summary)}</p>`,
    `<table>${rows}</table>`,
    alert.body.trim() === '' ? '' : `<pre>${escapeHtml(alert.body.trimEnd())}</pre>`,
    links === '' ? '' : `<ul>${links}</ul>`,
    `<p style="color:#57606a">Dedup key <code>${escapeHtml(alert.dedupKey)}</code>, ` +
      `raised at ${escapeHtml(alert.createdAt)}</p>`,
    '</body></html>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

/** Slack mrkdwn treats &, < and > as control characters; everything else is shown as typed. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to a provider's limit, marking the cut so a reader knows something is missing. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
