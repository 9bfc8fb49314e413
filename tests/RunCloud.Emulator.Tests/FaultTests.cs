using Newtonsoft.Json.Linq;
using RunCloud.Emulator;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

public class FaultTests
{
    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Status_fault_answers_the_code_and_does_not_change_state(int code)
    {
        using var h = new Harness();
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = code, Method = "POST", PathPattern = "servers/*/webapps/*/domains" });
        var (status, json, _) = await h.Post(Domains, new { name = "faulted.example.com" });
        Assert.Equal(code, status);
        Assert.NotNull(json["message"]);
        Assert.DoesNotContain(h.Emu.State.GetDomains(1001, 2001), d => d.Name == "faulted.example.com");
        Assert.Equal(code, h.Emu.GetRequests().Last().StatusCode);
        // Count = 1: the next one goes through.
        var (again, _, _) = await h.Post(Domains, new { name = "faulted.example.com" });
        Assert.Equal(200, again);
        Assert.Empty(h.Emu.Faults.Pending);
    }

    [Fact]
    public async Task Fault_matches_method_and_path_only()
    {
        using var h = new Harness(o => o.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Method = "DELETE", Count = 0 }));
        Assert.Equal(200, (await h.Get(Domains)).status);
        Assert.Equal(503, (await h.Call("DELETE", Domains + "/3002")).status);
        Assert.Equal(503, (await h.Call("DELETE", Domains + "/3002")).status); // Count 0 = until cleared
        h.Emu.Faults.Clear();
        Assert.Equal(200, (await h.Call("DELETE", Domains + "/3002")).status);
    }

    [Fact]
    public async Task Reset_aborts_the_connection_records_status_0_and_changes_nothing()
    {
        using var h = new Harness();
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.Reset, Method = "POST" });
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Send("POST", Domains, new { name = "reset.example.com" }));
        Assert.Null(h.Emu.State.GetDomains(1001, 2001).FirstOrDefault(d => d.Name == "reset.example.com"));
        var rec = h.Emu.GetRequests().Last();
        Assert.Equal(0, rec.StatusCode);
        Assert.Equal("POST", rec.Method);
    }

    [Fact]
    public async Task Latency_makes_a_short_timeout_client_time_out_but_the_request_is_applied()
    {
        // The client's timeout fires from a timer on the thread pool: on a loaded machine it can fire late, so the answer is
        // held ten times longer than the timeout (an 800 ms hold once lost that race in a full parallel run).
        using var h = new Harness(timeout: TimeSpan.FromMilliseconds(300));
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Latency = TimeSpan.FromMilliseconds(3000), Method = "POST" });
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => h.Send("POST", Domains, new { name = "slow.example.com" }));
        // The emulator applies the POST once its latency has passed: wait for that to land (bounded), rather than
        // sleeping a guessed interval that a loaded machine overruns.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (h.Emu.State.GetDomains(1001, 2001).All(d => d.Name != "slow.example.com") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.NotNull(h.Emu.State.GetDomains(1001, 2001).FirstOrDefault(d => d.Name == "slow.example.com"));
    }

    [Fact]
    public async Task Latency_then_answer_normally()
    {
        using var h = new Harness();
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Latency = TimeSpan.FromMilliseconds(300) });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (status, _, _) = await h.Get("ping");
        Assert.Equal(200, status);
        Assert.True(sw.ElapsedMilliseconds >= 280);
    }

    [Fact]
    public async Task Latency_with_drop_aborts_without_applying()
    {
        using var h = new Harness();
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Latency = TimeSpan.FromMilliseconds(100), ApplyAfterLatency = false });
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Send("POST", Domains, new { name = "dropped.example.com" }));
        Assert.Null(h.Emu.State.GetDomains(1001, 2001).FirstOrDefault(d => d.Name == "dropped.example.com"));
    }

    [Fact]
    public async Task Malformed_json_fault_answers_200_with_a_truncated_body()
    {
        using var h = new Harness();
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.MalformedJson, PathPattern = "servers/*/webapps/*/domains" });
        var res = await h.Send("GET", Domains);
        Assert.Equal(200, (int)res.StatusCode);
        var text = await res.Content.ReadAsStringAsync();
        Assert.ThrowsAny<Newtonsoft.Json.JsonException>(() => JToken.Parse(text));
    }

    [Fact]
    public async Task RateLimited_fault_answers_429_with_the_given_retry_after()
    {
        using var h = new Harness();
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.RateLimited, RetryAfterSeconds = 7 });
        var (status, json, res) = await h.Call("POST", Domains, new { name = "limited.example.com" });
        Assert.Equal(429, status);
        Assert.Equal("Too Many Attempts.", (string?)json["message"]);
        Assert.Equal("7", res.Headers.GetValues("Retry-After").Single());
        Assert.Null(h.Emu.State.GetDomains(1001, 2001).FirstOrDefault(d => d.Name == "limited.example.com"));
    }
}

public class ResetIsVisibleTests
{
    [Fact]
    public async Task A_reset_fault_reaches_the_client_as_a_failure_not_a_close_HttpClient_retries_silently()
    {
        using var h = new Harness();
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.Reset, Count = 1, Method = "GET" });
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Get("servers/1001"));
        Assert.Equal(new[] { 0 }, h.Emu.GetRequests().Select(r => r.StatusCode));
    }
}
