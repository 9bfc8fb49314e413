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

        /// <summary>
        /// An input value as text (Laravel's $request->input(): the body, then the query), its name matched without regard
        /// to case as the emulator always has for the query; null when absent or null.
        /// </summary>
        public string? Input(string name)
        {
            var t = Body.GetValue(name, StringComparison.OrdinalIgnoreCase);
            if (t == null || t.Type == JTokenType.Null) return null;
            if (t.Type == JTokenType.String) return (string?)t;
            if (t.Type == JTokenType.Integer || t.Type == JTokenType.Float || t.Type == JTokenType.Boolean) return Convert.ToString(((JValue)t).Value, CultureInfo.InvariantCulture);
            return null;
        }
    }

    internal sealed class ApiResult
    {
        public ApiResult(int status, JToken? body) { Status = status; Body = body; }
        public int Status { get; }
        public JToken? Body { get; }
        public Dictionary<string, string> Headers { get; } = new Dictionary<string, string>();
    }

    /// <summary>The route table, dispatch, and the helpers every resource's routes share (results, lookups, Laravel's input rules).</summary>
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

        /// <summary>
        /// Every route, resource by resource: each Routes/*.cs file owns its list, so a new endpoint is one line in the
        /// file of its resource (a property there, not a field: static fields of a partial class are initialised in an
        /// order that depends on the files, and this table reads them). The order within a resource is the order of the
        /// Allow header of a 405.
        /// </summary>
        private static readonly Route[] Routes =
            PingRoutes
            .Concat(ServerRoutes)
            .Concat(DomainRoutes)
            .Concat(SslRoutes)
            .Concat(StaticRoutes)
            .Concat(ExternalApiRoutes)
            .ToArray();

        private ApiResult Dispatch(Call call)
        {
            var segs = call.ApiPath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            var matches = Routes.Where(r => r.Match(segs, call.Ids)).ToList();
            if (matches.Count == 0) return Error(404, RouteNotFoundMessage("/api/" + call.Version + "/" + call.ApiPath));
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
            if (!LaravelInput.TryParse(call.ContentType, call.RawBody, call.Query, call.Method, out var input, out var bodyError))
            {
                if (call.Method == "POST" || call.Method == "PUT" || call.Method == "PATCH")
                    return Invalid(("body", bodyError!));
                LaravelInput.TryParse(null, null, call.Query, call.Method, out input, out _); // the query is still input
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

        // ---------- lookups ----------

        private static bool FindServer(Call c, out ServerRecord s, out ApiResult? error)
        {
            s = c.Emu.State.FindServer(c.S)!;
            error = s == null ? c.Emu.NotFound(Model.Server, c.S) : null;
            return error == null;
        }

        private static bool FindApp(Call c, out WebAppRecord w, out ApiResult? error)
        {
            w = null!;
            if (!FindServer(c, out _, out error)) return false;
            w = c.Emu.State.FindWebApp(c.S, c.W)!;
            error = w == null ? c.Emu.NotFound(Model.WebApplication, c.W) : null;
            return error == null;
        }

        private static bool FindDomain(Call c, out WebAppRecord w, out DomainRecord d, out ApiResult? error)
        {
            d = null!;
            if (!FindApp(c, out w, out error)) return false;
            d = w.Domains.FirstOrDefault(x => x.Id == c.D)!;
            error = d == null ? c.Emu.NotFound(Model.Domain, c.D) : null;
            return error == null;
        }

        /// <summary>The models RunCloud binds from a route's ids (their class names are chosen: RunCloud's source is not public).</summary>
        internal enum Model { Server, WebApplication, Domain, SslCertificate, ExternalApi }

        /// <summary>
        /// A 404 for an id that names nothing, in the wording EmulatorOptions.NotFoundWording picks. Laravel's default (route
        /// model binding: ModelNotFoundException rendered by the default handler) is "No query results for model
        /// [App\Models\Server] 1234"; Plain is "Not Found."; Descriptive is "Server not found." and the like. A client
        /// must decide "absent" from state, not from these words: tests switch the wording to prove it.
        /// </summary>
        internal ApiResult NotFound(Model model, long id)
        {
            switch (_options.NotFoundWording)
            {
                case NotFoundWording.Plain: return Error(404, "Not Found.");
                case NotFoundWording.Descriptive:
                    var what = model == Model.WebApplication ? "Web application" : model == Model.SslCertificate ? "SSL" : model == Model.ExternalApi ? "3rd party API key" : model.ToString();
                    return Error(404, what + " not found.");
                default:
                    return Error(404, "No query results for model [App\\Models\\" + model + "] " + id.ToString(CultureInfo.InvariantCulture));
            }
        }

        /// <summary>A 404 for a path no route has: Laravel's "The route api/v3/x could not be found." (or Plain/Descriptive "Not Found.").</summary>
        internal string RouteNotFoundMessage(string path) =>
            _options.NotFoundWording == NotFoundWording.Laravel ? "The route " + path.Trim('/') + " could not be found." : "Not Found.";

        private ApiResult NoSsl() => Error(_options.NoSslStatusCode, "SSL not installed!");

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
    }
}
