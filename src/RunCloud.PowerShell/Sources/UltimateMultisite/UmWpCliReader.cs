using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// Reads a UM network through WP-CLI on the WordPress host, for a task that may not read the database password:
    /// one <c>wp eval-file</c> for the network facts (networks, UM's www setting per network, every site with its flags,
    /// SUBDOMAIN_INSTALL, the mapping tables and their row counts), then <c>wp wu domain list --format=json</c> for the
    /// main table. UM caps that list at 100 rows: when the table holds more than the list returned, or for the extra
    /// wu_N_domain_mappings tables (which the list never shows), the rows are read with one more eval-file instead;
    /// the count is checked either way, so a capped list is never taken for the whole table. --path, --allow-root and any
    /// extra arguments are passed to every call; PHP notices and warnings on stdout around the JSON are tolerated.
    /// </summary>
    internal sealed class UmWpCliReader : IUmMappingReader
    {
        internal const string FactsMarker = "RUNCLOUD-UM-FACTS:";
        internal const string RowsMarker = "RUNCLOUD-UM-ROWS:";
        internal const int ListCap = 100;

        private readonly IWpCliRunner _runner;
        private readonly string? _path;
        private readonly IReadOnlyList<string> _extra;

        public UmWpCliReader(IWpCliRunner runner, string? wordPressPath, IEnumerable<string>? extraArguments)
        {
            _runner = runner;
            _path = wordPressPath;
            _extra = (extraArguments ?? Array.Empty<string>()).Where(a => !string.IsNullOrEmpty(a)).ToArray();
        }

        public RunCloudMappingSource Source => RunCloudMappingSource.WpCli;

        public string Origin => "WP-CLI (" + _runner.Command + (_path != null ? " --path=" + _path : string.Empty) + ")";

        /// <summary>The network facts, printed as one JSON line after a marker.</summary>
        internal const string FactsScript = @"<?php
/* runcloud-um:facts */
global $wpdb;
$out = array(
    'subdomain_install' => is_subdomain_install(),
    'main_network_id' => (int) get_main_network_id(),
    'base_prefix' => $wpdb->base_prefix,
    'networks' => array(),
    'blogs' => array(),
    'tables' => array(),
);
foreach (get_networks(array('number' => 0)) as $n) {
    $s = get_network_option((int) $n->id, 'wp-ultimo_v2_settings', null);
    $www = is_array($s) && isset($s['auto_create_www_subdomain']) ? (string) $s['auto_create_www_subdomain'] : null;
    $out['networks'][] = array('id' => (int) $n->id, 'domain' => $n->domain, 'path' => $n->path, 'has_settings' => is_array($s), 'www' => $www);
}
foreach (get_sites(array('number' => 0)) as $b) {
    $out['blogs'][] = array('blog_id' => (int) $b->blog_id, 'site_id' => (int) $b->site_id, 'domain' => $b->domain, 'path' => $b->path,
        'archived' => (int) $b->archived, 'spam' => (int) $b->spam, 'deleted' => (int) $b->deleted);
}
$like = $wpdb->esc_like($wpdb->base_prefix . 'wu_') . '%' . $wpdb->esc_like('domain_mappings');
foreach ($wpdb->get_col($wpdb->prepare('SHOW TABLES LIKE %s', $like)) as $t) {
    $out['tables'][] = array('name' => $t, 'rows' => (int) $wpdb->get_var('SELECT COUNT(*) FROM `' . esc_sql($t) . '`'));
}
echo ""\n"" . '" + FactsMarker + @"' . wp_json_encode($out) . ""\n"";
";

        /// <summary>Every row of one mapping table (its name is checked against the facts' list before it is put here).</summary>
        internal const string RowsScript = @"<?php
/* runcloud-um:rows @TABLE@ */
global $wpdb;
$rows = $wpdb->get_results('SELECT id, blog_id, domain, active, primary_domain, secure, stage, date_created, date_modified FROM `@TABLE@` ORDER BY id', ARRAY_A);
if (!is_array($rows)) { fwrite(STDERR, 'cannot read @TABLE@: ' . $wpdb->last_error); exit(1); }
echo ""\n"" . '" + RowsMarker + @"' . wp_json_encode($rows) . ""\n"";
";

        public async Task<UmNetworkSnapshot> ReadAsync(CancellationToken cancellationToken)
        {
            JObject facts = ParseMarked(await EvalFileAsync(FactsScript, "the network facts", cancellationToken).ConfigureAwait(false), FactsMarker, "the network facts") as JObject
                ?? throw new UmReadException(UmReadFailure.UnreadableData, Origin, $"{Origin} printed network facts that are not a JSON object.");
            string where = Origin;
            string prefix = (string?)facts["base_prefix"] ?? string.Empty;
            var snapshot = new UmNetworkSnapshot
            {
                Source = RunCloudMappingSource.WpCli,
                Origin = Origin,
                TablePrefix = prefix,
                SubdomainInstall = facts["subdomain_install"]?.Type == JTokenType.Boolean && (bool)facts["subdomain_install"]!,
                MainNetworkId = facts["main_network_id"]?.Type == JTokenType.Integer ? (long)facts["main_network_id"]! : 1,
            };
            foreach (JToken n in facts["networks"] as JArray ?? new JArray())
            {
                if (!(n is JObject no)) continue;
                var network = new UmNetwork
                {
                    Id = UmJsonRows.RequireLong(no, where, "id"),
                    Domain = ((string?)no["domain"] ?? string.Empty).ToLowerInvariant(),
                    Path = (string?)no["path"] ?? "/",
                    HasUmSettings = no["has_settings"]?.Type == JTokenType.Boolean && (bool)no["has_settings"]!,
                };
                network.WwwPolicy = UmSettings.ParsePolicy((string?)no["www"], $"network {network.Id}'s settings ({where})");
                snapshot.Networks.Add(network);
            }

            if (snapshot.Networks.Count == 0) throw new UmReadException(UmReadFailure.UnreadableData, where, $"{where} reported no network: is this a WordPress multisite (--path)?");
            var missingFlags = new HashSet<string>(StringComparer.Ordinal);
            foreach (JToken b in facts["blogs"] as JArray ?? new JArray()) snapshot.Blogs.Add(UmJsonRows.Blog(b, where, f => missingFlags.Add(f)));
            if (missingFlags.Count > 0) throw new UmReadException(UmReadFailure.UnreadableData, where, $"{where} listed sites without {string.Join(", ", missingFlags)}.");

            var tables = new List<(string Name, long Rows)>();
            foreach (JToken t in facts["tables"] as JArray ?? new JArray())
            {
                if (t is JObject to && (string?)to["name"] is string name) tables.Add((name, to["rows"]?.Type == JTokenType.Integer ? (long)to["rows"]! : -1));
            }

            string mainTable = prefix + "wu_domain_mappings";
            var extraPattern = new Regex("^" + Regex.Escape(prefix) + "wu_(?<n>[0-9]+)_domain_mappings$", RegexOptions.CultureInvariant);
            var blogs = snapshot.Blogs.GroupBy(b => b.BlogId).ToDictionary(g => g.Key, g => g.First());
            foreach (var (name, rows) in tables.Where(t => t.Name == mainTable))
            {
                snapshot.HasMappingTable = true;
                UmNetwork? main = snapshot.Networks.FirstOrDefault(n => n.Id == snapshot.MainNetworkId);
                if (main != null) main.MappingTable = name;
                List<RunCloudMappedDomain> list = await ListMainTableAsync(name, rows, cancellationToken).ConfigureAwait(false);
                Attach(list, snapshot.MainNetworkId, blogs);
                snapshot.Mappings.AddRange(list);
            }

            foreach (var (name, rows, network) in tables.Select(t => (t.Name, t.Rows, Match: extraPattern.Match(t.Name))).Where(x => x.Match.Success)
                         .Select(x => (x.Name, x.Rows, long.Parse(x.Match.Groups["n"].Value, CultureInfo.InvariantCulture))).OrderBy(x => x.Item3))
            {
                snapshot.ExtraTables.Add(name);
                UmNetwork? owner = snapshot.Networks.FirstOrDefault(n => n.Id == network);
                if (owner != null) owner.MappingTable = name;
                else snapshot.Warnings.Add($"{name} belongs to network {network}, which does not exist: its rows are reported, not served.");
                List<RunCloudMappedDomain> list = await DumpTableAsync(name, rows, cancellationToken).ConfigureAwait(false);
                Attach(list, network, blogs);
                snapshot.Mappings.AddRange(list);
            }

            return snapshot;
        }

        private static void Attach(List<RunCloudMappedDomain> rows, long tableNetwork, Dictionary<long, UmBlog> blogs)
        {
            foreach (RunCloudMappedDomain row in rows)
            {
                blogs.TryGetValue(row.BlogId, out UmBlog? blog);
                row.NetworkId = blog?.NetworkId ?? tableNetwork;
                row.SiteHost = blog?.SiteHost;
            }
        }

        private async Task<List<RunCloudMappedDomain>> ListMainTableAsync(string table, long expected, CancellationToken cancellationToken)
        {
            if (expected > ListCap) return await DumpTableAsync(table, expected, cancellationToken).ConfigureAwait(false);
            var args = new List<string> { "wu", "domain", "list", "--format=json" };
            WpCliResult result = await RunAsync(args, "wp wu domain list", cancellationToken).ConfigureAwait(false);
            JArray array = LastJsonArray(result.Stdout) ?? throw new UmReadException(UmReadFailure.UnreadableData, Origin,
                $"'wp wu domain list --format=json' ({Origin}) printed no JSON list. Is Ultimate Multisite active on the network? Its output began: {Start(result.Stdout)}");
            var rows = array.Select(t => UmJsonRows.Mapping(t, table, RunCloudMappingSource.WpCli, "'wp wu domain list' (" + Origin + ")")).ToList();
            if (rows.Count >= ListCap && expected < 0)
            {
                throw new UmReadException(UmReadFailure.Truncated, table,
                    $"'wp wu domain list' returned {rows.Count} rows, UM's cap, and the table's size is unknown: refusing a list that may be cut short. Read the database directly (-Via Database) or through UM's REST API.");
            }

            if (expected >= 0 && rows.Count != expected)
            {
                // UM's list caps at 100 rows, or rows changed between the two calls: read the table whole instead.
                return await DumpTableAsync(table, expected, cancellationToken).ConfigureAwait(false);
            }

            return rows;
        }

        private async Task<List<RunCloudMappedDomain>> DumpTableAsync(string table, long expected, CancellationToken cancellationToken)
        {
            if (!Regex.IsMatch(table, "^[A-Za-z0-9_]+$")) throw new UmReadException(UmReadFailure.UnreadableData, table, $"WP-CLI reported a table name '{table}' this module will not put into a query.");
            string output = await EvalFileAsync(RowsScript.Replace("@TABLE@", table), table, cancellationToken).ConfigureAwait(false);
            if (!(ParseMarked(output, RowsMarker, table) is JArray array))
            {
                throw new UmReadException(UmReadFailure.UnreadableData, table, $"WP-CLI printed the rows of {table} as something other than a JSON list.");
            }

            var rows = array.Select(t => UmJsonRows.Mapping(t, table, RunCloudMappingSource.WpCli, table + " (" + Origin + ")")).ToList();
            if (expected >= 0 && rows.Count < expected)
            {
                throw new UmReadException(UmReadFailure.Truncated, table,
                    $"WP-CLI returned {rows.Count} rows of {table}, which held {expected} a moment before. Nothing was planned from a partial read; try again.");
            }

            return rows;
        }

        private async Task<string> EvalFileAsync(string script, string what, CancellationToken cancellationToken)
        {
            string file = Path.Combine(Path.GetTempPath(), "runcloud-um-" + Guid.NewGuid().ToString("N") + ".php");
            File.WriteAllText(file, script, new UTF8Encoding(false));
            try
            {
                WpCliResult result = await RunAsync(new List<string> { "eval-file", file }, "wp eval-file (" + what + ")", cancellationToken).ConfigureAwait(false);
                return result.Stdout;
            }
            finally
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // a temp file the OS will clean
                }
            }
        }

        private async Task<WpCliResult> RunAsync(List<string> args, string what, CancellationToken cancellationToken)
        {
            if (_path != null) args.Add("--path=" + _path);
            args.AddRange(_extra);
            WpCliResult result = await _runner.RunAsync(args, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                string said = FirstErrorLine(result.Stderr) ?? FirstErrorLine(result.Stdout) ?? "(nothing)";
                string hint = said.IndexOf("root", StringComparison.OrdinalIgnoreCase) >= 0 && said.IndexOf("allow-root", StringComparison.OrdinalIgnoreCase) >= 0
                    ? " Run as the site's user, or pass -WpCliArgument --allow-root."
                    : said.IndexOf("is not a registered wp command", StringComparison.OrdinalIgnoreCase) >= 0
                        ? " Ultimate Multisite is not active on this network (its 'wu' commands are missing)."
                        : " Check -WordPressPath and that WP-CLI works there (wp --info).";
                throw new UmReadException(UmReadFailure.WpCli, what, $"{what} failed ({Origin}, exit code {result.ExitCode}): {said}{hint}");
            }

            return result;
        }

        private static string? FirstErrorLine(string text) =>
            text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Error:", StringComparison.OrdinalIgnoreCase))
            ?? text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);

        /// <summary>The JSON after the marker, wherever PHP's notices put it.</summary>
        private JToken ParseMarked(string stdout, string marker, string what)
        {
            int at = stdout.LastIndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                throw new UmReadException(UmReadFailure.UnreadableData, what, $"WP-CLI ({Origin}) did not print {what}. Its output began: {Start(stdout)}");
            }

            int end = stdout.IndexOf('\n', at);
            string json = (end < 0 ? stdout.Substring(at + marker.Length) : stdout.Substring(at + marker.Length, end - at - marker.Length)).Trim();
            try
            {
                return JToken.Parse(json);
            }
            catch (JsonException ex)
            {
                throw new UmReadException(UmReadFailure.UnreadableData, what, $"WP-CLI ({Origin}) printed {what} that are not valid JSON: {ex.Message}", ex);
            }
        }

        /// <summary>The last line that is a whole JSON array (WP-CLI prints --format=json on one line; notices stay on theirs).</summary>
        private static JArray? LastJsonArray(string stdout)
        {
            foreach (string line in stdout.Split('\n').Select(l => l.Trim()).Reverse())
            {
                if (!line.StartsWith("[", StringComparison.Ordinal) || !line.EndsWith("]", StringComparison.Ordinal)) continue;
                try
                {
                    return JArray.Parse(line);
                }
                catch (JsonException)
                {
                    // a notice that looks like a list; keep looking
                }
            }

            return null;
        }

        private static string Start(string text)
        {
            string t = text.Trim();
            return t.Length == 0 ? "(nothing)" : t.Length > 200 ? t.Substring(0, 200) + "…" : t;
        }
    }
}
