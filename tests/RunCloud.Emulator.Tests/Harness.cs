using System.Net.Http.Headers;
using System.Text;
using Newtonsoft.Json.Linq;
using RunCloud.Emulator;

namespace RunCloud.Emulator.Tests;

/// <summary>One emulator plus an HttpClient speaking to it over real HTTP.</summary>
public sealed class Harness : IDisposable
{
    public const string App = "servers/1001/webapps/2001";
    public const string Domains = App + "/domains";

    public RunCloudEmulator Emu { get; }
    public HttpClient Http { get; }

    public Harness(Action<EmulatorOptions>? configure = null, TimeSpan? timeout = null)
    {
        var o = new EmulatorOptions { RateLimitPerWindow = 10_000 };
        configure?.Invoke(o);
        Emu = RunCloudEmulator.Start(o);
        Http = new HttpClient { BaseAddress = Emu.BaseUri, Timeout = timeout ?? TimeSpan.FromSeconds(15) };
    }

    public enum Auth { Bearer, Basic, None, WrongToken, WrongSecret }

    public Task<HttpResponseMessage> Send(string method, string path, object? body = null, Auth auth = Auth.Bearer,
        string version = "v3", string? contentType = "application/json", string? rawBody = null)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), path.StartsWith("/") ? path : $"api/{version}/{path}");
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        switch (auth)
        {
            case Auth.Bearer: req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Emu.Token); break;
            case Auth.WrongToken: req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "nope"); break;
            case Auth.Basic: req.Headers.Authorization = new AuthenticationHeaderValue("Basic", B64($"{Emu.ApiKey}:{Emu.ApiSecret}")); break;
            case Auth.WrongSecret: req.Headers.Authorization = new AuthenticationHeaderValue("Basic", B64($"{Emu.ApiKey}:wrong")); break;
        }
        var text = rawBody ?? (body == null ? null : JToken.FromObject(body).ToString());
        if (text != null)
        {
            req.Content = new StringContent(text, Encoding.UTF8);
            req.Content.Headers.ContentType = contentType == null ? null : new MediaTypeHeaderValue(contentType);
        }
        return Http.SendAsync(req);
    }

    internal async Task<(int status, JToken json, HttpResponseMessage res)> Call(string method, string path, object? body = null,
        Auth auth = Auth.Bearer, string version = "v3", string? contentType = "application/json", string? rawBody = null)
    {
        var res = await Send(method, path, body, auth, version, contentType, rawBody);
        var text = await res.Content.ReadAsStringAsync();
        return ((int)res.StatusCode, text.Length == 0 ? JValue.CreateNull() : JToken.Parse(text), res);
    }

    internal Task<(int status, JToken json, HttpResponseMessage res)> Get(string path, string version = "v3") => Call("GET", path, version: version);
    internal Task<(int status, JToken json, HttpResponseMessage res)> Post(string path, object body) => Call("POST", path, body);

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    public void Dispose()
    {
        Http.Dispose();
        Emu.Dispose();
    }
}
