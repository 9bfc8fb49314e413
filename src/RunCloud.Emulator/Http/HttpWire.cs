using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.Emulator.Http
{
    /// <summary>One HTTP/1.x request as it arrived on the wire (or as far as it could be read).</summary>
    internal sealed class WireRequest
    {
        public string Method { get; set; } = "";
        /// <summary>The request target as sent (origin form "/path?query", or absolute form).</summary>
        public string Target { get; set; } = "";
        public string Path { get; set; } = "/";
        /// <summary>The query string without "?" ("" when none).</summary>
        public string Query { get; set; } = "";
        public string HttpVersion { get; set; } = "HTTP/1.1";
        public List<KeyValuePair<string, string>> Headers { get; } = new List<KeyValuePair<string, string>>();
        public byte[] Body { get; set; } = new byte[0];
        /// <summary>The Content-Length header's value; null when the request had none.</summary>
        public long? ContentLength { get; set; }
        /// <summary>Whether the body came with Transfer-Encoding: chunked.</summary>
        public bool Chunked { get; set; }
        public IPEndPoint? Remote { get; set; }

        /// <summary>Set when the request could not be read as HTTP: the status the emulator answers, before any routing.</summary>
        public int RefusedStatus { get; set; }
        /// <summary>Why it was refused (e.g. "malformed request line"); null when the request was read whole.</summary>
        public string? Refusal { get; set; }

        /// <summary>The first header of that name (case-insensitive), or null.</summary>
        public string? Header(string name)
        {
            foreach (var h in Headers)
                if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
            return null;
        }

        public string? ContentType => Header("Content-Type");

        /// <summary>The body as text, in the Content-Type's charset (UTF-8 when none or unknown).</summary>
        public string BodyText()
        {
            if (Body.Length == 0) return "";
            Encoding enc = new UTF8Encoding(false);
            var ct = ContentType;
            if (ct != null)
            {
                foreach (var part in ct.Split(';').Skip(1))
                {
                    var kv = part.Split(new[] { '=' }, 2);
                    if (kv.Length == 2 && kv[0].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
                    {
                        try { enc = Encoding.GetEncoding(kv[1].Trim().Trim('"')); }
                        catch (ArgumentException) { /* unknown charset: UTF-8, as Laravel reads php://input as bytes */ }
                    }
                }
            }
            return enc.GetString(Body);
        }

        /// <summary>Whether the connection stays open after the answer (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with keep-alive).</summary>
        public bool KeepAlive
        {
            get
            {
                var c = Header("Connection") ?? "";
                bool has(string token) => c.Split(',').Any(t => t.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));
                if (HttpVersion == "HTTP/1.0") return has("keep-alive");
                return !has("close");
            }
        }
    }

    /// <summary>The answer to one request.</summary>
    internal sealed class WireResponse
    {
        public WireResponse(int status) { Status = status; }
        public int Status { get; set; }
        public Dictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public byte[] Body { get; set; } = new byte[0];
        /// <summary>Drop the connection with a TCP reset instead of answering.</summary>
        public bool Reset { get; set; }
        /// <summary>Close the connection after this answer.</summary>
        public bool Close { get; set; }

        public static WireResponse Text(int status, string? text, string contentType = "application/json")
        {
            var r = new WireResponse(status);
            if (text != null)
            {
                r.Body = new UTF8Encoding(false).GetBytes(text);
                r.Headers["Content-Type"] = contentType;
            }
            return r;
        }
    }

    /// <summary>
    /// A small HTTP/1.1 server over TcpListener, so that every request a real client sends reaches the emulator's code and
    /// its log, as nginx in front of RunCloud lets it through: a PUT, POST, DELETE or PATCH with no body and no
    /// Content-Length (System.Net.HttpListener answered those 411 itself, unseen), chunked bodies, bodies on a GET,
    /// "Expect: 100-continue" (Windows PowerShell's HttpWebRequest), keep-alive and pipelining. What cannot be read as HTTP
    /// (a malformed request line or header, a body over the size limit, an unknown Transfer-Encoding) is answered 400, 413,
    /// 431 or 501 and still handed to the emulator, marked refused, so it is logged too.
    /// </summary>
    internal sealed class HttpWireServer
    {
        /// <summary>Largest request head (request line and headers) read; nginx's default large_client_header_buffers is 4 x 8k.</summary>
        public const int MaxHeadBytes = 32 * 1024;
        /// <summary>Largest body read (a few thousand domains' JSON fits many times over).</summary>
        public const int MaxBodyBytes = 16 * 1024 * 1024;

        private readonly Func<WireRequest, Task<WireResponse>> _handler;
        private readonly CancellationToken _stopping;
        private readonly HashSet<System.Net.Sockets.TcpClient> _open = new HashSet<System.Net.Sockets.TcpClient>();
        private System.Net.Sockets.TcpListener? _listener;
        private Task? _loop;

        public HttpWireServer(Func<WireRequest, Task<WireResponse>> handler, CancellationToken stopping)
        {
            _handler = handler;
            _stopping = stopping;
        }

        public int Port { get; private set; }
        public bool IsListening => _listener != null;

        /// <summary>Listens on 127.0.0.1:port (0 = a free port). Throws SocketException when the port is taken.</summary>
        public void Start(int port)
        {
            var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
            l.Start();
            _listener = l;
            Port = ((IPEndPoint)l.LocalEndpoint).Port;
            _loop = Task.Run(AcceptLoop);
        }

        public void Stop()
        {
            var l = _listener;
            _listener = null;
            if (l == null) return;
            try { l.Stop(); } catch (System.Net.Sockets.SocketException) { }
            System.Net.Sockets.TcpClient[] open;
            lock (_open) open = _open.ToArray();
            foreach (var c in open)
            {
                try { c.Close(); } catch (ObjectDisposedException) { }
            }
            try { _loop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        }

        private async Task AcceptLoop()
        {
            var listener = _listener;
            while (listener != null && !_stopping.IsCancellationRequested)
            {
                System.Net.Sockets.TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is System.Net.Sockets.SocketException || ex is InvalidOperationException)
                {
                    if (_stopping.IsCancellationRequested || _listener == null) break;
                    continue;
                }
                lock (_open) _open.Add(client);
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(System.Net.Sockets.TcpClient client)
        {
            try
            {
                client.NoDelay = true;
                var stream = client.GetStream();
                var reader = new WireReader(stream);
                var remote = client.Client.RemoteEndPoint as IPEndPoint;
                while (!_stopping.IsCancellationRequested)
                {
                    var req = await ReadRequestAsync(reader, stream, remote).ConfigureAwait(false);
                    if (req == null) break; // the client closed the connection between requests
                    WireResponse res;
                    try
                    {
                        res = await _handler(req).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        res = WireResponse.Text(500, "{\"message\":\"Emulator error: " + ex.Message.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"}");
                    }
                    if (res.Reset)
                    {
                        // A TCP reset, not a close: the socket is closed directly with linger 0. Disposing the stream first
                        // would shut the socket down (a FIN), which HttpClient takes for a stale keep-alive connection and
                        // silently retries, so the client under test would never see the failure.
                        var socket = client.Client;
                        socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                        socket.Close();
                        break;
                    }
                    bool close = res.Close || req.RefusedStatus != 0 || !req.KeepAlive;
                    await WriteResponseAsync(stream, req, res, close).ConfigureAwait(false);
                    if (close) break;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is System.Net.Sockets.SocketException || ex is ObjectDisposedException || ex is InvalidOperationException)
            {
                // the client went away mid-request, or the emulator stopped
            }
            finally
            {
                lock (_open) _open.Remove(client);
                try { client.Close(); } catch (Exception ex) when (ex is ObjectDisposedException || ex is System.Net.Sockets.SocketException || ex is IOException) { }
            }
        }

        private static async Task WriteResponseAsync(Stream stream, WireRequest req, WireResponse res, bool close)
        {
            var sb = new StringBuilder();
            sb.Append("HTTP/1.1 ").Append(res.Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(res.Status)).Append("\r\n");
            sb.Append("Date: ").Append(DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
            sb.Append("Server: RunCloud-Emulator\r\n");
            foreach (var h in res.Headers)
            {
                if (h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase)) continue;
                sb.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
            }
            sb.Append("Content-Length: ").Append(res.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            sb.Append(close ? "Connection: close\r\n" : "Connection: keep-alive\r\n");
            sb.Append("\r\n");
            var head = Encoding.ASCII.GetBytes(sb.ToString());
            await stream.WriteAsync(head, 0, head.Length).ConfigureAwait(false);
            if (res.Body.Length > 0 && !req.Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase))
                await stream.WriteAsync(res.Body, 0, res.Body.Length).ConfigureAwait(false);
            await stream.FlushAsync().ConfigureAwait(false);
        }

        /// <summary>Reads one request; null when the connection closed cleanly before its first byte.</summary>
        internal static async Task<WireRequest?> ReadRequestAsync(WireReader reader, Stream stream, IPEndPoint? remote)
        {
            var head = await reader.ReadHeadAsync(MaxHeadBytes).ConfigureAwait(false);
            if (head == null) return null;
            var req = new WireRequest { Remote = remote };
            if (head.Length == 0)
                return Refuse(req, 431, "request head over " + (MaxHeadBytes / 1024) + " KiB");

            var lines = Encoding.GetEncoding("ISO-8859-1").GetString(head).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            // RFC 9112 2.2: a server should ignore empty lines before the request line.
            while (lines.Count > 0 && lines[0].Length == 0) lines.RemoveAt(0);
            var parts = lines.Count > 0 ? lines[0].Split(' ') : new string[0];
            if (parts.Length != 3 || parts[0].Length == 0 || !parts[0].All(IsTokenChar) || parts[1].Length == 0
                || !(parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0"))
            {
                if (parts.Length >= 1 && parts[0].All(IsTokenChar)) req.Method = parts[0].ToUpperInvariant();
                if (parts.Length >= 2) SetTarget(req, parts[1]);
                return Refuse(req, 400, "malformed request line");
            }
            req.Method = parts[0].ToUpperInvariant();
            req.HttpVersion = parts[2];
            SetTarget(req, parts[1]);
            foreach (var line in lines.Skip(1))
            {
                if (line.Length == 0) continue;
                int colon = line.IndexOf(':');
                if (line[0] == ' ' || line[0] == '\t' || colon <= 0 || !line.Substring(0, colon).All(IsTokenChar))
                    return Refuse(req, 400, "malformed header line");
                req.Headers.Add(new KeyValuePair<string, string>(line.Substring(0, colon), line.Substring(colon + 1).Trim()));
            }

            var te = req.Headers.Where(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
            var cls = req.Headers.Where(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value.Trim()).Distinct().ToList();
            if (cls.Count > 1) return Refuse(req, 400, "conflicting Content-Length headers");
            if (cls.Count == 1)
            {
                if (!long.TryParse(cls[0], NumberStyles.None, CultureInfo.InvariantCulture, out var cl)) return Refuse(req, 400, "invalid Content-Length");
                req.ContentLength = cl;
            }

            if (req.Header("Expect") is string expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase)
                && (te.Count > 0 || req.ContentLength > 0) && req.HttpVersion == "HTTP/1.1")
            {
                var cont = Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n");
                await stream.WriteAsync(cont, 0, cont.Length).ConfigureAwait(false);
                await stream.FlushAsync().ConfigureAwait(false);
            }

            if (te.Count > 0)
            {
                // RFC 9112 6.1: Transfer-Encoding overrides Content-Length; only "chunked" is known here (nginx answers 501 to others).
                var codings = string.Join(",", te).Split(',').Select(x => x.Trim()).Where(x => x.Length > 0).ToList();
                if (codings.Count != 1 || !codings[0].Equals("chunked", StringComparison.OrdinalIgnoreCase))
                    return Refuse(req, 501, "unsupported Transfer-Encoding " + string.Join(", ", codings));
                req.Chunked = true;
                var body = await reader.ReadChunkedAsync(MaxBodyBytes).ConfigureAwait(false);
                if (body == null) return Refuse(req, 400, "malformed chunked body");
                if (body.Length > MaxBodyBytes) return Refuse(req, 413, "body over " + (MaxBodyBytes >> 20) + " MiB");
                req.Body = body;
            }
            else if (req.ContentLength.HasValue && req.ContentLength.Value > 0)
            {
                if (req.ContentLength.Value > MaxBodyBytes) return Refuse(req, 413, "body over " + (MaxBodyBytes >> 20) + " MiB");
                var body = await reader.ReadExactAsync((int)req.ContentLength.Value).ConfigureAwait(false);
                if (body == null) throw new IOException("The client closed the connection before the whole body arrived.");
                req.Body = body;
            }
            // No Content-Length and no Transfer-Encoding: the request has no body (RFC 9112 6.3), whatever its method.
            return req;
        }

        private static WireRequest Refuse(WireRequest req, int status, string why)
        {
            req.RefusedStatus = status;
            req.Refusal = why;
            return req;
        }

        private static void SetTarget(WireRequest req, string target)
        {
            req.Target = target;
            var t = target;
            // Absolute form (a proxy's request line): keep the path and query.
            if (t.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                int slash = t.IndexOf('/', t.IndexOf("//", StringComparison.Ordinal) + 2);
                t = slash < 0 ? "/" : t.Substring(slash);
            }
            int q = t.IndexOf('?');
            req.Path = q < 0 ? t : t.Substring(0, q);
            req.Query = q < 0 ? "" : t.Substring(q + 1);
            int hash = req.Query.IndexOf('#');
            if (hash >= 0) req.Query = req.Query.Substring(0, hash);
            if (req.Path.Length == 0 || req.Path[0] != '/') req.Path = "/" + req.Path;
        }

        private static bool IsTokenChar(char c) =>
            c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".IndexOf(c) < 0;

        internal static string Reason(int status)
        {
            switch (status)
            {
                case 100: return "Continue";
                case 200: return "OK";
                case 201: return "Created";
                case 204: return "No Content";
                case 400: return "Bad Request";
                case 401: return "Unauthorized";
                case 403: return "Forbidden";
                case 404: return "Not Found";
                case 405: return "Method Not Allowed";
                case 409: return "Conflict";
                case 411: return "Length Required";
                case 413: return "Payload Too Large";
                case 422: return "Unprocessable Content";
                case 429: return "Too Many Requests";
                case 431: return "Request Header Fields Too Large";
                case 500: return "Internal Server Error";
                case 501: return "Not Implemented";
                case 502: return "Bad Gateway";
                case 503: return "Service Unavailable";
                case 504: return "Gateway Timeout";
                default: return "Status " + status.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Buffered reads of a request head, a sized body or a chunked body from a connection.</summary>
    internal sealed class WireReader
    {
        private readonly Stream _stream;
        private byte[] _buf = new byte[8192];
        private int _start, _end;

        public WireReader(Stream stream) { _stream = stream; }

        private async Task<bool> FillAsync()
        {
            if (_start > 0 && _start == _end) { _start = _end = 0; }
            if (_end == _buf.Length)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                else Array.Resize(ref _buf, _buf.Length * 2);
            }
            int n = await _stream.ReadAsync(_buf, _end, _buf.Length - _end).ConfigureAwait(false);
            if (n <= 0) return false;
            _end += n;
            return true;
        }

        /// <summary>
        /// The bytes up to and including the blank line that ends the head; null at a clean end of stream before any byte;
        /// an empty array when the head exceeds max bytes. Throws IOException when the stream ends mid-head.
        /// </summary>
        public async Task<byte[]?> ReadHeadAsync(int max)
        {
            while (true)
            {
                for (int i = _start; i < _end; i++)
                {
                    if (_buf[i] != '\n') continue;
                    // "\n\r\n" or "\n\n" ends the head (bare LF line ends are tolerated, as nginx does).
                    bool blank = (i + 1 < _end && _buf[i + 1] == '\n') || (i + 2 < _end && _buf[i + 1] == '\r' && _buf[i + 2] == '\n');
                    if (!blank) continue;
                    int stop = _buf[i + 1] == '\n' ? i + 2 : i + 3;
                    // Empty lines before the request line are not the end of the head.
                    if (IsOnlyLineBreaks(_start, i + 1)) continue;
                    if (stop - _start > max) return new byte[0];
                    var head = new byte[stop - _start];
                    Buffer.BlockCopy(_buf, _start, head, 0, head.Length);
                    _start = stop;
                    return head;
                }
                if (_end - _start > max) return new byte[0];
                bool empty = _end == _start;
                if (!await FillAsync().ConfigureAwait(false))
                {
                    if (empty) return null;
                    throw new IOException("The client closed the connection in the middle of a request head.");
                }
            }
        }

        private bool IsOnlyLineBreaks(int from, int to)
        {
            for (int i = from; i < to; i++) if (_buf[i] != '\r' && _buf[i] != '\n') return false;
            return true;
        }

        /// <summary>Exactly count bytes; null when the stream ends first.</summary>
        public async Task<byte[]?> ReadExactAsync(int count)
        {
            var result = new byte[count];
            int got = 0;
            while (got < count)
            {
                if (_start == _end && !await FillAsync().ConfigureAwait(false)) return null;
                int n = Math.Min(count - got, _end - _start);
                Buffer.BlockCopy(_buf, _start, result, got, n);
                _start += n;
                got += n;
            }
            return result;
        }

        private async Task<string?> ReadLineAsync(int max)
        {
            var sb = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync().ConfigureAwait(false)) return null;
                byte b = _buf[_start++];
                if (b == '\n') return sb.ToString().TrimEnd('\r');
                if (sb.Length >= max) return null;
                sb.Append((char)b);
            }
        }

        /// <summary>A chunked body, decoded (extensions and trailers ignored); null when malformed; longer than max when over it.</summary>
        public async Task<byte[]?> ReadChunkedAsync(int max)
        {
            var body = new MemoryStream();
            while (true)
            {
                var line = await ReadLineAsync(1024).ConfigureAwait(false);
                if (line == null) return null;
                var sizeText = line.Split(';')[0].Trim();
                if (sizeText.Length == 0 || !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0) return null;
                if (size == 0) break;
                if (body.Length + size > max) return new byte[max + 1];
                var data = await ReadExactAsync((int)size).ConfigureAwait(false);
                if (data == null) return null;
                body.Write(data, 0, data.Length);
                if (await ReadLineAsync(2).ConfigureAwait(false) != "") return null;
            }
            // Trailers, up to the blank line.
            while (true)
            {
                var trailer = await ReadLineAsync(8192).ConfigureAwait(false);
                if (trailer == null) return null;
                if (trailer.Length == 0) break;
            }
            return body.ToArray();
        }
    }
}
