using System.Net.Sockets;
using System.Text;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator.Tests;

/// <summary>An answer read off a raw socket.</summary>
public sealed class RawAnswer
{
    public int Status { get; init; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string Body { get; init; } = "";
    public JToken Json => Body.Length == 0 ? JValue.CreateNull() : JToken.Parse(Body);
}

/// <summary>
/// Sends requests byte for byte as a client put them on the wire (no HttpClient normalising them: a PUT with no
/// Content-Length, a chunked body, a GET with a body, a malformed line), and reads the answers.
/// </summary>
public sealed class RawHttp : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private byte[] _buf = new byte[0];

    public RawHttp(int port)
    {
        _client = new TcpClient();
        _client.Connect("127.0.0.1", port);
        _client.ReceiveTimeout = 10_000;
        _stream = _client.GetStream();
    }

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    public void Send(byte[] bytes)
    {
        _stream.Write(bytes, 0, bytes.Length);
        _stream.Flush();
    }

    /// <summary>One request from a head (lines joined with CRLF, blank line added) and an optional body written as is.</summary>
    public static string Request(string method, string target, IEnumerable<string> headers, string? body = null) =>
        $"{method} {target} HTTP/1.1\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n" + (body ?? "");

    /// <summary>Reads one answer (status line, headers, Content-Length body); null when the server closed the connection first.</summary>
    public RawAnswer? Read()
    {
        int headEnd;
        while ((headEnd = IndexOf(_buf, "\r\n\r\n"u8.ToArray())) < 0)
            if (!Fill()) return null;
        var head = Encoding.ASCII.GetString(_buf, 0, headEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1]);
        var answer = new RawAnswer { Status = status };
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            answer.Headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        int length = answer.Headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl) : 0;
        while (_buf.Length < headEnd + 4 + length)
            if (!Fill()) throw new IOException("The answer ended before its body.");
        var body = Encoding.UTF8.GetString(_buf, headEnd + 4, length);
        _buf = _buf[(headEnd + 4 + length)..];
        return new RawAnswer { Status = status, Body = body }.WithHeaders(answer.Headers);
    }

    /// <summary>Whether the server closed (or reset) the connection: a read returns nothing.</summary>
    public bool ClosedByServer()
    {
        try { return !Fill(); }
        catch (IOException) { return true; }
    }

    private bool Fill()
    {
        var chunk = new byte[8192];
        int n = _stream.Read(chunk, 0, chunk.Length);
        if (n <= 0) return false;
        _buf = _buf.Concat(chunk.Take(n)).ToArray();
        return true;
    }

    private static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
            if (hay.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }

    /// <summary>Sends one request on a new connection and reads its answer.</summary>
    public static RawAnswer Exchange(RunCloudEmulator emu, string request)
    {
        using var raw = new RawHttp(emu.Port);
        raw.Send(request);
        return raw.Read() ?? throw new IOException("The emulator closed the connection without an answer.");
    }

    public static string BearerHeader(RunCloudEmulator emu) => "Authorization: Bearer " + emu.Token;

    public static string BasicHeader(RunCloudEmulator emu) =>
        "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(emu.ApiKey + ":" + emu.ApiSecret));

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}

internal static class RawAnswerExtensions
{
    public static RawAnswer WithHeaders(this RawAnswer a, Dictionary<string, string> headers)
    {
        foreach (var h in headers) a.Headers[h.Key] = h.Value;
        return a;
    }
}
