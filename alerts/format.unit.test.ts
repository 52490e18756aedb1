import { describe, expect, it } from 'vitest';
import { alertHeadline, escapeHtml, renderAlertHtml, renderAlertText } from './format.js';
import type { AlertMessage } from './types.js';

const alert: AlertMessage = {
  dedupKey: 'rollback:REQUESTED:2025-11-14:1.2.0',
  source: 'rollback',
  level: 'REQUESTED',
  severity: 'warning',
  title: 'Rollback of 1.2.0 to 1.1.0\nawaits approval',
  summary: 'F1 fell "sharply" & <b>stayed</b> down',
  body: 'window  f1\n7d      0.40',
  links: [
    { label: 'Approve', url: 'https://vcp.example.com/rollback/1.2.0?a=1&b=2' },
    { label: 'Bad link', url: 'javascript:alert(1)' },
  ],
  createdAt: '2025-11-14T13:05:00.000Z',
  date: '2025-11-14',
};

describe('alert renderings', () => {
  it('keeps the headline on one line, so it is safe as an email subject', () => {
    expect(alertHeadline(alert)).toBe('[WARNING] Rollback of 1.2.0 to 1.1.0 awaits approval');
  });

  it('writes the text rendering with every field, a dash for a missing model version, links and the dedup key', () => {
    expect(renderAlertText(alert)).toBe(
      [
        '[WARNING] Rollback of 1.2.0 to 1.1.0 awaits approval',
        '',
        'F1 fell "sharply" & <b>stayed</b> down',
        '',
        'Source: rollback',
        'Level: REQUESTED',
        'Date: 2025-11-14',
        'Model version: -',
        '',
        'window  f1',
        '7d      0.40',
        '',
        'Links:',
        '- Approve: https://vcp.example.com/rollback/1.2.0?a=1&b=2',
        '- Bad link: javascript:alert(1)',
        '',
        'Dedup key: rollback:REQUESTED:2025-11-14:1.2.0',
        'Raised at: 2025-11-14T13:05:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('escapes every value in the HTML and makes only http(s) links clickable', () => {
    const html = renderAlertHtml(alert);
    expect(html).toContain('<p>F1 fell &quot;sharply&quot; &amp; &lt;b&gt;stayed&lt;/b&gt; down</p>');
    expect(html).toContain('<a href="https://vcp.example.com/rollback/1.2.0?a=1&amp;b=2">Approve</a>');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<li>Bad link: <code>javascript:alert(1)</code></li>');
    expect(html).toContain('<pre>window  f1\n7d      0.40</pre>');
    expect(escapeHtml(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });
});
