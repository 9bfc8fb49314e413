using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.Emulator.Http;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>
    /// An in-process RunCloud API emulator on 127.0.0.1 (its own HTTP/1.1 server over TcpListener: see HttpWireServer). Serves /api/v2/ (Basic key:secret
    /// or Bearer token) and /api/v3/ (Bearer only), plus loopback-only admin endpoints under /_emulator/.
    /// </summary>
    public sealed partial class RunCloudEmulator : IDisposable
    {
        private const int MaxLoggedRequests = 100_000;
        private readonly EmulatorOptions _options;
        private readonly RateLimiter _rate;
        private readonly List<RecordedRequest> _log = new List<RecordedRequest>();
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();
        private HttpWireServer? _server;
        private int _stopped;

        public Uri BaseUri { get; private set; } = new Uri("http://127.0.0.1/");
        public string ApiKey => _options.ApiKey;
        public string ApiSecret => _options.ApiSecret;
        public string Token => _options.Token;
        public int Port { get; private set; }
        public bool IsRunning => _server != null && _server.IsListening && _stopped == 0;
        public EmulatorState State { get; } = new EmulatorState();
        public FaultInjector Faults { get; } = new FaultInjector();
        public EmulatorOptions Options => _options;
        /// <summary>The emulated clock: certificate dates and Let's Encrypt's windows follow it (Advance, Freeze).</summary>
        public EmulatorClock Clock => State.Clock;
        /// <summary>The DNS table that Let's Encrypt's HTTP-01 validation resolves; by default every domain points at its server.</summary>
        public EmulatorDns Dns => State.Dns;
        /// <summary>An Ultimate Multisite network's REST API on this emulator's address (/wp-json/wu/v2/), off until a network is set.</summary>
        public UltimateMultisiteApi UltimateMultisite { get; } = new UltimateMultisiteApi();

        /// <summary>Convenience: BaseUri + "api/v2/".</summary>
        public Uri ApiV2Uri => new Uri(BaseUri, "api/v2/");
        /// <summary>Convenience: BaseUri + "api/v3/".</summary>
        public Uri ApiV3Uri => new Uri(BaseUri, "api/v3/");

        private RunCloudEmulator(EmulatorOptions options)
        {
            _options = options;
            _rate = new RateLimiter(options.RateLimitPerWindow, options.RateLimitWindow);
            foreach (var f in options.Faults) Faults.Add(f);
            if (options.Clock != null) State.Clock = options.Clock;
            State.MaxNamesPerCertificate = options.MaxNamesPerCertificate;
            State.DuplicateCertificateLimit = options.DuplicateCertificateLimit;
            State.NewOrdersLimit = options.NewOrdersLimit;
            State.FailedValidationLimit = options.FailedValidationLimit;
            State.CertificatesPerDomainLimit = options.CertificatesPerDomainLimit;
        }

        /// <summary>Seeds the state (StatePath if it exists, else the default data unless SeedDefaultData is false) and starts listening.</summary>
        public static RunCloudEmulator Start(EmulatorOptions? options = null)
        {
            options ??= new EmulatorOptions();
            if (options.Port < 0 || options.Port > 65535) throw new ArgumentOutOfRangeException(nameof(options), "Port must be 0-65535.");
            var emu = new RunCloudEmulator(options);
            if (!string.IsNullOrEmpty(options.StatePath) && File.Exists(options.StatePath))
                emu.State.LoadJson(File.ReadAllText(options.StatePath));
            else if (options.SeedDefaultData)
                emu.State.SeedDefaults();
            emu.Listen();
            if (options.TlsPort.HasValue)
            {
                if (options.TlsPort.Value < 0 || options.TlsPort.Value > 65535) { emu.Stop(); throw new ArgumentOutOfRangeException(nameof(options), "TlsPort must be 0-65535."); }
                try { emu.StartTls(options.TlsPort.Value); }
                catch { emu.Stop(); throw; }
            }
            if (options.DnsPort.HasValue)
            {
                if (options.DnsPort.Value < 0 || options.DnsPort.Value > 65535) { emu.Stop(); throw new ArgumentOutOfRangeException(nameof(options), "DnsPort must be 0-65535."); }
                try { emu.StartDns(options.DnsPort.Value); }
                catch { emu.Stop(); throw; }
            }
            return emu;
        }

        private void Listen()
        {
            var server = new HttpWireServer(HandleSafeAsync, _cts.Token);
            try
            {
                server.Start(_options.Port);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"The RunCloud emulator could not listen on 127.0.0.1:{(_options.Port == 0 ? "<free port>" : _options.Port.ToString())}: {ex.Message}", ex);
            }
            _server = server;
            Port = server.Port;
            BaseUri = new Uri($"http://127.0.0.1:{Port}/");
        }

        /// <summary>Stops listening and frees the port; in-flight delayed requests are abandoned.</summary>
        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
            try { _cts.Cancel(); } catch (ObjectDisposedException) { }
            _server?.Stop();
            StopTls();
            StopDns();
        }

        public void Dispose() => Stop();

        /// <summary>Writes the state to StatePath (or the path given).</summary>
        public void Save(string? path = null)
        {
            var p = path ?? _options.StatePath;
            if (string.IsNullOrEmpty(p)) throw new InvalidOperationException("No StatePath was given.");
            State.Save(p!);
        }

        // ---------- request log ----------

        /// <summary>A snapshot of the request log, oldest first.</summary>
        public IReadOnlyList<RecordedRequest> GetRequests()
        {
            lock (_log) return _log.ToList();
        }

        public void ClearRequests()
        {
            lock (_log) _log.Clear();
        }

        public void SetRateLimit(int perWindow, TimeSpan window)
        {
            _options.RateLimitPerWindow = perWindow;
            _options.RateLimitWindow = window;
            _rate.Set(perWindow, window);
        }

        /// <summary>Host names of the app (domains, and www. variants when www=1) that its certificate(s) do not cover; all of them when no SSL.</summary>
        public IReadOnlyList<string> GetUncoveredDomains(long serverId, long webAppId) => State.GetUncoveredDomains(serverId, webAppId);

        private void Record(RecordedRequest r)
        {
            lock (_log)
            {
                _log.Add(r);
                if (_log.Count > MaxLoggedRequests) _log.RemoveRange(0, _log.Count - MaxLoggedRequests);
            }
        }

        /// <summary>Body fields whose values never reach the log: a certificate's private key, a DNS integration's secret.</summary>
        private static readonly HashSet<string> SecretFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "privateKey", "private_key", "secret", "password" };

        /// <summary>Removes secrets from text bound for the log: privateKey and secret values, the API secret and the tokens.</summary>
        private string? Redact(string? text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            var t = text!;
            try
            {
                var token = JToken.Parse(t);
                bool changed = false;
                foreach (var p in token.SelectTokens("$..*").OfType<JValue>().Select(v => v.Parent).OfType<JProperty>().ToList())
                {
                    if (SecretFields.Contains(p.Name))
                    {
                        p.Value = "***";
                        changed = true;
                    }
                }
                if (changed) t = token.ToString(Formatting.None);
            }
            catch (JsonException)
            {
                // not JSON: a form body's privateKey=... is redacted the same way
                t = System.Text.RegularExpressions.Regex.Replace(t, @"(^|&)(privateKey|private_key|secret|password)=[^&]*", "$1$2=***",
                    System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            }
            foreach (var secret in new[] { _options.ApiSecret, _options.Token, UltimateMultisite.ApiSecret }.Concat(_options.AdditionalTokens))
                if (!string.IsNullOrEmpty(secret)) t = t.Replace(secret, "***");
            return t;
        }

        // ---------- HTTP plumbing ----------

        private async Task<WireResponse> HandleSafeAsync(WireRequest req)
        {
            try
            {
                return await HandleAsync(req).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return Json(500, new JObject { ["message"] = "Emulator error: " + ex.Message });
            }
        }

        private static WireResponse Json(int status, JToken? body, IDictionary<string, string>? headers = null)
        {
            var r = WireResponse.Text(status, body?.ToString(Formatting.None));
            if (headers != null)
                foreach (var h in headers) r.Headers[h.Key] = h.Value;
            return r;
        }

        private async Task<WireResponse> HandleAsync(WireRequest req)
        {
            var path = req.Path;
            var query = req.Query;
            bool admin = path.StartsWith("/_emulator/", StringComparison.OrdinalIgnoreCase) || path.Equals("/_emulator", StringComparison.OrdinalIgnoreCase);
            if (admin && req.RefusedStatus == 0)
                return HandleAdmin(req, path, req.BodyText());

            string body = req.BodyText();
            var rec = new RecordedRequest
            {
                // The emulator's own clock (real time unless a test moved it), so a request log over a moved clock says
                // which emulated day each call fell on.
                Time = Clock.UtcNow,
                Method = req.Method,
                Path = path,
                Query = Redact(query) ?? "",
                Body = body.Length == 0 ? null : Redact(body),
                ContentType = req.ContentType,
                BodyKind = LaravelInput.Classify(req.ContentType, body),
                ContentLength = req.ContentLength,
                Chunked = req.Chunked,
                UserAgent = req.Header("User-Agent"),
                Refusal = req.Refusal,
            };

            // An Ultimate Multisite network's REST API (WordPress's /wp-json/), on the same address: logged like any request,
            // outside RunCloud's rate limit and faults (it is another server).
            if (req.RefusedStatus == 0 && (path.StartsWith("/wp-json/", StringComparison.OrdinalIgnoreCase) || path.Equals("/wp-json", StringComparison.OrdinalIgnoreCase)))
            {
                rec.AuthScheme = req.Header("Authorization")?.Split(' ')[0] ?? "None";
                var um = UltimateMultisite.Answer(req.Method, path.Substring("/wp-json".Length), ParseQuery(query), req.Header("Authorization"));
                return Answer(rec, um.Status, um.Body, um.Headers);
            }

            // Version and path after /api/vN/
            string version = "", apiPath = path.Trim('/');
            var segs = apiPath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            if (segs.Length >= 2 && segs[0].Equals("api", StringComparison.OrdinalIgnoreCase) && (segs[1] == "v2" || segs[1] == "v3"))
            {
                version = segs[1];
                apiPath = string.Join("/", segs.Skip(2));
            }
            rec.ApiVersion = version;

            // Authentication (checked now, answered after the rate limit and faults)
            var auth = Authenticate(req, version);
            rec.AuthScheme = auth.Scheme;
            rec.Account = auth.Account;

            // A request that could not be read as HTTP is answered before anything else (as nginx would, before RunCloud's
            // code), and logged like any other.
            if (req.RefusedStatus != 0)
                return Answer(rec, req.RefusedStatus, new JObject { ["message"] = "Bad request: " + req.Refusal + "." }, null, close: true);

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            bool allowed = _rate.Hit(auth.Identity, out var limit, out var remaining, out var retryAfter);
            if (limit > 0)
            {
                headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
                headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            }
            if (!allowed)
            {
                if (_options.SendRetryAfter) headers["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture);
                return Answer(rec, 429, new JObject { ["message"] = "Too Many Attempts." }, headers);
            }

            // Faults
            if (version.Length > 0)
            {
                var fault = Faults.Take(rec.Method, apiPath, auth.Presented);
                if (fault != null)
                {
                    rec.Fault = fault.ToString();
                    switch (fault.Kind)
                    {
                        case FaultKind.Reset:
                            return ResetAndRecord(rec);
                        case FaultKind.Status:
                            return Answer(rec, fault.StatusCode, new JObject { ["message"] = StatusMessage(fault.StatusCode) }, headers);
                        case FaultKind.MalformedJson:
                            rec.StatusCode = 200;
                            Record(rec);
                            var truncated = WireResponse.Text(200, "{\"data\":[{\"id\":" + EmulatorDefaults.PrimaryDomainId + ",\"name\":\"shop.exa");
                            foreach (var h in headers) truncated.Headers[h.Key] = h.Value;
                            return truncated;
                        case FaultKind.RateLimited:
                            headers["Retry-After"] = Math.Max(0, fault.RetryAfterSeconds).ToString(CultureInfo.InvariantCulture);
                            if (headers.ContainsKey("X-RateLimit-Remaining")) headers["X-RateLimit-Remaining"] = "0";
                            return Answer(rec, 429, new JObject { ["message"] = "Too Many Attempts." }, headers);
                        case FaultKind.Latency:
                            try
                            {
                                await Task.Delay(fault.Latency, _cts.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException)
                            {
                                return ResetAndRecord(rec);
                            }
                            if (!fault.ApplyAfterLatency) return ResetAndRecord(rec);
                            break;
                    }
                }
            }

            if (version.Length == 0)
                return Answer(rec, 404, new JObject { ["message"] = RouteNotFoundMessage(path) }, headers);
            if (!auth.Ok)
                return Answer(rec, 401, new JObject { ["message"] = "Invalid credentials." }, headers);

            var result = Dispatch(new Call(this, rec.Method, version, apiPath, ParseQuery(query), body, req.ContentType));
            foreach (var h in result.Headers) headers[h.Key] = h.Value;
            return Answer(rec, result.Status, result.Body, headers);
        }

        private WireResponse Answer(RecordedRequest rec, int status, JToken? body, IDictionary<string, string>? headers, bool close = false)
        {
            rec.StatusCode = status;
            Record(rec);
            var r = Json(status, body, headers);
            r.Close = close;
            return r;
        }

        /// <summary>Drops the connection without an answer (a TCP reset); logged with status 0.</summary>
        private WireResponse ResetAndRecord(RecordedRequest rec)
        {
            rec.StatusCode = 0;
            Record(rec);
            return new WireResponse(0) { Reset = true };
        }

        private static string StatusMessage(int code)
        {
            switch (code)
            {
                case 500: return "Server Error";
                case 502: return "Bad Gateway";
                case 503: return "Service Unavailable";
                case 504: return "Gateway Timeout";
                case 429: return "Too Many Attempts.";
                default: return "Injected fault " + code + ".";
            }
        }

        private sealed class AuthResult
        {
            public string Scheme = "None";
            public bool Ok;
            /// <summary>The rate-limit key: the account, or the caller's IP when unauthenticated.</summary>
            public string Identity = "";
            /// <summary>Which account the credentials name, for the log: "token", "token2"..., "key", or "" when none is valid.</summary>
            public string Account = "";
            /// <summary>The token or API key presented (matched by fault rules, never logged).</summary>
            public string? Presented;
        }

        private AuthResult Authenticate(WireRequest req, string version)
        {
            var header = req.Header("Authorization");
            var anon = "anon:" + (req.Remote?.Address?.ToString() ?? "?");
            var r = new AuthResult { Identity = anon };
            if (string.IsNullOrWhiteSpace(header)) return r;
            header = header!.Trim();
            int sp = header.IndexOf(' ');
            var scheme = sp < 0 ? header : header.Substring(0, sp);
            var value = sp < 0 ? "" : header.Substring(sp + 1).Trim();
            if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                r.Scheme = "Basic";
                string decoded;
                try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value)); }
                catch (FormatException) { return r; }
                int colon = decoded.IndexOf(':');
                var key = colon < 0 ? decoded : decoded.Substring(0, colon);
                var secret = colon < 0 ? "" : decoded.Substring(colon + 1);
                r.Presented = key;
                // Basic on v3 is refused (v3 takes Bearer tokens only).
                r.Ok = version == "v2" && key == _options.ApiKey && secret == _options.ApiSecret;
                if (r.Ok) { r.Identity = "key:" + key; r.Account = "key"; }
                return r;
            }
            if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                r.Scheme = "Bearer";
                r.Presented = value;
                if (value == _options.Token) { r.Ok = true; r.Identity = "token"; r.Account = "token"; }
                else
                {
                    int i = _options.AdditionalTokens.IndexOf(value);
                    if (i >= 0 && value.Length > 0)
                    {
                        r.Ok = true;
                        r.Account = "token" + (i + 2).ToString(CultureInfo.InvariantCulture);
                        r.Identity = r.Account;
                    }
                }
                return r;
            }
            r.Scheme = scheme.Length > 20 ? scheme.Substring(0, 20) : scheme;
            return r;
        }

        internal static Dictionary<string, string> ParseQuery(string query)
        {
            var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var part in query.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=');
                var k = Uri.UnescapeDataString((eq < 0 ? part : part.Substring(0, eq)).Replace('+', ' '));
                var v = eq < 0 ? "" : Uri.UnescapeDataString(part.Substring(eq + 1).Replace('+', ' '));
                d[k] = v;
            }
            return d;
        }
    }
}
