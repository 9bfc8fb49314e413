using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Sources.UltimateMultisite;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// Stand-ins for WP-CLI and UM's REST API that answer from a network snapshot (read from the real MariaDB), in the
    /// shapes those tools print: WP-CLI's JSON with numbers as strings, PHP notices around it, UM's 100-row cap on
    /// `wp wu domain list`; REST pages in either paging style, 401 without the right key and secret.
    /// </summary>
    internal static class UmFakes
    {
        public static string Policy(UmWwwPolicy p) => p == UmWwwPolicy.MainOnly ? "main_only" : p == UmWwwPolicy.Never ? "never" : "always";

        public static JObject Facts(UmNetworkSnapshot s) => new JObject
        {
            ["subdomain_install"] = s.SubdomainInstall,
            ["main_network_id"] = s.MainNetworkId,
            ["base_prefix"] = s.TablePrefix,
            ["networks"] = new JArray(s.Networks.Select(n => new JObject
            {
                ["id"] = n.Id, ["domain"] = n.Domain, ["path"] = n.Path, ["has_settings"] = n.HasUmSettings, ["www"] = n.HasUmSettings ? Policy(n.WwwPolicy) : null,
            })),
            ["blogs"] = new JArray(s.Blogs.Select(Site)),
            ["tables"] = new JArray(s.Mappings.GroupBy(m => m.Table).Select(g => new JObject { ["name"] = g.Key, ["rows"] = g.Count() })),
        };

        public static JObject Site(UmBlog b) => new JObject
        {
            ["blog_id"] = b.BlogId, ["site_id"] = b.NetworkId, ["domain"] = b.Domain, ["path"] = b.Path,
            ["archived"] = b.Archived ? 1 : 0, ["spam"] = b.Spam ? 1 : 0, ["deleted"] = b.Deleted ? 1 : 0,
        };

        /// <summary>A row as $wpdb (ARRAY_A) or UM's CLI prints it: every value a string.</summary>
        public static JObject Row(RunCloudMappedDomain m) => new JObject
        {
            ["id"] = m.MappingId.ToString(CultureInfo.InvariantCulture),
            ["blog_id"] = m.BlogId.ToString(CultureInfo.InvariantCulture),
            ["domain"] = m.Domain,
            ["active"] = m.Active ? "1" : "0",
            ["primary_domain"] = m.Primary ? "1" : "0",
            ["secure"] = m.Secure ? "1" : "0",
            ["stage"] = m.Stage,
            ["date_created"] = m.DateCreated?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "0000-00-00 00:00:00",
            ["date_modified"] = m.DateModified?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };

        /// <summary>A row as UM's REST API answers it: numbers and booleans typed.</summary>
        public static JObject RestRow(RunCloudMappedDomain m) => new JObject
        {
            ["id"] = m.MappingId, ["blog_id"] = m.BlogId, ["domain"] = m.Domain, ["active"] = m.Active, ["primary_domain"] = m.Primary,
            ["secure"] = m.Secure, ["stage"] = m.Stage, ["date_created"] = m.DateCreated?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>WP-CLI as a snapshot would answer it (in process).</summary>
    internal sealed class FakeWpCliRunner : IWpCliRunner
    {
        private readonly UmNetworkSnapshot _s;

        public FakeWpCliRunner(UmNetworkSnapshot snapshot) => _s = snapshot;

        public string Command => "/usr/local/bin/wp (fake)";
        public List<IReadOnlyList<string>> Calls { get; } = new List<IReadOnlyList<string>>();
        public int ListCap { get; set; } = 100;
        public Func<IReadOnlyList<string>, WpCliResult?>? Override { get; set; }

        private const string Notice = "PHP Notice:  Undefined index: HTTP_HOST in /var/www/wp-config.php on line 90\nDeprecated: Function create_function() is deprecated in /var/www/wp-content/plugins/old/old.php on line 3\n";

        public Task<WpCliResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            Calls.Add(arguments.ToArray());
            WpCliResult? overridden = Override?.Invoke(arguments);
            if (overridden != null) return Task.FromResult(overridden);
            if (arguments[0] == "eval-file")
            {
                string script = File.ReadAllText(arguments[1]);
                if (script.Contains("runcloud-um:facts")) return Ok(Notice + UmWpCliReader.FactsMarker + UmFakes.Facts(_s).ToString(Newtonsoft.Json.Formatting.None) + "\n");
                string table = script.Split('\n')[1].Replace("/* runcloud-um:rows ", string.Empty).Replace(" */", string.Empty).Trim();
                var rows = new JArray(_s.Mappings.Where(m => m.Table == table).Select(UmFakes.Row));
                return Ok(Notice + UmWpCliReader.RowsMarker + rows.ToString(Newtonsoft.Json.Formatting.None) + "\n");
            }

            if (arguments.Take(3).SequenceEqual(new[] { "wu", "domain", "list" }))
            {
                string main = _s.TablePrefix + "wu_domain_mappings";
                var rows = new JArray(_s.Mappings.Where(m => m.Table == main).Take(ListCap).Select(UmFakes.Row));
                return Ok(Notice + rows.ToString(Newtonsoft.Json.Formatting.None) + "\n");
            }

            return Task.FromResult(new WpCliResult(1, string.Empty, "Error: 'x' is not a registered wp command."));
        }

        private static Task<WpCliResult> Ok(string stdout) => Task.FromResult(new WpCliResult(0, stdout, string.Empty));
    }

    /// <summary>
    /// UM's REST API on a loopback port, answering from a snapshot: old (number/offset) or new (page/per_page + X-WP-Total)
    /// paging, 401 without the right key and secret, 404 elsewhere. A minimal HTTP/1.1 server over TcpListener (keep-alive,
    /// no Nagle), so 100 pages take milliseconds, not HttpListener's delayed-ACK 40 ms each.
    /// </summary>
    internal sealed class FakeUmRestServer : IDisposable
    {
        public const string Key = "um-api-key-123";
        public const string Secret = "um-api-secret-$ecret";

        private readonly System.Net.Sockets.TcpListener _listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        private readonly UmNetworkSnapshot _s;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _loop;
        private List<JObject>? _domains;
        private List<JObject>? _sites;

        public FakeUmRestServer(UmNetworkSnapshot snapshot, bool newPaging)
        {
            _s = snapshot;
            NewPaging = newPaging;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _loop = Task.Run(Loop);
        }

        public int Port { get; }
        public bool NewPaging { get; }
        public Uri BaseUri => new Uri($"http://127.0.0.1:{Port}/");
        public List<string> Requests { get; } = new List<string>();

        /// <summary>Rows removed from the answer after the first page (a list that shrinks while it is read).</summary>
        public bool ShrinkAfterFirstPage { get; set; }

        private async Task Loop()
        {
            while (!_stop.IsCancellationRequested)
            {
                System.Net.Sockets.TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }

                _ = Task.Run(() => Serve(client));
            }
        }

        private void Serve(System.Net.Sockets.TcpClient client)
        {
            using (client)
            {
                client.NoDelay = true;
                var stream = client.GetStream();
                var reader = new StreamReader(stream, new UTF8Encoding(false), false, 8192, leaveOpen: true);
                try
                {
                    while (true)
                    {
                        string? requestLine = reader.ReadLine();
                        if (string.IsNullOrEmpty(requestLine)) return;
                        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                        string? line;
                        while (!string.IsNullOrEmpty(line = reader.ReadLine()))
                        {
                            int colon = line!.IndexOf(':');
                            if (colon > 0) headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
                        }

                        string target = requestLine.Split(' ')[1];
                        var (status, extra, body) = Handle(target, headers.TryGetValue("Authorization", out string? auth) ? auth : null);
                        byte[] bytes = Encoding.UTF8.GetBytes(body);
                        var head = new StringBuilder();
                        head.Append("HTTP/1.1 ").Append(status).Append(status == 200 ? " OK" : status == 401 ? " Unauthorized" : " Not Found").Append("\r\n");
                        head.Append("Content-Type: application/json; charset=UTF-8\r\n");
                        head.Append("Content-Length: ").Append(bytes.Length).Append("\r\n");
                        foreach (var h in extra) head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
                        head.Append("\r\n");
                        byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
                        byte[] all = new byte[headBytes.Length + bytes.Length];
                        Buffer.BlockCopy(headBytes, 0, all, 0, headBytes.Length);
                        Buffer.BlockCopy(bytes, 0, all, headBytes.Length, bytes.Length);
                        stream.Write(all, 0, all.Length);
                        stream.Flush();
                    }
                }
                catch (IOException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        private (int, Dictionary<string, string>, string) Handle(string target, string? authorization)
        {
            var extra = new Dictionary<string, string>();
            var uri = new Uri(BaseUri, target);
            lock (Requests) Requests.Add(uri.PathAndQuery);
            string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Key + ":" + Secret));
            if (authorization != expected)
            {
                return (401, extra, "{\"code\":\"rest_forbidden\",\"message\":\"Sorry, you are not allowed to do that.\",\"data\":{\"status\":401}}");
            }

            List<JObject> all;
            lock (_stop)
            {
                if (uri.AbsolutePath == "/wp-json/wu/v2/domain") all = _domains ??= _s.Mappings.Where(m => m.Table == _s.TablePrefix + "wu_domain_mappings").Select(UmFakes.RestRow).ToList();
                else if (uri.AbsolutePath == "/wp-json/wu/v2/site") all = _sites ??= _s.Blogs.Select(UmFakes.Site).ToList();
                else return (404, extra, "{\"code\":\"rest_no_route\",\"message\":\"No route was found matching the URL and request method.\",\"data\":{\"status\":404}}");
            }

            var q = uri.Query.TrimStart('?').Split('&').Where(p => p.Contains("=")).ToDictionary(p => p.Split('=')[0], p => p.Split('=')[1]);
            string? Get(string k) => q.TryGetValue(k, out string? v) ? v : null;
            bool later = (Get("page") != null && Get("page") != "1") || (Get("offset") != null && Get("offset") != "0");
            if (ShrinkAfterFirstPage && later) all = all.Skip(5).ToList();
            List<JObject> page;
            if (NewPaging)
            {
                int perPage = Math.Min(100, int.Parse(Get("per_page") ?? "10", CultureInfo.InvariantCulture));
                int number = int.Parse(Get("page") ?? "1", CultureInfo.InvariantCulture);
                page = all.Skip((number - 1) * perPage).Take(perPage).ToList();
                extra["X-WP-Total"] = all.Count.ToString(CultureInfo.InvariantCulture);
                extra["X-WP-TotalPages"] = ((all.Count + perPage - 1) / perPage).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                int number = int.Parse(Get("number") ?? "100", CultureInfo.InvariantCulture);
                int offset = int.Parse(Get("offset") ?? "0", CultureInfo.InvariantCulture);
                page = all.Skip(offset).Take(number).ToList();
            }

            return (200, extra, new JArray(page).ToString(Newtonsoft.Json.Formatting.None));
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                _loop.Wait(5000);
            }
            catch (AggregateException)
            {
            }

            _stop.Dispose();
        }
    }
}
