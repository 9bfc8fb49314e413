using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>
    /// An in-process RunCloud API emulator on 127.0.0.1 (System.Net.HttpListener). Serves /api/v2/ (Basic key:secret
    /// or Bearer token) and /api/v3/ (Bearer only), plus loopback-only admin endpoints under /_emulator/.
    /// </summary>
    public sealed partial class RunCloudEmulator : IDisposable
    {
        private const int MaxLoggedRequests = 100_000;
        private readonly EmulatorOptions _options;
        private readonly RateLimiter _rate;
        private readonly List<RecordedRequest> _log = new List<RecordedRequest>();
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();
        private HttpListener? _listener;
        private Task? _loop;
        private int _stopped;

        public Uri BaseUri { get; private set; } = new Uri("http://127.0.0.1/");
        public string ApiKey => _options.ApiKey;
        public string ApiSecret => _options.ApiSecret;
        public string Token => _options.Token;
        public int Port { get; private set; }
        public bool IsRunning => _listener != null && _listener.IsListening && _stopped == 0;
        public EmulatorState State { get; } = new EmulatorState();
        public FaultInjector Faults { get; } = new FaultInjector();
        public EmulatorOptions Options => _options;
        /// <summary>The emulated clock: certificate dates and Let's Encrypt's windows follow it (Advance, Freeze).</summary>
        public EmulatorClock Clock => State.Clock;
        /// <summary>The DNS table that Let's Encrypt's HTTP-01 validation resolves; by default every domain points at its server.</summary>
        public EmulatorDns Dns => State.Dns;
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
            Exception? last = null;
            for (int attempt = 0; attempt < 10; attempt++)
            {
                int port = _options.Port != 0 ? _options.Port : FreePort();
                var listener = new HttpListener { IgnoreWriteExceptions = true };
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                }
                catch (HttpListenerException ex)
                {
                    last = ex;
                    try { listener.Close(); } catch { /* already failed */ }
                    if (_options.Port != 0) break; // a fixed port that is taken: no point retrying
                    continue;
                }
                _listener = listener;
                Port = port;
                BaseUri = new Uri($"http://127.0.0.1:{port}/");
                _loop = Task.Run(AcceptLoop);
                return;
            }
            throw new InvalidOperationException($"The RunCloud emulator could not listen on 127.0.0.1:{(_options.Port == 0 ? "<free port>" : _options.Port.ToString())}: {last?.Message}", last);
        }

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            try { return ((IPEndPoint)l.LocalEndpoint).Port; }
            finally { l.Stop(); }
        }

        private async Task AcceptLoop()
        {
            var listener = _listener!;
            while (!_cts.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_cts.IsCancellationRequested || !listener.IsListening)
                {
                    break;
                }
                catch (HttpListenerException)
                {
                    continue;
                }
                _ = Task.Run(() => HandleSafeAsync(ctx));
            }
        }

        /// <summary>Stops listening and frees the port; in-flight delayed requests are abandoned.</summary>
        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
            try { _cts.Cancel(); } catch (ObjectDisposedException) { }
            var l = _listener;
            if (l != null)
            {
                try { l.Stop(); } catch (ObjectDisposedException) { }
                try { l.Close(); } catch (ObjectDisposedException) { }
            }
            try { _loop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
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

        /// <summary>Removes secrets from text bound for the log: privateKey values, the API secret and the token.</summary>
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
                    if (string.Equals(p.Name, "privateKey", StringComparison.OrdinalIgnoreCase) || string.Equals(p.Name, "private_key", StringComparison.OrdinalIgnoreCase))
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
                t = System.Text.RegularExpressions.Regex.Replace(t, @"(^|&)(privateKey|private_key)=[^&]*", "$1$2=***",
                    System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            }
            foreach (var secret in new[] { _options.ApiSecret, _options.Token })
                if (!string.IsNullOrEmpty(secret)) t = t.Replace(secret, "***");
            return t;
        }

        // ---------- HTTP plumbing ----------

        private async Task HandleSafeAsync(HttpListenerContext ctx)
        {
            try
            {
                await HandleAsync(ctx).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                try
                {
                    WriteJson(ctx.Response, 500, new JObject { ["message"] = "Emulator error: " + ex.Message });
                }
                catch
                {
                    try { ctx.Response.Abort(); } catch { /* gone */ }
                }
            }
        }

        private static void WriteJson(HttpListenerResponse res, int status, JToken? body, IDictionary<string, string>? headers = null) =>
            WriteText(res, status, body == null ? null : body.ToString(Formatting.None), headers);

        private static void WriteText(HttpListenerResponse res, int status, string? text, IDictionary<string, string>? headers)
        {
            res.StatusCode = status;
            if (headers != null)
                foreach (var h in headers) res.Headers[h.Key] = h.Value;
            var bytes = Encoding.UTF8.GetBytes(text ?? "");
            if (text != null) res.ContentType = "application/json";
            res.ContentLength64 = bytes.Length;
            try
            {
                if (bytes.Length > 0) res.OutputStream.Write(bytes, 0, bytes.Length);
                res.Close();
            }
            catch (HttpListenerException) { /* client went away */ }
            catch (ObjectDisposedException) { }
            catch (IOException) { }
        }

        private async Task HandleAsync(HttpListenerContext ctx)
        {
            var req = ctx.Request;
            var res = ctx.Response;
            var path = req.Url?.AbsolutePath ?? "/";
            var query = (req.Url?.Query ?? "").TrimStart('?');

            if (path.StartsWith("/_emulator/", StringComparison.OrdinalIgnoreCase) || path.Equals("/_emulator", StringComparison.OrdinalIgnoreCase))
            {
                string adminBody = await ReadBodyAsync(req).ConfigureAwait(false);
                HandleAdmin(ctx, path, adminBody);
                return;
            }

            string body = await ReadBodyAsync(req).ConfigureAwait(false);
            var rec = new RecordedRequest
            {
                Time = DateTime.UtcNow,
                Method = req.HttpMethod.ToUpperInvariant(),
                Path = path,
                Query = Redact(query) ?? "",
                Body = body.Length == 0 ? null : Redact(body),
                ContentType = req.ContentType,
                BodyKind = LaravelInput.Classify(req.ContentType, body),
            };

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
            var (scheme, authOk, identity) = Authenticate(req, version);
            rec.AuthScheme = scheme;

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            bool allowed = _rate.Hit(identity, out var limit, out var remaining, out var retryAfter);
            if (limit > 0)
            {
                headers["X-RateLimit-Limit"] = limit.ToString();
                headers["X-RateLimit-Remaining"] = remaining.ToString();
            }
            if (!allowed)
            {
                if (_options.SendRetryAfter) headers["Retry-After"] = retryAfter.ToString();
                Answer(res, rec, 429, new JObject { ["message"] = "Too Many Attempts." }, headers);
                return;
            }

            // Faults
            if (version.Length > 0)
            {
                var fault = Faults.Take(rec.Method, apiPath);
                if (fault != null)
                {
                    rec.Fault = fault.ToString();
                    switch (fault.Kind)
                    {
                        case FaultKind.Reset:
                            AbortAndRecord(ctx, rec);
                            return;
                        case FaultKind.Status:
                            Answer(res, rec, fault.StatusCode, new JObject { ["message"] = StatusMessage(fault.StatusCode) }, headers);
                            return;
                        case FaultKind.MalformedJson:
                            rec.StatusCode = 200;
                            Record(rec);
                            WriteText(res, 200, "{\"data\":[{\"id\":" + EmulatorDefaults.PrimaryDomainId + ",\"name\":\"shop.exa", headers);
                            return;
                        case FaultKind.RateLimited:
                            headers["Retry-After"] = Math.Max(0, fault.RetryAfterSeconds).ToString();
                            if (headers.ContainsKey("X-RateLimit-Remaining")) headers["X-RateLimit-Remaining"] = "0";
                            Answer(res, rec, 429, new JObject { ["message"] = "Too Many Attempts." }, headers);
                            return;
                        case FaultKind.Latency:
                            try
                            {
                                await Task.Delay(fault.Latency, _cts.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException)
                            {
                                AbortAndRecord(ctx, rec);
                                return;
                            }
                            if (!fault.ApplyAfterLatency)
                            {
                                AbortAndRecord(ctx, rec);
                                return;
                            }
                            break;
                    }
                }
            }

            if (version.Length == 0)
            {
                Answer(res, rec, 404, new JObject { ["message"] = "Not Found." }, headers);
                return;
            }
            if (!authOk)
            {
                Answer(res, rec, 401, new JObject { ["message"] = "Invalid credentials." }, headers);
                return;
            }

            var result = Dispatch(new Call(this, rec.Method, version, apiPath, ParseQuery(query), body, req.ContentType));
            foreach (var h in result.Headers) headers[h.Key] = h.Value;
            Answer(res, rec, result.Status, result.Body, headers);
        }

        private void Answer(HttpListenerResponse res, RecordedRequest rec, int status, JToken? body, IDictionary<string, string> headers)
        {
            rec.StatusCode = status;
            Record(rec);
            WriteJson(res, status, body, headers);
        }

        private void AbortAndRecord(HttpListenerContext ctx, RecordedRequest rec)
        {
            rec.StatusCode = 0;
            Record(rec);
            ResetConnection(ctx);
        }

        /// <summary>
        /// Drops the connection without an answer. On Windows (http.sys) HttpListenerResponse.Abort() does that; the managed
        /// HttpListener (Linux, macOS) still flushes an empty 200 on Abort(), so there the socket is closed first with
        /// linger 0 (a TCP reset), reached by reflection on its private fields (.NET's or Mono's names); when they are not
        /// found, Abort() is used.
        /// </summary>
        private static void ResetConnection(HttpListenerContext ctx)
        {
            try
            {
                const System.Reflection.BindingFlags Flags = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;
                // .NET's managed listener names them _connection/_socket, Mono's (the net472 lane) cnc/sock.
                var conn = (ctx.GetType().GetField("_connection", Flags) ?? ctx.GetType().GetField("cnc", Flags))?.GetValue(ctx);
                var socketField = conn?.GetType().GetField("_socket", Flags) ?? conn?.GetType().GetField("sock", Flags);
                if (socketField?.GetValue(conn) is Socket socket)
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is MemberAccessException || ex is InvalidOperationException)
            {
                // fall back to Abort below
            }
            try { ctx.Response.Abort(); }
            catch (Exception ex) when (ex is ObjectDisposedException || ex is IOException || ex is HttpListenerException || ex is SocketException || ex is InvalidOperationException) { }
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

        private static async Task<string> ReadBodyAsync(HttpListenerRequest req)
        {
            if (!req.HasEntityBody) return "";
            using (var reader = new StreamReader(req.InputStream, req.ContentEncoding ?? Encoding.UTF8))
                return await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        private (string scheme, bool ok, string identity) Authenticate(HttpListenerRequest req, string version)
        {
            var header = req.Headers["Authorization"];
            var anon = "anon:" + (req.RemoteEndPoint?.Address?.ToString() ?? "?");
            if (string.IsNullOrWhiteSpace(header)) return ("None", false, anon);
            header = header!.Trim();
            int sp = header.IndexOf(' ');
            var scheme = sp < 0 ? header : header.Substring(0, sp);
            var value = sp < 0 ? "" : header.Substring(sp + 1).Trim();
            if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                string decoded;
                try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value)); }
                catch (FormatException) { return ("Basic", false, anon); }
                int colon = decoded.IndexOf(':');
                var key = colon < 0 ? decoded : decoded.Substring(0, colon);
                var secret = colon < 0 ? "" : decoded.Substring(colon + 1);
                bool ok = version == "v2" && key == _options.ApiKey && secret == _options.ApiSecret;
                // Basic on v3 is refused (v3 takes Bearer tokens only).
                return ("Basic", ok, ok ? "key:" + key : anon);
            }
            if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                bool ok = value == _options.Token;
                return ("Bearer", ok, ok ? "token" : anon);
            }
            return (scheme.Length > 20 ? scheme.Substring(0, 20) : scheme, false, anon);
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
