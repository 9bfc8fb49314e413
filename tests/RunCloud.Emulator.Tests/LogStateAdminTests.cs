using System.Text;
using Newtonsoft.Json.Linq;
using RunCloud.Emulator;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

public class LogStateAdminTests
{
    [Fact]
    public async Task Request_log_records_method_path_query_body_and_scheme_but_never_secrets()
    {
        using var h = new Harness();
        await h.Call("GET", "servers?search=web", auth: Auth.Basic, version: "v2");
        await h.Post(Domains, new { name = "logged.example.com", www = true });
        await h.Post("servers/1001/webapps/2002/ssl", new { provider = "custom", privateKey = "TOP-SECRET-KEY", certificate = "CERT" });
        await h.Call("GET", "ping", auth: Auth.None);
        var log = h.Emu.GetRequests();
        Assert.Equal(4, log.Count);
        Assert.Equal(("GET", "/api/v2/servers", "search=web", "Basic", 200), (log[0].Method, log[0].Path, log[0].Query, log[0].AuthScheme, log[0].StatusCode));
        Assert.Equal("POST", log[1].Method);
        Assert.Equal("/api/v3/" + Domains, log[1].Path);
        Assert.Equal("logged.example.com", (string?)JObject.Parse(log[1].Body!)["name"]);
        Assert.Equal("Bearer", log[1].AuthScheme);
        Assert.StartsWith("application/json", log[1].ContentType);
        Assert.Equal("None", log[3].AuthScheme);
        Assert.Equal(401, log[3].StatusCode);
        var all = string.Join("\n", log.Select(r => $"{r.Method} {r.Path} {r.Query} {r.Body} {r.AuthScheme} {r.ContentType}"));
        Assert.DoesNotContain(h.Emu.ApiSecret, all);
        Assert.DoesNotContain(h.Emu.Token, all);
        Assert.DoesNotContain("TOP-SECRET-KEY", all);
        h.Emu.ClearRequests();
        Assert.Empty(h.Emu.GetRequests());
    }

    [Fact]
    public async Task State_file_round_trips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rc-emu-{Guid.NewGuid():N}.json");
        try
        {
            long id;
            using (var h = new Harness(o => o.StatePath = path))
            {
                var (_, json, _) = await h.Post(Domains, new { name = "kept.example.com", www = true, redirection = "www" });
                id = (long)json["id"]!;
                h.Emu.Dns.SetUnpointed("kept.example.com");
                h.Emu.Dns.SetAddresses("www.kept.example.com", new[] { "198.51.100.4" }, proxied: true);
                await h.Call("PUT", App + "/ssl/" + EmulatorDefaults.SslId, new { }); // refused: kept is not pointed
                h.Emu.Dns.SetCName("kept.example.com", "shop.example.com");
                Assert.Equal(200, (await h.Call("PUT", App + "/ssl/" + EmulatorDefaults.SslId, new { })).status);
                h.Emu.Save();
            }
            Assert.True(File.Exists(path));
            using (var h = new Harness(o => o.StatePath = path))
            {
                var (status, json, _) = await h.Get(Domains + "/" + id);
                Assert.Equal(200, status);
                Assert.Equal("kept.example.com", (string?)json["name"]);
                Assert.Equal(1, (int)json["www"]!);
                Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2001));
                Assert.Equal(new[] { "shop.example.com" }, h.Emu.Dns.Resolve("kept.example.com").CNames);
                Assert.True(h.Emu.Dns.Resolve("www.kept.example.com").Proxied);
                Assert.Single(h.Emu.State.GetIssuances()); // the duplicate-certificate window survives a restart
                var (_, next, _) = await h.Post(Domains, new { name = "after.example.com" });
                Assert.Equal(id + 1, (long)next["id"]!);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Example_state_file_loads()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "example-state.json");
        var state = new EmulatorState();
        state.LoadJson(File.ReadAllText(file));
        Assert.Equal(EmulatorDefaults.PrimaryDomainName, state.GetDomains(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId)[0].Name);
        Assert.Empty(state.GetUncoveredDomains(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId));
    }

    [Fact]
    public async Task No_default_data_starts_empty()
    {
        using var h = new Harness(o => o.SeedDefaultData = false);
        var (_, json, _) = await h.Get("servers");
        Assert.Empty((JArray)json["data"]!);
        var s = h.Emu.State.AddServer("solo", "198.51.100.1");
        var w = h.Emu.State.AddWebApp(s.Id, "app");
        var d = h.Emu.State.AddDomain(s.Id, w.Id, "solo.example.com", www: true);
        Assert.Equal(1001, s.Id);
        Assert.Equal(2001, w.Id);
        Assert.True(d.Www);
        Assert.Throws<InvalidOperationException>(() => h.Emu.State.AddDomain(s.Id, w.Id, "solo.example.com"));
        Assert.Throws<ArgumentException>(() => h.Emu.State.AddDomain(s.Id, w.Id, "bad_name"));
    }

    [Fact]
    public async Task Admin_endpoints_work_without_api_auth_and_are_not_logged_or_limited()
    {
        using var h = new Harness(o => o.RateLimitPerWindow = 2);
        await h.Send("GET", "ping");
        var state = JObject.Parse(await h.Http.GetStringAsync("_emulator/state"));
        Assert.Equal(1001, (long)state["servers"]![0]!["id"]!);

        var requests = JArray.Parse(await h.Http.GetStringAsync("_emulator/requests"));
        Assert.Single(requests);
        Assert.Equal("/api/v3/ping", (string?)requests[0]!["path"]);

        var fault = await h.Http.PostAsync("_emulator/faults", new StringContent("{\"kind\":\"Status\",\"statusCode\":502,\"method\":\"GET\",\"pathPattern\":\"servers\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(200, (int)fault.StatusCode);
        Assert.Single(h.Emu.Faults.Pending);
        Assert.Equal(502, h.Emu.Faults.Pending[0].StatusCode);
        Assert.Equal(200, (int)(await h.Http.DeleteAsync("_emulator/faults")).StatusCode);
        Assert.Empty(h.Emu.Faults.Pending);

        await h.Post(Domains, new { name = "gap.example.com" });
        var cov = JObject.Parse(await h.Http.GetStringAsync("_emulator/coverage/1001/2001"));
        Assert.Equal(new JArray("gap.example.com"), cov["uncovered"]);
        Assert.False((bool)cov["allCovered"]!);

        Assert.Equal(200, (int)(await h.Http.DeleteAsync("_emulator/requests")).StatusCode);
        Assert.Empty(h.Emu.GetRequests());
        Assert.Equal(404, (int)(await h.Http.GetAsync("_emulator/nothing")).StatusCode);
    }
}
