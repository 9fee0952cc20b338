/**
 * The default digest template (a TS module so `tsc` ships it in dist/). `{{value}}` is HTML-escaped;
 * `{{{block}}}` inserts a section icms rendered and escaped itself. A custom file (config
 * `notify.template`) may use the same names; `upgrades` is the same to-do list as `todo` (its name before).
 */
export const DEFAULT_DIGEST_TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{subject}}</title>
<style>
  body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; max-width: 960px; margin: 0 auto; padding: 16px; }
  table { border-collapse: collapse; width: 100%; margin: 8px 0 20px; font-size: 13px; }
  th, td { border: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top; }
  td.wrap { overflow-wrap: anywhere; word-break: break-word; } /* Go pseudo-versions and module paths wrap instead of widening the table */
  th { background: #f6f8fa; }
  .sev-CRITICAL { color: #fff; background: #a40e26; } .sev-HIGH { color: #fff; background: #d1242f; }
  .sev-MEDIUM { background: #fff1c2; } .sev-LOW { background: #ddf4ff; }
  .muted { color: #59636e; font-size: 12px; }
  h2 { font-size: 17px; margin-top: 24px; } h3 { font-size: 15px; margin: 16px 0 4px; }
  .sev-UNKNOWN { background: #eaeef2; } .sev-CRITICAL, .sev-HIGH, .sev-MEDIUM, .sev-LOW, .sev-UNKNOWN { padding: 0 4px; border-radius: 3px; }
  ul.notices { font-size: 13px; } ul.todo { list-style: none; padding-left: 0; } ul.todo > li { margin: 4px 0; } ul.todo ul { margin: 4px 0 8px; padding-left: 28px; font-size: 13px; }
  summary { cursor: pointer; }
</style>
</head>
<body>
<p>Hello {{name}},</p>
<p>this is the icms digest of {{date}} for the projects you maintain: {{projects}}.</p>
{{{summary}}}
{{{todo}}}
{{{expired_section}}}
{{{notices}}}
{{{fixed_section}}}
{{{accepted_section}}}
<p class="muted">Sent by icms to {{email}}. Accepted findings are reviewed in the triage register; reply to this message with questions.</p>
</body>
</html>
`;

/** The names a digest template may use. */
export const DIGEST_SCOPE = {
  values: [
    'name', 'email', 'date', 'subject', 'projects', 'new_count', 'open_count', 'critical_count', 'unknown_count', 'fixed_count', 'accepted_count', 'expired_count',
    'package_count', 'notice_count', 'oldest_days', 'dashboard_url',
  ],
  // new_section and open_section stay valid for templates written before the to-do list (they render nothing now)
  blocks: ['summary', 'todo', 'notices', 'new_section', 'open_section', 'fixed_section', 'accepted_section', 'expired_section', 'upgrades'],
} as const;
