using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

public class RateLimitTests
{
    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;

    [Fact]
    public async Task Every_answer_carries_the_rate_limit_headers_errors_included()
    {
        using var h = new Harness(o => o.RateLimitPerWindow = 60);
        var ok = await h.Send("GET", "ping");
        Assert.Equal("60", Header(ok, "X-RateLimit-Limit"));
        Assert.Equal("59", Header(ok, "X-RateLimit-Remaining"));
        foreach (var res in new[]
                 {
                     await h.Send("GET", "servers/9999"),                                       // 404
                     await h.Send("POST", Domains, new { }),                                    // 422
                     await h.Send("PUT", Domains, new { }),                                     // 405
                     await h.Send("GET", "ping", auth: Auth.WrongToken),                        // 401
                 })
        {
            Assert.NotNull(Header(res, "X-RateLimit-Limit"));
            Assert.NotNull(Header(res, "X-RateLimit-Remaining"));
        }
        var after = await h.Send("GET", "ping");
        Assert.Equal("55", Header(after, "X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Past_the_limit_answers_429_with_retry_after_until_the_window_resets()
    {
        using var h = new Harness(o => { o.RateLimitPerWindow = 3; o.RateLimitWindow = TimeSpan.FromSeconds(1); });
        for (int i = 0; i < 3; i++) Assert.Equal(200, (int)(await h.Send("GET", "ping")).StatusCode);
        var (status, json, res) = await h.Call("GET", "ping");
        Assert.Equal(429, status);
        Assert.Equal("Too Many Attempts.", (string?)json["message"]);
        Assert.Equal("0", Header(res, "X-RateLimit-Remaining"));
        var retry = int.Parse(Header(res, "Retry-After")!);
        Assert.InRange(retry, 1, 1);
        await Task.Delay(1100);
        Assert.Equal(200, (int)(await h.Send("GET", "ping")).StatusCode);
    }

    [Fact]
    public async Task Retry_after_can_be_turned_off()
    {
        using var h = new Harness(o => { o.RateLimitPerWindow = 1; o.SendRetryAfter = false; });
        await h.Send("GET", "ping");
        var res = await h.Send("GET", "ping");
        Assert.Equal(429, (int)res.StatusCode);
        Assert.Null(Header(res, "Retry-After"));
    }

    [Fact]
    public async Task Windows_are_per_credential_and_settable_at_run_time()
    {
        using var h = new Harness(o => o.RateLimitPerWindow = 1);
        Assert.Equal(200, (int)(await h.Send("GET", "ping", auth: Auth.Bearer, version: "v2")).StatusCode);
        Assert.Equal(200, (int)(await h.Send("GET", "ping", auth: Auth.Basic, version: "v2")).StatusCode);
        Assert.Equal(429, (int)(await h.Send("GET", "ping", auth: Auth.Basic, version: "v2")).StatusCode);
        h.Emu.SetRateLimit(0, TimeSpan.FromMinutes(1));
        var off = await h.Send("GET", "ping", auth: Auth.Basic, version: "v2");
        Assert.Equal(200, (int)off.StatusCode);
    }
}
