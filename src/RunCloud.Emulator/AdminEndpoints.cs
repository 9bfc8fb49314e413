using System;
using System.Globalization;
using System.Linq;
using System.Net;
using Newtonsoft.Json;
using RunCloud.Emulator.Http;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    public sealed partial class RunCloudEmulator
    {
        /// <summary>
        /// Loopback-only admin endpoints for out-of-process use (not rate-limited, not logged, no API auth):
        /// GET /_emulator/state, GET|DELETE /_emulator/requests, POST|DELETE /_emulator/faults (GET lists them),
        /// GET /_emulator/coverage/{s}/{w}, GET|DELETE /_emulator/dns (the table), GET|PUT|DELETE /_emulator/dns/{name},
        /// GET /_emulator/dns-query?name=&amp;type= (DNS-over-HTTPS JSON), GET|POST /_emulator/clock, GET /_emulator/issuances.
        /// </summary>
        private WireResponse HandleAdmin(WireRequest req, string path, string body)
        {
            var remote = req.Remote?.Address;
            if (remote == null || !IPAddress.IsLoopback(remote))
            {
                return Json(403, new JObject { ["message"] = "The emulator's admin endpoints answer loopback clients only." });
            }
            var method = req.Method;
            var segs = path.Trim('/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
            var what = segs.Length > 0 ? segs[0].ToLowerInvariant() : "";
            var camel = new JsonSerializer { ContractResolver = new Newtonsoft.Json.Serialization.CamelCasePropertyNamesContractResolver() };
            camel.Converters.Add(new Newtonsoft.Json.Converters.StringEnumConverter());
            try
            {
                switch (what)
                {
                    case "state" when segs.Length == 1 && method == "GET":
                        return WireResponse.Text(200, State.ToJson());
                    case "requests" when segs.Length == 1 && method == "GET":
                        return Json(200, JArray.FromObject(GetRequests(), camel));
                    case "requests" when segs.Length == 1 && method == "DELETE":
                        ClearRequests();
                        return Json(200, new JObject { ["message"] = "Request log cleared." });
                    case "faults" when segs.Length == 1 && method == "GET":
                        return Json(200, JArray.FromObject(Faults.Pending, camel));
                    case "faults" when segs.Length == 1 && method == "POST":
                        var rule = ParseFaultRule(body);
                        Faults.Add(rule);
                        return Json(200, JObject.FromObject(rule, camel));
                    case "faults" when segs.Length == 1 && method == "DELETE":
                        Faults.Clear();
                        return Json(200, new JObject { ["message"] = "Faults cleared." });
                    case "coverage" when segs.Length == 3 && method == "GET"
                        && long.TryParse(segs[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                        && long.TryParse(segs[2], NumberStyles.None, CultureInfo.InvariantCulture, out var w):
                        var uncovered = State.GetUncoveredDomains(s, w);
                        return Json(200, new JObject { ["uncovered"] = new JArray(uncovered), ["allCovered"] = uncovered.Count == 0 });
                    case "dns" when segs.Length == 1 && method == "GET":
                        return Json(200, JArray.FromObject(Dns.GetRecords(), camel));
                    case "dns" when segs.Length == 1 && method == "DELETE":
                        Dns.Clear();
                        return Json(200, new JObject { ["message"] = "DNS table cleared: every domain points at its server again." });
                    case "dns" when segs.Length == 2 && method == "GET":
                        return Json(200, JObject.FromObject(Dns.Resolve(Uri.UnescapeDataString(segs[1])), camel));
                    case "dns" when segs.Length == 2 && method == "PUT":
                        SetDnsFromJson(Uri.UnescapeDataString(segs[1]), body);
                        return Json(200, JObject.FromObject(Dns.Resolve(Uri.UnescapeDataString(segs[1])), camel));
                    case "dns" when segs.Length == 2 && method == "DELETE":
                        var removed = Dns.Remove(Uri.UnescapeDataString(segs[1]));
                        return Json(200, new JObject { ["removed"] = removed });
                    case "dns-query" when segs.Length == 1 && method == "GET":
                        var q = ParseQuery(req.Query);
                        q.TryGetValue("type", out var type);
                        return Json(200, DnsQueryJson(q.TryGetValue("name", out var qn) ? qn : "", string.IsNullOrEmpty(type) ? "A" : type));
                    case "clock" when segs.Length == 1 && method == "GET":
                        return Json(200, new JObject { ["utcNow"] = Clock.UtcNow.ToString("o", CultureInfo.InvariantCulture) });
                    case "clock" when segs.Length == 1 && method == "POST":
                        SetClockFromJson(body);
                        return Json(200, new JObject { ["utcNow"] = Clock.UtcNow.ToString("o", CultureInfo.InvariantCulture) });
                    case "issuances" when segs.Length == 1 && method == "GET":
                        return Json(200, JArray.FromObject(State.GetIssuances(), camel));
                }
                return Json(404, new JObject { ["message"] = "Unknown emulator admin endpoint." });
            }
            catch (System.Collections.Generic.KeyNotFoundException ex)
            {
                return Json(404, new JObject { ["message"] = ex.Message });
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException || ex is FormatException)
            {
                return Json(400, new JObject { ["message"] = ex.Message });
            }
        }

        /// <summary>PUT /_emulator/dns/{name}: {"addresses":["1.2.3.4"],"proxied":false} | {"cname":"target"} | {"unpointed":true}.</summary>
        private void SetDnsFromJson(string name, string body)
        {
            var o = JObject.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body);
            JToken? Get(string n) => o.Properties().FirstOrDefault(p => p.Name.Equals(n, StringComparison.OrdinalIgnoreCase))?.Value;
            if (Get("unpointed") is JToken u && u.Type == JTokenType.Boolean && (bool)u) Dns.SetUnpointed(name);
            else if (Get("cname") is JToken c && c.Type == JTokenType.String) Dns.SetCName(name, (string)c!);
            else if (Get("addresses") is JArray a) Dns.SetAddresses(name, a.Select(x => (string?)x ?? ""), Get("proxied") is JToken p && p.Type == JTokenType.Boolean && (bool)p);
            else throw new ArgumentException("Give \"addresses\" (with \"proxied\"), \"cname\" or \"unpointed\": true.");
        }

        /// <summary>POST /_emulator/clock: {"advanceSeconds":86400} | {"freeze":"2026-01-01T00:00:00Z"} | {"resume":true} | {"reset":true}.</summary>
        private void SetClockFromJson(string body)
        {
            var o = JObject.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body);
            JToken? Get(string n) => o.Properties().FirstOrDefault(p => p.Name.Equals(n, StringComparison.OrdinalIgnoreCase))?.Value;
            if (Get("reset") is JToken r && r.Type == JTokenType.Boolean && (bool)r) Clock.Reset();
            if (Get("freeze") is JToken f) Clock.Freeze(f.Type == JTokenType.Date ? (DateTime)f : DateTime.Parse((string)f!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            if (Get("advanceSeconds") is JToken s) Clock.Advance(TimeSpan.FromSeconds((double)s));
            if (Get("resume") is JToken res && res.Type == JTokenType.Boolean && (bool)res) Clock.Resume();
        }

        /// <summary>
        /// A DNS answer in the JSON form of DNS-over-HTTPS resolvers (Google's /resolve, Cloudflare's application/dns-json):
        /// {"Status":0|3,"Question":[{"name":"x.","type":1}],"Answer":[{"name":"x.","type":5|1|28,"TTL":300,"data":"..."}]}.
        /// type is A (1), AAAA (28) or CNAME (5), by name or number; the CNAME chain is always part of the answer.
        /// </summary>
        public JObject DnsQueryJson(string name, string type)
        {
            int qtype;
            switch ((type ?? "A").Trim().ToUpperInvariant())
            {
                case "A": case "1": qtype = 1; break;
                case "AAAA": case "28": qtype = 28; break;
                case "CNAME": case "5": qtype = 5; break;
                default: throw new ArgumentException($"Unsupported DNS type '{type}': A, AAAA or CNAME.");
            }
            var a = Dns.Resolve(name);
            var answers = new JArray();
            var owner = a.Name;
            foreach (var target in a.CNames)
            {
                answers.Add(new JObject { ["name"] = owner + ".", ["type"] = 5, ["TTL"] = 300, ["data"] = target + "." });
                owner = target;
            }
            if (qtype != 5)
                foreach (var addr in a.Addresses)
                {
                    var isV6 = addr.IndexOf(':') >= 0;
                    if ((qtype == 28) == isV6) answers.Add(new JObject { ["name"] = owner + ".", ["type"] = qtype, ["TTL"] = 300, ["data"] = addr });
                }
            var o = new JObject
            {
                ["Status"] = a.Status == "NXDomain" ? 3 : 0, ["TC"] = false, ["RD"] = true, ["RA"] = true, ["AD"] = false, ["CD"] = false,
                ["Question"] = new JArray(new JObject { ["name"] = a.Name + ".", ["type"] = qtype }),
            };
            if (answers.Count > 0) o["Answer"] = answers;
            if (a.Proxied) o["Comment"] = "proxied: HTTP reaches the web app's server through these addresses";
            return o;
        }

        /// <summary>
        /// A fault rule from JSON: {"kind":"Status|Reset|Latency|MalformedJson|RateLimited","statusCode":503,"count":1,
        /// "method":"POST","pathPattern":"servers/*/webapps/*/domains","latencyMilliseconds":2000,"retryAfterSeconds":5,
        /// "applyAfterLatency":true,"credential":"&lt;token or API key&gt;"}. Property names are case-insensitive; "path" is accepted for "pathPattern".
        /// </summary>
        public static FaultRule ParseFaultRule(string json)
        {
            var o = JObject.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            JToken? Get(string name) => o.Properties().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;
            var rule = new FaultRule();
            var kind = Get("kind");
            if (kind != null)
            {
                if (kind.Type == JTokenType.Integer) rule.Kind = (FaultKind)(int)kind;
                else rule.Kind = (FaultKind)Enum.Parse(typeof(FaultKind), (string?)kind ?? "", true);
            }
            if (Get("statusCode") is JToken sc) rule.StatusCode = (int)sc;
            if (Get("count") is JToken cnt) rule.Count = (int)cnt;
            rule.Method = (string?)Get("method");
            rule.PathPattern = (string?)(Get("pathPattern") ?? Get("path"));
            if (Get("latencyMilliseconds") is JToken ms) rule.Latency = TimeSpan.FromMilliseconds((double)ms);
            else if (Get("latency") is JToken lat) rule.Latency = lat.Type == JTokenType.String ? TimeSpan.Parse((string)lat!, CultureInfo.InvariantCulture) : TimeSpan.FromMilliseconds((double)lat);
            if (Get("retryAfterSeconds") is JToken ra) rule.RetryAfterSeconds = (int)ra;
            if (Get("applyAfterLatency") is JToken apply) rule.ApplyAfterLatency = (bool)apply;
            rule.Credential = (string?)Get("credential");
            return rule;
        }
    }
}
