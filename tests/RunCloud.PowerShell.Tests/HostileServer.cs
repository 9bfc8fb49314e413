#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>What the hostile server does wrong.</summary>
    public enum HostileMode
    {
        /// <summary>A well-behaved RunCloud: the control case.</summary>
        Normal,
        /// <summary>Headers at once, then the body one byte every 200 ms, for far longer than any timeout.</summary>
        Drip,
        /// <summary>Announces a Content-Length, sends a tenth of it and closes the connection.</summary>
        Truncate,
        /// <summary>A 200 whose chunked body never ends (no Content-Length): only a size cap stops it.</summary>
        Huge,
        /// <summary>Every listing page is full and announces one more page than the last.</summary>
        EndlessPages,
        /// <summary>Page 2 (and every later page) repeats page 1 while meta announces many pages.</summary>
        RepeatedPage,
        /// <summary>"id": "abc", huge numbers and meta of the wrong type.</summary>
        WrongTypes,
        /// <summary>A 422 (or 500) whose message repeats the Authorization header's value and the token.</summary>
        EchoSecret,
        /// <summary>Names and messages carrying ESC, CR, LF and C1 control characters.</summary>
        ControlCharacters,
        /// <summary>429 with Retry-After: 86400.</summary>
        RetryAfterDay,
        /// <summary>Announces a Content-Length, sends part of the body and resets the connection (RST).</summary>
        ResetMidBody,
        /// <summary>302 to another host.</summary>
        Redirect,
        /// <summary>Well-behaved, except that every DELETE's answer is cut mid-body: a sync has added before it fails.</summary>
        CutOnDelete,
        /// <summary>
        /// Another client removed a domain a moment before this one's DELETE: the DELETE answers 404 in Laravel's default
        /// wording ("No query results for model [App\Models\Domain] 2"), and from then on the listing no longer has it.
        /// </summary>
        VanishedDomain,
        /// <summary>Every DELETE of a domain answers 404 in Laravel's wording, yet the domain stays listed: a 404 that lies.</summary>
        LyingNotFound,
    }

    /// <summary>
    /// An in-process HTTP/1.1 server on loopback that misbehaves on purpose. Built on TcpListener so the test controls
    /// every byte and its timing (a real HTTP stack would fix up lengths and refuse to drip). It plays a RunCloud with one
    /// server (1), one web app (2) and two domains (1 example.com primary, 2 old.example.com alias) and applies
    /// <see cref="Mode"/> to every answer. It records what it received, Authorization headers included, so tests can
    /// look for where a secret went.
    /// </summary>
    public sealed class HostileServer : IDisposable
    {
        public const string Secret = "tok-HOSTILE-5ecr3t-0123456789";
        private static readonly Regex s_requestLine = new Regex(@"^(?<method>[A-Z]+) (?<target>\S+) HTTP/1\.[01]$", RegexOptions.CultureInvariant);
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly List<string> _requests = new List<string>();
        private readonly List<string> _authorizations = new List<string>();
        private readonly HashSet<long> _vanished = new HashSet<long>();
        private readonly Task _accepting;
        private int _connections;

        public HostileServer(HostileMode mode)
        {
            Mode = mode;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = Task.Run(AcceptLoop);
        }

        public HostileMode Mode { get; set; }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Uri BaseUri => new Uri($"http://127.0.0.1:{Port}/api/v3/");

        /// <summary>"METHOD /path?query" of every request received, in order.</summary>
        public IReadOnlyList<string> Requests { get { lock (_requests) return _requests.ToArray(); } }

        public IReadOnlyList<string> Authorizations { get { lock (_requests) return _authorizations.ToArray(); } }

        public int Connections => Volatile.Read(ref _connections);

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _connections);
                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(TcpClient client)
        {
            using (client)
            {
                try
                {
                    client.NoDelay = true;
                    NetworkStream stream = client.GetStream();
                    var (method, target, headers, body) = await ReadRequest(stream).ConfigureAwait(false);
                    lock (_requests)
                    {
                        _requests.Add(method + " " + target);
                        if (headers.TryGetValue("authorization", out string? auth)) _authorizations.Add(auth);
                    }

                    await Answer(client, stream, method, target, headers, body).ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                }
                catch (IOException)
                {
                }
                catch (SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        private async Task<(string Method, string Target, Dictionary<string, string> Headers, string Body)> ReadRequest(NetworkStream stream)
        {
            var head = new MemoryStream();
            var one = new byte[1];
            while (true)
            {
                int n = await stream.ReadAsync(one, 0, 1, _stop.Token).ConfigureAwait(false);
                if (n == 0) throw new IOException("client closed");
                head.WriteByte(one[0]);
                long len = head.Length;
                byte[] buf = head.GetBuffer();
                if (len >= 4 && buf[len - 4] == '\r' && buf[len - 3] == '\n' && buf[len - 2] == '\r' && buf[len - 1] == '\n') break;
                if (len > 64 * 1024) throw new IOException("request head too long");
            }

            string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split(new[] { "\r\n" }, StringSplitOptions.None);
            Match m = s_requestLine.Match(lines[0]);
            if (!m.Success) throw new IOException("bad request line");
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 1; i < lines.Length; i++)
            {
                int colon = lines[i].IndexOf(':');
                if (colon > 0) headers[lines[i].Substring(0, colon).Trim().ToLowerInvariant()] = lines[i].Substring(colon + 1).Trim();
            }

            string body = string.Empty;
            if (headers.TryGetValue("content-length", out string? cl) && int.TryParse(cl, out int length) && length > 0)
            {
                var data = new byte[length];
                int read = 0;
                while (read < length)
                {
                    int n = await stream.ReadAsync(data, read, length - read, _stop.Token).ConfigureAwait(false);
                    if (n == 0) break;
                    read += n;
                }

                body = Encoding.UTF8.GetString(data, 0, read);
            }

            return (m.Groups["method"].Value, m.Groups["target"].Value, headers, body);
        }

        private static string Domain(long id, string name, string type = "alias") =>
            "{\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"name\":" + Quote(name) + ",\"type\":\"" + type
            + "\",\"www\":0,\"redirection\":\"none\",\"wildcard\":0,\"dns_integration\":\"none\",\"status\":null,\"created_at\":\"2024-07-18 01:31:10\"}";

        /// <summary>A JSON string literal (no Newtonsoft here: the file is also compiled by Add-Type in pwsh).</summary>
        private static string Quote(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in s)
            {
                if (c == '"' || c == '\\') sb.Append('\\').Append(c);
                else if (c < ' ' || (c >= '\u007f' && c <= '\u009f')) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else sb.Append(c);
            }

            return sb.Append('"').ToString();
        }

        private static string Page(IEnumerable<string> items, int count, int page, int totalPages) =>
            "{\"data\":[" + string.Join(",", items) + "],\"meta\":{\"pagination\":{\"total\":" + (totalPages * 40).ToString(CultureInfo.InvariantCulture)
            + ",\"count\":" + count.ToString(CultureInfo.InvariantCulture) + ",\"per_page\":40,\"current_page\":" + page.ToString(CultureInfo.InvariantCulture)
            + ",\"total_pages\":" + totalPages.ToString(CultureInfo.InvariantCulture) + ",\"links\":{}}}}";

        /// <summary>The answer a well-behaved RunCloud would give (status, JSON).</summary>
        private (int Status, string Json) Normal(string method, string path, int page, string body)
        {
            if (path.EndsWith("/ping", StringComparison.Ordinal)) return (200, "{\"message\":\"pong\"}");
            if (Regex.IsMatch(path, @"/domains$") && method == "GET")
            {
                return (200, Page(new[] { Domain(1, "example.com", "primary"), Domain(2, "old.example.com") }, 2, page, 1));
            }

            if (Regex.IsMatch(path, @"/domains$") && method == "POST")
            {
                Match named = Regex.Match(body, "\"name\"\\s*:\\s*\"(?<n>[^\"]*)\"");
                string name = named.Success ? named.Groups["n"].Value : "x.example.com";
                return (200, Domain(10, name));
            }

            if (Regex.IsMatch(path, @"/domains/\d+$") && method == "DELETE") return (200, Domain(2, "old.example.com"));
            if (path.EndsWith("/ssl", StringComparison.Ordinal)) return (200, "{\"message\":\"SSL not installed!\"}");
            if (path.EndsWith("/ssl/advanced", StringComparison.Ordinal)) return (200, "{\"advancedSSL\":false,\"autoSSL\":false}");
            return (404, "{\"message\":\"Not found\"}");
        }

        private async Task Answer(TcpClient client, NetworkStream stream, string method, string target, Dictionary<string, string> headers, string body)
        {
            string path = target.Split('?')[0];
            Match pageMatch = Regex.Match(target, @"[?&]page=(\d+)");
            int page = pageMatch.Success ? int.Parse(pageMatch.Groups[1].Value, CultureInfo.InvariantCulture) : 1;
            bool listing = method == "GET" && path.EndsWith("/domains", StringComparison.Ordinal);
            (int status, string json) = Normal(method, path, page, body);
            string? extraHeaders = null;
            HostileMode mode = Mode == HostileMode.CutOnDelete ? (method == "DELETE" ? HostileMode.Truncate : HostileMode.Normal) : Mode;
            switch (mode)
            {
                case HostileMode.Drip:
                    await WriteHead(stream, 200, "application/json", 100000, null).ConfigureAwait(false);
                    for (int i = 0; i < 100000 && !_stop.IsCancellationRequested; i++)
                    {
                        await stream.WriteAsync(new[] { (byte)' ' }, 0, 1, _stop.Token).ConfigureAwait(false);
                        await Task.Delay(200, _stop.Token).ConfigureAwait(false);
                    }

                    return;
                case HostileMode.Truncate:
                case HostileMode.ResetMidBody:
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(json.PadRight(1000));
                    await WriteHead(stream, status, "application/json", bytes.Length, null).ConfigureAwait(false);
                    await stream.WriteAsync(bytes, 0, bytes.Length / 10, _stop.Token).ConfigureAwait(false);
                    await stream.FlushAsync(_stop.Token).ConfigureAwait(false);
                    if (mode == HostileMode.ResetMidBody) client.Client.LingerState = new LingerOption(true, 0); // close = RST
                    else client.Client.Shutdown(SocketShutdown.Send);
                    return;
                }

                case HostileMode.Huge:
                {
                    string headText = $"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                    byte[] headBytes = Encoding.ASCII.GetBytes(headText);
                    await stream.WriteAsync(headBytes, 0, headBytes.Length, _stop.Token).ConfigureAwait(false);
                    byte[] chunkData = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
                    byte[] chunkHead = Encoding.ASCII.GetBytes(chunkData.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
                    byte[] crlf = Encoding.ASCII.GetBytes("\r\n");
                    byte[] open = Encoding.ASCII.GetBytes("{\"data\":[");
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("9\r\n"), 0, 3, _stop.Token).ConfigureAwait(false);
                    await stream.WriteAsync(open, 0, open.Length, _stop.Token).ConfigureAwait(false);
                    await stream.WriteAsync(crlf, 0, 2, _stop.Token).ConfigureAwait(false);
                    for (long sent = 0; sent < 10L * 1024 * 1024 * 1024 && !_stop.IsCancellationRequested; sent += chunkData.Length)
                    {
                        await stream.WriteAsync(chunkHead, 0, chunkHead.Length, _stop.Token).ConfigureAwait(false);
                        await stream.WriteAsync(chunkData, 0, chunkData.Length, _stop.Token).ConfigureAwait(false);
                        await stream.WriteAsync(crlf, 0, 2, _stop.Token).ConfigureAwait(false);
                    }

                    return;
                }

                case HostileMode.EndlessPages:
                    if (listing)
                    {
                        var items = new List<string>();
                        for (int i = 0; i < 40; i++) items.Add(Domain(1000L * page + i, $"d{page}-{i}.example.com"));
                        json = Page(items, 40, page, page + 1);
                    }

                    break;
                case HostileMode.RepeatedPage:
                    if (listing)
                    {
                        var items = new List<string> { Domain(1, "example.com", "primary"), Domain(2, "old.example.com") };
                        for (int i = 0; i < 38; i++) items.Add(Domain(100 + i, $"r{i}.example.com"));
                        json = Page(items, 40, page, 1000);
                    }

                    break;
                case HostileMode.WrongTypes:
                    if (listing)
                    {
                        json = "{\"data\":[{\"id\":\"abc\",\"name\":\"a.example.com\",\"type\":\"alias\"},{\"id\":123456789012345678901234567890,\"name\":\"b.example.com\"}],"
                             + "\"meta\":{\"pagination\":\"many\"}}";
                    }
                    else if (method == "POST")
                    {
                        json = "{\"id\":\"abc\",\"name\":[1,2],\"www\":{}}";
                    }
                    else if (method == "DELETE")
                    {
                        json = "{\"id\":99999999999999999999999999,\"name\":\"old.example.com\"}";
                    }

                    break;
                case HostileMode.EchoSecret:
                {
                    string auth = headers.TryGetValue("authorization", out string? a) ? a : string.Empty;
                    string token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth.Substring(7) : auth;
                    if (!path.EndsWith("/ping", StringComparison.Ordinal))
                    {
                        status = method == "GET" ? 500 : 422;
                        json = "{\"message\":" + Quote($"Bad credentials {auth} ({token})") + ",\"errors\":{\"name\":[" + Quote("token " + token + " rejected") + "]}}";
                    }

                    break;
                }

                case HostileMode.ControlCharacters:
                    if (listing)
                    {
                        json = Page(new[] { Domain(1, "example.com", "primary"), Domain(2, "old.example.com"), Domain(3, "evil\u001b[2J\r\nFORGED LINE.example.com"),
                            "{\"id\":4,\"name\":\"ok.example.com\",\"type\":\"alias\",\"status\":\"\u001b]0;pwned\u0007\u009b31m\"}" }, 4, page, 1);
                    }
                    else if (method != "GET")
                    {
                        status = 422;
                        json = "{\"message\":" + Quote("refused\r\n[ERROR] FORGED \u001b[31mred\u009b0m") + "}";
                    }

                    break;
                case HostileMode.VanishedDomain:
                case HostileMode.LyingNotFound:
                {
                    Match deleted = Regex.Match(path, @"/domains/(\d+)$");
                    if (method == "DELETE" && deleted.Success)
                    {
                        long id = long.Parse(deleted.Groups[1].Value, CultureInfo.InvariantCulture);
                        if (mode == HostileMode.VanishedDomain) lock (_vanished) _vanished.Add(id);
                        status = 404;
                        json = "{\"message\":\"No query results for model [App\\\\Models\\\\Domain] " + id.ToString(CultureInfo.InvariantCulture) + "\"}";
                    }
                    else if (listing)
                    {
                        var items = new List<string>();
                        lock (_vanished)
                        {
                            if (!_vanished.Contains(1)) items.Add(Domain(1, "example.com", "primary"));
                            if (!_vanished.Contains(2)) items.Add(Domain(2, "old.example.com"));
                        }

                        json = Page(items, items.Count, page, 1);
                    }

                    break;
                }

                case HostileMode.RetryAfterDay:
                    if (!path.EndsWith("/ping", StringComparison.Ordinal))
                    {
                        status = 429;
                        json = "{\"message\":\"Too Many Attempts.\"}";
                        extraHeaders = "Retry-After: 86400\r\n";
                    }

                    break;
                case HostileMode.Redirect:
                    if (!path.EndsWith("/ping", StringComparison.Ordinal))
                    {
                        status = 302;
                        json = "{}";
                        extraHeaders = "Location: https://elsewhere.invalid/login\r\n";
                    }

                    break;
            }

            byte[] payload = Encoding.UTF8.GetBytes(json);
            await WriteHead(stream, status, "application/json", payload.Length, extraHeaders).ConfigureAwait(false);
            await stream.WriteAsync(payload, 0, payload.Length, _stop.Token).ConfigureAwait(false);
            await stream.FlushAsync(_stop.Token).ConfigureAwait(false);
        }

        private async Task WriteHead(NetworkStream stream, int status, string contentType, long length, string? extra)
        {
            string reason = status switch { 200 => "OK", 302 => "Found", 404 => "Not Found", 422 => "Unprocessable Entity", 429 => "Too Many Requests", 500 => "Internal Server Error", _ => "Status" };
            string head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {length}\r\nConnection: close\r\n{extra}\r\n";
            byte[] bytes = Encoding.ASCII.GetBytes(head);
            await stream.WriteAsync(bytes, 0, bytes.Length, _stop.Token).ConfigureAwait(false);
            await stream.FlushAsync(_stop.Token).ConfigureAwait(false);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                _accepting.Wait(TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
            }

            _stop.Dispose();
        }
    }
}

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Samples the managed heap every 10 ms on a background thread: the peak growth over a baseline.</summary>
    public sealed class MemorySampler : IDisposable
    {
        private readonly long _baseline;
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public MemorySampler()
        {
            GC.Collect();
            _baseline = GC.GetTotalMemory(true);
            _peak = _baseline;
            _thread = new Thread(Sample) { IsBackground = true, Name = "MemorySampler" };
            _thread.Start();
        }

        /// <summary>Bytes the heap grew by at its highest since the start.</summary>
        public long PeakGrowth => Math.Max(0, Interlocked.Read(ref _peak) - _baseline);

        private void Sample()
        {
            while (!_stop)
            {
                long now = GC.GetTotalMemory(false);
                if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
                Thread.Sleep(10);
            }
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return PeakGrowth;
        }

        public void Dispose() => Stop();
    }
}
