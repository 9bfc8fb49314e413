using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    internal sealed class Call
    {
        public Call(RunCloudEmulator emu, string method, string version, string apiPath, Dictionary<string, string> query, string body, string? contentType)
        {
            Emu = emu; Method = method; Version = version; ApiPath = apiPath; Query = query; RawBody = body; ContentType = contentType;
        }
        public RunCloudEmulator Emu { get; }
        public string Method { get; }
        public string Version { get; }
        public string ApiPath { get; }
        public Dictionary<string, string> Query { get; }
        public string RawBody { get; }
        public string? ContentType { get; }
        public Dictionary<string, long> Ids { get; } = new Dictionary<string, long>();
        public JObject Body { get; set; } = new JObject();
        public long S => Ids["s"];
        public long W => Ids["w"];
        public long D => Ids["d"];
        public long Ssl => Ids["ssl"];
    }

    internal sealed class ApiResult
    {
        public ApiResult(int status, JToken? body) { Status = status; Body = body; }
        public int Status { get; }
        public JToken? Body { get; }
        public Dictionary<string, string> Headers { get; } = new Dictionary<string, string>();
    }

    public sealed partial class RunCloudEmulator
    {
        private sealed class Route
        {
            public Route(string template, string method, Func<Call, ApiResult> handler)
            {
                Segments = template.Split('/');
                Method = method;
                Handler = handler;
            }
            public string[] Segments { get; }
            public string Method { get; }
            public Func<Call, ApiResult> Handler { get; }

            public bool Match(string[] segs, Dictionary<string, long> ids)
            {
                if (segs.Length != Segments.Length) return false;
                ids.Clear();
                for (int i = 0; i < segs.Length; i++)
                {
                    var t = Segments[i];
                    if (t.StartsWith("{", StringComparison.Ordinal))
                    {
                        // Ids are digits only: "servers/abc" is a 404, and "ssl/advanced" never matches "ssl/{ssl}".
                        if (!long.TryParse(segs[i], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return false;
                        ids[t.Trim('{', '}')] = id;
                    }
                    else if (!string.Equals(t, segs[i], StringComparison.Ordinal)) return false;
                }
                return true;
            }
        }

        private const string App = "servers/{s}/webapps/{w}";

        private static readonly Route[] Routes =
        {
            new Route("ping", "GET", c => Ok(new JObject { ["message"] = "pong" })),
            new Route("servers", "GET", ListServers),
            new Route("servers/{s}", "GET", GetServer),
            new Route("servers/{s}/webapps", "GET", ListWebApps),
            new Route(App, "GET", GetWebApp),
            new Route(App + "/domains", "GET", ListDomains),
            new Route(App + "/domains", "POST", AddDomain),
            new Route(App + "/domains/{d}", "GET", GetDomain),
            new Route(App + "/domains/{d}", "DELETE", DeleteDomain),
            new Route(App + "/domains/{d}/meta", "PATCH", PatchDomainMeta),
            new Route(App + "/domains/{d}/ssl", "GET", GetDomainSsl),
            new Route(App + "/domains/{d}/ssl", "POST", InstallDomainSsl),
            new Route(App + "/domains/{d}/ssl/{ssl}", "PUT", RedeployDomainSsl),
            new Route(App + "/domains/{d}/ssl/{ssl}", "PATCH", PatchDomainSsl),
            new Route(App + "/domains/{d}/ssl/{ssl}", "DELETE", DeleteDomainSsl),
            new Route(App + "/ssl", "GET", GetSsl),
            new Route(App + "/ssl", "POST", InstallSsl),
            new Route(App + "/ssl/advanced", "GET", GetSslMode),
            new Route(App + "/ssl/advanced", "POST", SetSslMode),
            new Route(App + "/ssl/{ssl}", "PUT", RedeploySsl),
            new Route(App + "/ssl/{ssl}", "PATCH", PatchSsl),
            new Route(App + "/ssl/{ssl}", "DELETE", DeleteSsl),
            new Route("static/ssl/protocols", "GET", c => Ok(new JArray(EmulatorState.SslProtocols.Select(p => new JObject { ["id"] = p.Id, ["name"] = p.Name })))),
        };

        private ApiResult Dispatch(Call call)
        {
            var segs = call.ApiPath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            var matches = Routes.Where(r => r.Match(segs, call.Ids)).ToList();
            if (matches.Count == 0) return Error(404, "Not Found.");
            var route = matches.FirstOrDefault(r => r.Method == call.Method);
            if (route == null)
            {
                var allowed = string.Join(", ", matches.Select(r => r.Method).Distinct());
                var r405 = Error(405, $"The {call.Method} method is not supported for this route. Supported methods: {allowed}.");
                r405.Headers["Allow"] = allowed;
                return r405;
            }
            route.Match(segs, call.Ids);
            // The input as Laravel builds it (see LaravelInput): a JSON body (an object, or "[]" as RunCloud's PHP SDK sends
            // on calls without data), a form-encoded body, or nothing for any other Content-Type; plus the query string.
            // A JSON body that does not parse is answered 422 on writes rather than silently ignored, so a client bug shows up.
            if (!LaravelInput.TryParse(call.ContentType, call.RawBody, call.Query, out var input, out var bodyError))
            {
                if (call.Method == "POST" || call.Method == "PUT" || call.Method == "PATCH")
                    return Invalid(("body", bodyError!));
                input = new JObject();
            }
            call.Body = input;
            lock (State.SyncRoot) return route.Handler(call);
        }

        // ---------- result helpers ----------

        private static ApiResult Ok(JToken body) => new ApiResult(200, body);
        private static ApiResult Error(int status, string message) => new ApiResult(status, new JObject { ["message"] = message });

        /// <summary>Laravel-style 422: message is the first error (+ "(and N more errors)"), errors maps field to messages.</summary>
        private static ApiResult Invalid(params (string field, string message)[] errors)
        {
            var map = new JObject();
            foreach (var (field, message) in errors)
            {
                if (!(map[field] is JArray arr)) map[field] = arr = new JArray();
                arr.Add(message);
            }
            int more = errors.Length - 1;
            var msg = errors[0].message + (more > 0 ? $" (and {more} more error{(more == 1 ? "" : "s")})" : "");
            return new ApiResult(422, new JObject { ["message"] = msg, ["errors"] = map });
        }

        private static string Ts(DateTime d) => d.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

        // ---------- JSON shapes ----------

        internal static JObject ServerJson(ServerRecord s) => new JObject
        {
            ["id"] = s.Id, ["name"] = s.Name, ["provider"] = s.Provider, ["ipAddress"] = s.IpAddress,
            ["country_iso_code"] = s.CountryIsoCode, ["os"] = s.Os, ["osVersion"] = s.OsVersion, ["connected"] = s.Connected,
            ["online"] = s.Online, ["agentVersion"] = s.AgentVersion, ["phpCLIVersion"] = s.PhpCliVersion,
            ["softwareUpdate"] = s.SoftwareUpdate, ["securityUpdate"] = s.SecurityUpdate, ["transferStatus"] = s.TransferStatus,
            ["created_at"] = Ts(s.CreatedAt),
        };

        internal static JObject WebAppJson(WebAppRecord w) => new JObject
        {
            ["id"] = w.Id, ["server_user_id"] = w.ServerUserId, ["name"] = w.Name, ["rootPath"] = w.RootPath,
            ["publicPath"] = w.PublicPath, ["phpVersion"] = w.PhpVersion, ["stack"] = w.Stack, ["stackMode"] = w.StackMode,
            ["type"] = w.Type, ["defaultApp"] = w.DefaultApp, ["alias"] = w.Alias, ["pullKey1"] = w.PullKey1,
            ["pullKey2"] = w.PullKey2, ["created_at"] = Ts(w.CreatedAt),
        };

        internal static JObject DomainJson(DomainRecord d) => new JObject
        {
            ["id"] = d.Id, ["name"] = d.Name, ["type"] = d.Type, ["www"] = d.Www ? 1 : 0, ["redirection"] = d.Redirection,
            ["wildcard"] = d.Wildcard ? 1 : 0, ["dns_integration"] = d.DnsIntegration, ["status"] = d.Status,
            ["created_at"] = Ts(d.CreatedAt),
        };

        internal static JObject SslJson(SslRecord s) => new JObject
        {
            ["id"] = s.Id, ["method"] = s.Method, ["privateKey"] = s.PrivateKey, ["certificate"] = s.Certificate,
            ["validUntil"] = Ts(s.ValidUntil), ["renewalDate"] = Ts(s.RenewalDate), ["enableHttp"] = s.EnableHttp,
            ["enableHsts"] = s.EnableHsts, ["authorizationMethod"] = s.AuthorizationMethod, ["staging"] = s.Staging,
            ["apiId"] = s.ApiId, ["ssl_protocol_id"] = s.SslProtocolId, ["created_at"] = Ts(s.CreatedAt),
        };

        // ---------- lookups ----------

        private static bool FindServer(Call c, out ServerRecord s, out ApiResult? error)
        {
            s = c.Emu.State.FindServer(c.S)!;
            error = s == null ? Error(404, "Server not found.") : null;
            return error == null;
        }

        private static bool FindApp(Call c, out WebAppRecord w, out ApiResult? error)
        {
            w = null!;
            if (!FindServer(c, out _, out error)) return false;
            w = c.Emu.State.FindWebApp(c.S, c.W)!;
            error = w == null ? Error(404, "Web application not found.") : null;
            return error == null;
        }

        private static bool FindDomain(Call c, out WebAppRecord w, out DomainRecord d, out ApiResult? error)
        {
            d = null!;
            if (!FindApp(c, out w, out error)) return false;
            d = w.Domains.FirstOrDefault(x => x.Id == c.D)!;
            error = d == null ? Error(404, "Domain not found.") : null;
            return error == null;
        }

        private ApiResult NoSsl() => Error(_options.NoSslStatusCode, "SSL not installed!");

        // ---------- pagination ----------

        private static ApiResult Paginate<T>(Call c, IEnumerable<T> items, Func<T, string> name, Func<T, JObject> json,
            Func<T, string>? secondSearchField = null)
        {
            var o = c.Emu._options;
            var list = items.ToList();
            if (c.Query.TryGetValue("search", out var search) && search.Length > 0)
                list = list.Where(x => name(x).IndexOf(search, StringComparison.OrdinalIgnoreCase) >= 0
                    || (secondSearchField != null && secondSearchField(x).IndexOf(search, StringComparison.OrdinalIgnoreCase) >= 0)).ToList();

            // sortColumn: any field of the item's JSON (id, name, created_at, type...); unknown columns are ignored.
            // Without one, only the page's items are turned into JSON: building all of them for every page made a
            // 10,000-domain listing cost O(n^2) (about 0.1 s a page) and swamped what the benchmarks measure.
            List<JObject> objs;
            bool sorted = false;
            if (c.Query.TryGetValue("sortColumn", out var col) && col.Length > 0 && list.Count > 0 && json(list[0]).Property(col) != null)
            {
                objs = list.Select(json).ToList();
                bool desc = c.Query.TryGetValue("sortDirection", out var dir) && dir.Equals("desc", StringComparison.OrdinalIgnoreCase);
                Func<JObject, IComparable> key = x => x[col] is JValue v && v.Value is IComparable cmp ? (v.Type == JTokenType.String ? (IComparable)((string)v!)!.ToLowerInvariant() : cmp) : "";
                objs = (desc ? objs.OrderByDescending(key) : objs.OrderBy(key)).ToList();
                sorted = true;
            }
            else
            {
                objs = null!;
                if (c.Query.TryGetValue("sortDirection", out var dir2) && dir2.Equals("desc", StringComparison.OrdinalIgnoreCase))
                    list.Reverse();
            }

            int defaultPer = c.Version == "v2" ? o.DefaultPerPageV2 : o.DefaultPerPageV3;
            int per = defaultPer;
            if (c.Query.TryGetValue("perPage", out var pp) && int.TryParse(pp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppn) && ppn > 0)
                per = Math.Min(ppn, o.MaxPerPage); // bigger than the documented maximum: clamped, not refused
            int page = 1;
            if (c.Query.TryGetValue("page", out var pg) && int.TryParse(pg, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pgn) && pgn > 0)
                page = pgn;

            int total = list.Count;
            int totalPages = Math.Max(1, (total + per - 1) / per);
            int skip = (int)Math.Min(int.MaxValue, (long)(page - 1) * per);
            var pageItems = sorted ? objs.Skip(skip).Take(per).ToList() : list.Skip(skip).Take(per).Select(json).ToList();

            var links = new JObject();
            if (page > 1) links["previous"] = PageLink(c, Math.Min(page - 1, totalPages));
            if (page < totalPages) links["next"] = PageLink(c, page + 1);

            return Ok(new JObject
            {
                ["data"] = new JArray(pageItems),
                ["meta"] = new JObject
                {
                    ["pagination"] = new JObject
                    {
                        ["total"] = total, ["count"] = pageItems.Count, ["per_page"] = per, ["current_page"] = page,
                        ["total_pages"] = totalPages, ["links"] = links,
                    },
                },
            });
        }

        private static string PageLink(Call c, int page)
        {
            var q = new List<string>();
            if (c.Emu._options.LinksKeepQuery)
                q.AddRange(c.Query.Where(kv => !kv.Key.Equals("page", StringComparison.OrdinalIgnoreCase))
                    .Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
            q.Add("page=" + page.ToString(CultureInfo.InvariantCulture));
            return new Uri(c.Emu.BaseUri, "api/" + c.Version + "/" + c.ApiPath).AbsoluteUri + "?" + string.Join("&", q);
        }

        // ---------- servers and web apps ----------

        private static ApiResult ListServers(Call c) =>
            Paginate(c, c.Emu.State.ServersLocked, s => s.Name, ServerJson, s => s.IpAddress);

        private static ApiResult GetServer(Call c) =>
            FindServer(c, out var s, out var e) ? Ok(ServerJson(s)) : e!;

        private static ApiResult ListWebApps(Call c) =>
            FindServer(c, out var s, out var e) ? Paginate(c, s.WebApps, w => w.Name, WebAppJson) : e!;

        private static ApiResult GetWebApp(Call c) =>
            FindApp(c, out var w, out var e) ? Ok(WebAppJson(w)) : e!;

        // ---------- domains ----------

        private static ApiResult ListDomains(Call c) =>
            FindApp(c, out var w, out var e) ? Paginate(c, w.Domains, d => d.Name, DomainJson) : e!;

        private static ApiResult GetDomain(Call c) =>
            FindDomain(c, out _, out var d, out var e) ? Ok(DomainJson(d)) : e!;

        /// <summary>Laravel's "boolean" rule: true, false, 1, 0, "1", "0".</summary>
        internal static bool TryBool(JToken? t, out bool value)
        {
            value = false;
            if (t == null) return false;
            switch (t.Type)
            {
                case JTokenType.Boolean: value = (bool)t; return true;
                case JTokenType.Integer:
                    var i = (long)t;
                    if (i == 0 || i == 1) { value = i == 1; return true; }
                    return false;
                case JTokenType.String:
                    var s = (string?)t;
                    if (s == "0" || s == "1") { value = s == "1"; return true; }
                    return false;
                default: return false;
            }
        }

        private static bool Present(JObject body, string field) => body[field] != null && body[field]!.Type != JTokenType.Null;

        /// <summary>Validates an optional "one of" string field; adds an error when present and invalid.</summary>
        private static string? OneOf(JObject body, string field, string[] allowed, List<(string, string)> errors, string? fallback)
        {
            if (!Present(body, field)) return fallback;
            var t = body[field]!;
            var v = t.Type == JTokenType.String ? (string?)t : null;
            if (v == null || !allowed.Contains(v)) { errors.Add((field, $"The selected {field} is invalid.")); return fallback; }
            return v;
        }

        private static bool? OptionalBool(JObject body, string field, List<(string, string)> errors)
        {
            if (!Present(body, field)) return null;
            if (TryBool(body[field], out var b)) return b;
            errors.Add((field, $"The {field} field must be true or false."));
            return null;
        }

        private static readonly string[] Redirections = { "none", "www", "non-www" };
        private static readonly string[] DomainTypes = { "alias", "primary", "redirect" };

        private static ApiResult AddDomain(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            var server = c.Emu.State.FindServer(c.S)!;
            var limit = c.Emu._options.DomainLimit;
            // Plan limit first (authorisation runs before validation in Laravel).
            if (limit > 0 && w.Domains.Count >= limit)
                return Error(403, $"Your plan allows at most {limit} domains per web application. Upgrade your plan to add more domains.");

            var b = c.Body;
            var errors = new List<(string, string)>();
            string? name = null;
            bool wildcard = false;
            if (!Present(b, "name") || (b["name"]!.Type == JTokenType.String && ((string?)b["name"])!.Trim().Length == 0))
                errors.Add(("name", "The name field is required."));
            else if (b["name"]!.Type != JTokenType.String)
                errors.Add(("name", "The name must be a string."));
            else
            {
                name = ((string?)b["name"])!.Trim().ToLowerInvariant();
                if (!DomainNameRules.IsValid(name, out wildcard)) errors.Add(("name", "The name format is invalid."));
                else if (EmulatorState.FindDomainOnServer(server, name) != null) errors.Add(("name", "The name has already been taken."));
            }
            var www = OptionalBool(b, "www", errors) ?? false;
            var redirection = OneOf(b, "redirection", Redirections, errors, "none")!;
            var type = OneOf(b, "type", DomainTypes, errors, "alias")!;
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (www && !name!.StartsWith("www.", StringComparison.Ordinal) && !wildcard && EmulatorState.FindDomainOnServer(server, "www." + name) != null)
                return Invalid(("www", $"The www. variant www.{name} is already a domain on this server."));

            var d = c.Emu.State.AddDomainLocked(w, name!, www, redirection, type, wildcard);
            return Ok(DomainJson(d));
        }

        /// <summary>The www. name a domain would add when www is turned on, if another domain on the server already has it.</summary>
        private static string? WwwTakenBy(Call c, DomainRecord d)
        {
            if (d.Name.StartsWith("www.", StringComparison.Ordinal) || d.Wildcard) return null;
            var server = c.Emu.State.FindServer(c.S)!;
            var other = EmulatorState.FindDomainOnServer(server, "www." + d.Name);
            return other != null && other != d ? other.Name : null;
        }

        private static ApiResult DeleteDomain(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            if (d.Type == "primary")
                return Invalid(("domain", "The primary domain cannot be deleted. Make another domain primary first."));
            w.Domains.Remove(d);
            return Ok(DomainJson(d));
        }

        private static ApiResult PatchDomainMeta(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            var errors = new List<(string, string)>();
            var www = OptionalBool(c.Body, "www", errors);
            var redirection = OneOf(c.Body, "redirection", Redirections, errors, null);
            var type = OneOf(c.Body, "type", DomainTypes, errors, null);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            // A web app always has a primary domain (as for a delete): another one must be made primary first.
            if (d.Type == "primary" && type != null && type != "primary")
                return Invalid(("type", "The primary domain cannot be changed to " + type + ". Make another domain primary first."));
            // nginx cannot serve a name twice: www. on a domain whose www. name is another domain on the server is refused.
            if (www == true && !d.Www && WwwTakenBy(c, d) is string taken)
                return Invalid(("www", $"The www. variant {taken} is already a domain on this server."));
            if (type == "primary")
                foreach (var other in w.Domains.Where(x => x.Type == "primary" && x != d)) other.Type = "alias";
            if (type != null) d.Type = type;
            if (redirection != null) d.Redirection = redirection;
            if (www.HasValue) d.Www = www.Value;
            return Ok(new JObject { ["message"] = "Domain settings have been successfully updated." });
        }

        // ---------- SSL ----------

        private sealed class SslInput
        {
            public string Provider = "letsencrypt";
            public bool EnableHttp, EnableHsts, Staging;
            public string AuthorizationMethod = "http-01";
            public long? ExternalApi;
            public string? PrivateKey, Certificate;
            public int? ProtocolId;
        }

        private static ApiResult? ReadSslInput(JObject b, out SslInput input)
        {
            input = new SslInput();
            var errors = new List<(string, string)>();
            if (!Present(b, "provider")) errors.Add(("provider", "The provider field is required."));
            else input.Provider = OneOf(b, "provider", new[] { "letsencrypt", "custom" }, errors, "letsencrypt")!;
            input.EnableHttp = OptionalBool(b, "enableHttp", errors) ?? false;
            input.EnableHsts = OptionalBool(b, "enableHsts", errors) ?? false;
            if (input.Provider == "letsencrypt")
            {
                input.AuthorizationMethod = OneOf(b, "authorizationMethod", new[] { "http-01", "dns-01" }, errors, "http-01")!;
                input.Staging = OneOf(b, "environment", new[] { "live", "staging" }, errors, "live") == "staging";
                // externalApi is an integer (the id of a DNS-provider integration): nullable|integer, as in RunCloud's v3 SDK.
                // Laravel's integer rule also takes a string of digits (what a form body carries); any other string is refused.
                if (Present(b, "externalApi"))
                {
                    if (LaravelInput.TryInteger(b["externalApi"], out var apiId)) input.ExternalApi = apiId;
                    else errors.Add(("externalApi", "The externalApi must be an integer."));
                }
                if (input.AuthorizationMethod == "dns-01" && input.ExternalApi == null && !errors.Any(x => x.Item1 == "externalApi"))
                    errors.Add(("externalApi", "The externalApi field is required when authorizationMethod is dns-01."));
            }
            else
            {
                input.AuthorizationMethod = "";
                foreach (var f in new[] { "privateKey", "certificate" })
                    if (!Present(b, f) || b[f]!.Type != JTokenType.String || ((string?)b[f])!.Trim().Length == 0)
                        errors.Add((f, $"The {f} field is required when provider is custom."));
                input.PrivateKey = (string?)b["privateKey"];
                input.Certificate = (string?)b["certificate"];
            }
            input.ProtocolId = ReadProtocol(b, errors);
            return errors.Count > 0 ? Invalid(errors.ToArray()) : null;
        }

        private static int? ReadProtocol(JObject b, List<(string, string)> errors)
        {
            if (!Present(b, "ssl_protocol_id")) return null;
            if (LaravelInput.TryInteger(b["ssl_protocol_id"], out var id) && EmulatorState.SslProtocols.Any(p => p.Id == id)) return (int)id;
            errors.Add(("ssl_protocol_id", "The selected ssl protocol id is invalid."));
            return null;
        }

        private static SslRecord NewSsl(Call c, SslInput i)
        {
            var s = c.Emu.State.NewSslLocked(i.Provider, i.EnableHttp, i.EnableHsts, i.AuthorizationMethod, i.Staging, i.ExternalApi, i.PrivateKey, i.Certificate);
            if (i.ProtocolId.HasValue) s.SslProtocolId = i.ProtocolId.Value;
            return s;
        }

        /// <summary>Let's Encrypt's verdict on an order for these names (see EmulatorState.CheckOrderLocked): a 422, or null to issue.</summary>
        private static ApiResult? Refused(Call c, IList<string> names, string authorizationMethod)
        {
            var server = c.Emu.State.FindServer(c.S)!;
            var failure = c.Emu.State.CheckOrderLocked(server, names, authorizationMethod);
            if (failure == null) return null;
            if (failure.Errors.Count == 0) return Error(422, failure.Message);
            var map = new JObject();
            foreach (var (field, message) in failure.Errors)
            {
                if (!(map[field] is JArray arr)) map[field] = arr = new JArray();
                arr.Add(message);
            }
            return new ApiResult(422, new JObject { ["message"] = failure.Message, ["errors"] = map });
        }

        private static ApiResult GetSsl(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            return w.Ssl == null || w.AdvancedSsl ? c.Emu.NoSsl() : Ok(SslJson(w.Ssl));
        }

        private static ApiResult InstallSsl(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            var bad = ReadSslInput(c.Body, out var input);
            if (bad != null) return bad;
            if (w.AdvancedSsl) return Error(422, "This web application is using advanced SSL. Install SSL on each domain instead.");
            if (w.Ssl != null) return Error(422, "SSL is already installed on this web application.");
            if (w.Domains.Count == 0) return Error(422, "This web application has no domain to issue a certificate for.");
            var names = w.Domains.SelectMany(d => d.HostNames()).ToList();
            if (input.Provider == "letsencrypt" && Refused(c, names, input.AuthorizationMethod) is ApiResult refused) return refused;
            var ssl = NewSsl(c, input);
            ssl.CoveredDomains = names;
            w.Ssl = ssl;
            if (input.Provider == "letsencrypt") c.Emu.State.RecordIssuanceLocked(ssl, names);
            return Ok(SslJson(ssl));
        }

        private static bool FindAppSsl(Call c, out WebAppRecord w, out ApiResult? e)
        {
            if (!FindApp(c, out w, out e)) return false;
            if (w.Ssl == null || w.Ssl.Id != c.Ssl || w.AdvancedSsl) { e = Error(404, "SSL not found."); return false; }
            return true;
        }

        private static ApiResult RedeploySsl(Call c)
        {
            if (!FindAppSsl(c, out var w, out var e)) return e!;
            if (w.Ssl!.Method != "letsencrypt") return Error(422, "Only Let's Encrypt certificates can be redeployed.");
            var names = w.Domains.SelectMany(d => d.HostNames()).ToList();
            // The order fails as a whole: the certificate (and what it covers) stays as it was.
            if (Refused(c, names, w.Ssl.AuthorizationMethod) is ApiResult refused) return refused;
            c.Emu.State.RedeployLocked(w.Ssl, names);
            c.Emu.State.RecordIssuanceLocked(w.Ssl, names);
            return Ok(SslJson(w.Ssl));
        }

        private static ApiResult? PatchSslFields(JObject b, SslRecord s)
        {
            var errors = new List<(string, string)>();
            var http = OptionalBool(b, "enableHttp", errors);
            var hsts = OptionalBool(b, "enableHsts", errors);
            var proto = ReadProtocol(b, errors);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (http.HasValue) s.EnableHttp = http.Value;
            if (hsts.HasValue) s.EnableHsts = hsts.Value;
            if (proto.HasValue) s.SslProtocolId = proto.Value;
            return null;
        }

        private static ApiResult PatchSsl(Call c)
        {
            if (!FindAppSsl(c, out var w, out var e)) return e!;
            return PatchSslFields(c.Body, w.Ssl!) ?? Ok(SslJson(w.Ssl!));
        }

        private static ApiResult DeleteSsl(Call c)
        {
            if (!FindAppSsl(c, out var w, out var e)) return e!;
            var old = w.Ssl!;
            w.Ssl = null;
            return Ok(SslJson(old));
        }

        private static JObject ModeJson(WebAppRecord w) => new JObject { ["advancedSSL"] = w.AdvancedSsl, ["autoSSL"] = w.AutoSsl };

        private static ApiResult GetSslMode(Call c) =>
            FindApp(c, out var w, out var e) ? Ok(ModeJson(w)) : e!;

        private static ApiResult SetSslMode(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            var errors = new List<(string, string)>();
            bool? adv = null;
            if (!Present(c.Body, "advancedSSL")) errors.Add(("advancedSSL", "The advancedSSL field is required."));
            else adv = OptionalBool(c.Body, "advancedSSL", errors);
            var auto = OptionalBool(c.Body, "autoSSL", errors) ?? false;
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (adv == true && !w.AdvancedSsl && w.Ssl != null)
                return Error(422, "Uninstall the web application's SSL before switching to advanced SSL.");
            if (adv == false && w.AdvancedSsl && w.Domains.Any(d => d.Ssl != null))
                return Error(422, "Uninstall every domain's SSL before switching back to basic SSL.");
            w.AdvancedSsl = adv!.Value;
            w.AutoSsl = w.AdvancedSsl && auto;
            return Ok(ModeJson(w));
        }

        // ---------- per-domain SSL (advanced mode); the documented answer of the writes is {} ----------

        private static ApiResult GetDomainSsl(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            return d.Ssl == null || !w.AdvancedSsl ? c.Emu.NoSsl() : Ok(SslJson(d.Ssl));
        }

        private static ApiResult InstallDomainSsl(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            var bad = ReadSslInput(c.Body, out var input);
            if (bad != null) return bad;
            var errors = new List<(string, string)>();
            OptionalBool(c.Body, "advancedSSL", errors);
            OptionalBool(c.Body, "autoSSL", errors);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (!w.AdvancedSsl) return Error(422, "Advanced SSL is not enabled for this web application.");
            if (d.Ssl != null) return Error(422, "SSL is already installed on this domain.");
            var names = d.HostNames().ToList();
            if (input.Provider == "letsencrypt" && Refused(c, names, input.AuthorizationMethod) is ApiResult refused) return refused;
            var ssl = NewSsl(c, input);
            ssl.CoveredDomains = names;
            d.Ssl = ssl;
            if (input.Provider == "letsencrypt") c.Emu.State.RecordIssuanceLocked(ssl, names);
            return Ok(new JObject());
        }

        private static bool FindDomainSsl(Call c, out WebAppRecord w, out DomainRecord d, out ApiResult? e)
        {
            if (!FindDomain(c, out w, out d, out e)) return false;
            if (d.Ssl == null || d.Ssl.Id != c.Ssl || !w.AdvancedSsl) { e = Error(404, "SSL not found."); return false; }
            return true;
        }

        private static ApiResult RedeployDomainSsl(Call c)
        {
            if (!FindDomainSsl(c, out _, out var d, out var e)) return e!;
            if (d.Ssl!.Method != "letsencrypt") return Error(422, "Only Let's Encrypt certificates can be redeployed.");
            var names = d.HostNames().ToList();
            if (Refused(c, names, d.Ssl.AuthorizationMethod) is ApiResult refused) return refused;
            c.Emu.State.RedeployLocked(d.Ssl, names);
            c.Emu.State.RecordIssuanceLocked(d.Ssl, names);
            return Ok(new JObject());
        }

        private static ApiResult PatchDomainSsl(Call c)
        {
            if (!FindDomainSsl(c, out _, out var d, out var e)) return e!;
            // RunCloud's v3 reference shows this call with {"advancedSSL":true,"autoSSL":false} and the answer {}: both are
            // booleans when present; the settings fields change in place (no issuance).
            var errors = new List<(string, string)>();
            OptionalBool(c.Body, "advancedSSL", errors);
            OptionalBool(c.Body, "autoSSL", errors);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            return PatchSslFields(c.Body, d.Ssl!) ?? Ok(new JObject());
        }

        private static ApiResult DeleteDomainSsl(Call c)
        {
            if (!FindDomainSsl(c, out _, out var d, out var e)) return e!;
            d.Ssl = null;
            return Ok(new JObject());
        }
    }
}
