using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// The status as one self-contained HTML page: inline CSS only (no script, no external font, image or style sheet,
    /// so it opens from a mail attachment or a file share, offline), the counts at the top, a bar per state, the -FailOn
    /// rules, and a table grouped by state, worst first. Narrow screens get one card per name instead of the table's
    /// columns (CSS only). Every value from a source or from RunCloud is HTML-encoded: a site or domain name holding
    /// markup is shown as text, never run. Pure: the caller writes the file.
    /// </summary>
    internal static class NetworkStatusHtml
    {
        private const string Css = @"
:root{--ok:#1f7a3f;--warn:#a15c00;--bad:#b3261e;--muted:#5f6368;--line:#dadce0;--bg:#f8f9fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#202124;background:#fff}
main{max-width:1240px;margin:0 auto;padding:20px}
h1{font-size:1.5em;margin:0 0 4px}
h2{font-size:1.15em;margin:28px 0 10px}
.meta{color:var(--muted);margin:0;overflow-wrap:anywhere}
.verdict{display:inline-block;margin-top:10px;padding:4px 10px;border-radius:4px;font-weight:600;color:#fff}
.verdict.pass{background:var(--ok)}.verdict.fail{background:var(--bad)}
.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin-top:18px}
.count{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;padding:8px 12px;background:var(--bg)}
.count .n{display:block;font-size:1.8em;font-weight:700;line-height:1.1}
.count .l{color:var(--muted);font-size:.9em}
.bars{display:grid;gap:6px}
.bar{display:grid;grid-template-columns:170px 1fr 110px;gap:10px;align-items:center}
.track{background:#eceff1;border-radius:4px;height:16px;overflow:hidden}
.fill{display:block;height:100%;background:var(--muted)}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.s-NotOnRunCloud,.s-DnsNotReady,.s-Uncovered,.s-NotServed,.s-Expired{border-left-color:var(--bad)}
.fill.s-NotOnRunCloud,.fill.s-DnsNotReady,.fill.s-Uncovered,.fill.s-NotServed,.fill.s-Expired{background:var(--bad)}
.s-Expiring,.s-NotMapped{border-left-color:var(--warn)}.fill.s-Expiring,.fill.s-NotMapped{background:var(--warn)}
.s-Healthy{border-left-color:var(--ok)}.fill.s-Healthy{background:var(--ok)}
ul.rules{padding-left:20px}ul.rules li.fail{color:var(--bad)}ul.rules li.pass{color:var(--ok)}
table{width:100%;border-collapse:collapse;font-size:.92em}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
thead th{background:var(--bg);position:sticky;top:0;white-space:nowrap}
thead th .sort{color:var(--muted);font-size:.8em;margin-left:3px}
tr.group th{background:#eef1f5;font-size:1em;padding-top:12px;border-left:6px solid var(--muted)}
.table{overflow-x:auto}
td.name{font-weight:600;min-width:15em;overflow-wrap:anywhere}
td.site{overflow-wrap:anywhere;min-width:8em}
td.site small{display:block;color:var(--muted)}
td.problem{min-width:21em}
td.num{white-space:nowrap}
.tag{display:inline-block;padding:0 6px;border-radius:3px;background:#eceff1;white-space:nowrap}
.tag.bad{background:#fce8e6;color:var(--bad)}.tag.good{background:#e6f4ea;color:var(--ok)}.tag.warn{background:#fef7e0;color:var(--warn)}
footer{color:var(--muted);font-size:.85em;margin-top:24px}
@media (max-width:720px){
main{padding:12px}
.bars{gap:4px}.bar{grid-template-columns:1fr auto;gap:2px 8px}.bar .track{grid-column:1/3;grid-row:2;height:10px}
table,thead,tbody,tr,th,td{display:block;width:100%}
thead{display:none}
tr.group th{border-bottom:0;margin-top:14px}
tr.row{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:4px 0}
tr.row td{border:0;padding:3px 10px;display:grid;grid-template-columns:92px 1fr;gap:8px}
tr.row td::before{content:attr(data-label);color:var(--muted);font-weight:600}
td.problem,td.name,td.site{min-width:0}
td.site small{display:inline;margin-left:6px}
}";

        private static readonly string[] s_columns = { "Name", "State", "Site (stage)", "DNS", "Certificate", "Live", "Days", "Next sync", "Problem" };

        public static string Render(RunCloudNetworkStatusSummary summary, DateTime generatedUtc)
        {
            var html = new StringBuilder(4096 + summary.Names.Length * 600);
            string title = "RunCloud network status" + (summary.Targets.Length == 1 ? ": " + summary.Targets[0] : string.Empty);
            html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .Append("<meta name=\"generator\" content=\"RunCloud.PowerShell Get-RunCloudNetworkStatus\">\n")
                .Append("<title>").Append(E(title)).Append("</title>\n<style>").Append(Css).Append("\n</style>\n</head>\n<body>\n<main>\n");

            // Header: what was looked at, when, and the verdict.
            html.Append("<header>\n<h1>").Append(E(title)).Append("</h1>\n");
            if (summary.Targets.Length > 1) html.Append("<p class=\"meta\">").Append(E(string.Join("; ", summary.Targets))).Append("</p>\n");
            if (summary.Sources.Length > 0) html.Append("<p class=\"meta\">Source: ").Append(E(string.Join("; ", summary.Sources))).Append("</p>\n");
            html.Append("<p class=\"meta\">Checked ").Append(E(summary.CheckedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)))
                .Append(" &middot; <span id=\"total\" data-total=\"").Append(summary.Total.ToString(CultureInfo.InvariantCulture)).Append("\">")
                .Append(summary.Total.ToString(CultureInfo.InvariantCulture)).Append(" name(s)</span>")
                .Append(summary.Live ? $" &middot; live TLS probe of {summary.Probed.ToString(CultureInfo.InvariantCulture)} name(s)" : " &middot; no live probe")
                .Append(" &middot; ").Append(summary.ApiCalls.ToString(CultureInfo.InvariantCulture)).Append(" GET request(s) to RunCloud</p>\n");
            if (summary.Rules.Length > 0)
            {
                html.Append(summary.Success ? "<p class=\"verdict pass\" id=\"verdict\">All -FailOn rules pass</p>\n"
                    : $"<p class=\"verdict fail\" id=\"verdict\">{summary.FailedRules.Length.ToString(CultureInfo.InvariantCulture)} -FailOn rule(s) failed</p>\n");
            }

            html.Append("</header>\n");

            // The counts at the top: one card per state that has names (every state when all are zero).
            html.Append("<section class=\"counts\" aria-label=\"Names per state\">\n");
            foreach (RunCloudNetworkStateCount c in summary.States)
            {
                if (c.Count == 0 && !(c.State == NetworkState.Healthy)) continue;
                html.Append("<div class=\"count s-").Append(E(c.State)).Append("\" data-state=\"").Append(E(c.State)).Append("\" data-count=\"")
                    .Append(c.Count.ToString(CultureInfo.InvariantCulture)).Append("\"><span class=\"n\">").Append(c.Count.ToString(CultureInfo.InvariantCulture))
                    .Append("</span><span class=\"l\">").Append(E(NetworkState.Describe(c.State))).Append("</span></div>\n");
            }

            html.Append("</section>\n");

            // A bar per state.
            html.Append("<h2>By state</h2>\n<section class=\"bars\" aria-label=\"Share of names per state\">\n");
            foreach (RunCloudNetworkStateCount c in summary.States)
            {
                string percent = c.Percent.ToString("0.#", CultureInfo.InvariantCulture);
                html.Append("<div class=\"bar\" data-state=\"").Append(E(c.State)).Append("\"><span class=\"label\">").Append(E(c.State)).Append("</span>")
                    .Append("<span class=\"track\"><span class=\"fill s-").Append(E(c.State)).Append("\" style=\"width:").Append(percent).Append("%\"></span></span>")
                    .Append("<span class=\"num\">").Append(c.Count.ToString(CultureInfo.InvariantCulture)).Append(" (").Append(percent).Append("%)</span></div>\n");
            }

            html.Append("</section>\n");

            if (summary.Rules.Length > 0)
            {
                html.Append("<h2>-FailOn rules</h2>\n<ul class=\"rules\">\n");
                foreach (RunCloudHealthRuleResult r in summary.Rules)
                {
                    html.Append("<li class=\"").Append(r.Failed ? "fail" : "pass").Append("\" data-rule=\"").Append(E(r.Rule)).Append("\" data-count=\"")
                        .Append(r.Count.ToString(CultureInfo.InvariantCulture)).Append("\">").Append(E(r.Message)).Append("</li>\n");
                }

                html.Append("</ul>\n");
            }

            if (summary.SyncBlocked.Length > 0 || summary.InvalidEntries.Length > 0)
            {
                html.Append("<h2>The next sync</h2>\n<ul class=\"rules\">\n");
                foreach (string b in summary.SyncBlocked) html.Append("<li class=\"fail\">").Append(E(b)).Append("</li>\n");
                foreach (string i in summary.InvalidEntries) html.Append("<li class=\"fail\">Not a domain name: ").Append(E(i)).Append("</li>\n");
                html.Append("</ul>\n");
            }

            // The table, grouped by state (worst first), names in order within a group.
            html.Append("<h2>Names</h2>\n<div class=\"table\">\n<table class=\"names\">\n<thead><tr>");
            foreach (string column in s_columns)
            {
                html.Append("<th scope=\"col\">").Append(E(column)).Append(column == "Name" ? "<span class=\"sort\" aria-hidden=\"true\">&#9650;</span>" : "<span class=\"sort\" aria-hidden=\"true\">&#8693;</span>").Append("</th>");
            }

            html.Append("</tr></thead>\n");
            bool manyTargets = summary.Targets.Length > 1;
            foreach (var group in summary.Names.GroupBy(s => s.State).OrderBy(g => NetworkState.Rank(g.Key)))
            {
                html.Append("<tbody class=\"group-").Append(E(group.Key)).Append("\" data-state=\"").Append(E(group.Key)).Append("\">\n<tr class=\"group\"><th class=\"s-")
                    .Append(E(group.Key)).Append("\" colspan=\"").Append(s_columns.Length.ToString(CultureInfo.InvariantCulture)).Append("\">")
                    .Append(E(NetworkState.Describe(group.Key))).Append(" (").Append(group.Count().ToString(CultureInfo.InvariantCulture)).Append(")</th></tr>\n");
                foreach (RunCloudNetworkStatus s in group.OrderBy(s => s.Target ?? 0).ThenBy(s => s.Name, StringComparer.Ordinal))
                {
                    html.Append("<tr class=\"row\" data-name=\"").Append(E(s.Name)).Append("\">");
                    Cell(html, "Name", s.Name + (manyTargets && s.Target.HasValue ? $" (target {s.Target.Value.ToString(CultureInfo.InvariantCulture)})" : string.Empty), "name");
                    Cell(html, "State", s.State, null, Tone(s.State));
                    string stage = (s.Stage ?? string.Empty) + (s.Active == false ? " (inactive)" : string.Empty);
                    html.Append("<td data-label=\"Site (stage)\" class=\"site\">").Append(E(s.Site));
                    if (stage.Length > 0) html.Append("<small>").Append(E(stage)).Append("</small>");
                    html.Append("</td>");
                    Cell(html, "DNS", s.Dns, null, s.Dns == null ? null : s.Dns == "OK" ? "good" : s.Dns == HealthRule.DnsNotChecked ? null : "bad", s.DnsDetail);
                    Cell(html, "Certificate", s.Certificate, null, s.Certificate == null ? null : s.Certificate == CertificateState.Covered ? "good" : "bad", s.CertificateDetail);
                    Cell(html, "Live", s.Live, null, s.Live == null ? null : s.Live == CertificateState.Covered ? "good" : "bad", s.LiveDetail);
                    Cell(html, "Days", s.DaysRemaining?.ToString(CultureInfo.InvariantCulture), "num");
                    Cell(html, "Next sync", s.NextSync, null, null, s.NextSyncReason);
                    Cell(html, "Problem", s.Problem, "problem");
                    html.Append("</tr>\n");
                }

                html.Append("</tbody>\n");
            }

            html.Append("</table>\n</div>\n<footer>Written by Get-RunCloudNetworkStatus (RunCloud.PowerShell) on ")
                .Append(E(generatedUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)))
                .Append(". Read-only: GET requests, DNS queries and TLS handshakes.</footer>\n</main>\n</body>\n</html>\n");
            return html.ToString();
        }

        private static void Cell(StringBuilder html, string label, string? value, string? cssClass, string? tone = null, string? title = null)
        {
            html.Append("<td data-label=\"").Append(E(label)).Append('"');
            if (cssClass != null) html.Append(" class=\"").Append(cssClass).Append('"');
            if (!string.IsNullOrEmpty(title)) html.Append(" title=\"").Append(E(title)).Append('"');
            html.Append('>');
            if (!string.IsNullOrEmpty(value))
            {
                if (tone != null) html.Append("<span class=\"tag ").Append(tone).Append("\">").Append(E(value)).Append("</span>");
                else html.Append(E(value));
            }

            html.Append("</td>");
        }

        private static string? Tone(string state) =>
            state == NetworkState.Healthy ? "good" : state == NetworkState.Expiring || state == NetworkState.NotMapped ? "warn" : NetworkState.IsFine(state) ? null : "bad";

        /// <summary>HTML-encoded text, also safe inside a double-quoted attribute.</summary>
        internal static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);
    }
}
