using System;
using System.Globalization;
using System.Linq;
using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    public sealed partial class RunCloudEmulator
    {
        /// <summary>
        /// Loopback-only admin endpoints for out-of-process use (not rate-limited, not logged, no API auth):
        /// GET /_emulator/state, GET|DELETE /_emulator/requests, POST|DELETE /_emulator/faults (GET lists them),
        /// GET /_emulator/coverage/{s}/{w}.
        /// </summary>
        private void HandleAdmin(HttpListenerContext ctx, string path, string body)
        {
            var res = ctx.Response;
            var remote = ctx.Request.RemoteEndPoint?.Address;
            if (remote == null || !IPAddress.IsLoopback(remote))
            {
                WriteJson(res, 403, new JObject { ["message"] = "The emulator's admin endpoints answer loopback clients only." });
                return;
            }
            var method = ctx.Request.HttpMethod.ToUpperInvariant();
            var segs = path.Trim('/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
            var what = segs.Length > 0 ? segs[0].ToLowerInvariant() : "";
            var camel = new JsonSerializer { ContractResolver = new Newtonsoft.Json.Serialization.CamelCasePropertyNamesContractResolver() };
            camel.Converters.Add(new Newtonsoft.Json.Converters.StringEnumConverter());
            try
            {
                switch (what)
                {
                    case "state" when segs.Length == 1 && method == "GET":
                        WriteText(res, 200, State.ToJson(), null);
                        return;
                    case "requests" when segs.Length == 1 && method == "GET":
                        WriteJson(res, 200, JArray.FromObject(GetRequests(), camel));
                        return;
                    case "requests" when segs.Length == 1 && method == "DELETE":
                        ClearRequests();
                        WriteJson(res, 200, new JObject { ["message"] = "Request log cleared." });
                        return;
                    case "faults" when segs.Length == 1 && method == "GET":
                        WriteJson(res, 200, JArray.FromObject(Faults.Pending, camel));
                        return;
                    case "faults" when segs.Length == 1 && method == "POST":
                        var rule = ParseFaultRule(body);
                        Faults.Add(rule);
                        WriteJson(res, 200, JObject.FromObject(rule, camel));
                        return;
                    case "faults" when segs.Length == 1 && method == "DELETE":
                        Faults.Clear();
                        WriteJson(res, 200, new JObject { ["message"] = "Faults cleared." });
                        return;
                    case "coverage" when segs.Length == 3 && method == "GET"
                        && long.TryParse(segs[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                        && long.TryParse(segs[2], NumberStyles.None, CultureInfo.InvariantCulture, out var w):
                        var uncovered = State.GetUncoveredDomains(s, w);
                        WriteJson(res, 200, new JObject { ["uncovered"] = new JArray(uncovered), ["allCovered"] = uncovered.Count == 0 });
                        return;
                }
                WriteJson(res, 404, new JObject { ["message"] = "Unknown emulator admin endpoint." });
            }
            catch (System.Collections.Generic.KeyNotFoundException ex)
            {
                WriteJson(res, 404, new JObject { ["message"] = ex.Message });
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException || ex is FormatException)
            {
                WriteJson(res, 400, new JObject { ["message"] = ex.Message });
            }
        }

        /// <summary>
        /// A fault rule from JSON: {"kind":"Status|Reset|Latency|MalformedJson|RateLimited","statusCode":503,"count":1,
        /// "method":"POST","pathPattern":"servers/*/webapps/*/domains","latencyMilliseconds":2000,"retryAfterSeconds":5,
        /// "applyAfterLatency":true}. Property names are case-insensitive; "path" is accepted for "pathPattern".
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
            return rule;
        }
    }
}
