using Newtonsoft.Json.Linq;
using RunCloud.Emulator;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

public class AuthAndRoutingTests
{
    [Theory]
    [InlineData("v2", Auth.Basic)]
    [InlineData("v2", Auth.Bearer)]
    [InlineData("v3", Auth.Bearer)]
    public async Task Ping_answers_pong_with_accepted_credentials(string version, Auth auth)
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("GET", "ping", auth: auth, version: version);
        Assert.Equal(200, status);
        Assert.Equal("pong", (string?)json["message"]);
    }

    [Theory]
    [InlineData("v3", Auth.Basic)]        // v3 takes Bearer tokens only
    [InlineData("v3", Auth.None)]
    [InlineData("v3", Auth.WrongToken)]
    [InlineData("v2", Auth.None)]
    [InlineData("v2", Auth.WrongToken)]
    [InlineData("v2", Auth.WrongSecret)]
    public async Task Wrong_or_missing_credentials_answer_401_invalid_credentials(string version, Auth auth)
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("GET", "servers", auth: auth, version: version);
        Assert.Equal(401, status);
        Assert.Equal(new JObject { ["message"] = "Invalid credentials." }, json);
    }

    [Theory]
    [InlineData("servers/9999")]
    [InlineData("servers/1001/webapps/9999")]
    [InlineData("servers/1002/webapps/2001")]          // app exists, but on another server
    [InlineData("servers/1001/webapps/2001/domains/9999")]
    [InlineData("servers/1001/webapps/2001/domains/abc")]
    [InlineData("servers/1001/webapps/2001/nothing")]
    [InlineData("no/such/route")]
    public async Task Unknown_ids_and_routes_answer_404_with_a_message(string path)
    {
        using var h = new Harness();
        var (status, json, _) = await h.Get(path);
        Assert.Equal(404, status);
        Assert.False(string.IsNullOrEmpty((string?)json["message"]));
    }

    [Fact]
    public async Task Unknown_ssl_id_answers_404()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("PUT", App + "/ssl/9999", new { });
        Assert.Equal(404, status);
        Assert.NotNull(json["message"]);
    }

    [Fact]
    public async Task Wrong_method_on_a_known_route_answers_405()
    {
        using var h = new Harness();
        var (status, json, res) = await h.Call("PUT", Domains, new { name = "x.example.com" });
        Assert.Equal(405, status);
        Assert.NotNull(json["message"]);
        Assert.Contains("GET", res.Content.Headers.Allow);
    }

    [Fact]
    public async Task Default_seed_matches_the_constants()
    {
        using var h = new Harness();
        var (s, server, _) = await h.Get($"servers/{EmulatorDefaults.ServerId}");
        Assert.Equal(200, s);
        Assert.Equal(EmulatorDefaults.ServerName, (string?)server["name"]);
        Assert.Equal(EmulatorDefaults.ServerIpAddress, (string?)server["ipAddress"]);
        var (_, app, _) = await h.Get($"servers/{EmulatorDefaults.ServerId}/webapps/{EmulatorDefaults.WebAppId}");
        Assert.Equal(EmulatorDefaults.WebAppName, (string?)app["name"]);
        var (_, blog, _) = await h.Get($"servers/{EmulatorDefaults.ServerId}/webapps/{EmulatorDefaults.NoSslWebAppId}");
        Assert.Equal(EmulatorDefaults.NoSslWebAppName, (string?)blog["name"]);
        var names = h.Emu.State.GetDomains(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId).Select(d => d.Name).ToList();
        Assert.Equal(new[] { EmulatorDefaults.PrimaryDomainName, EmulatorDefaults.TestDomainName }, names);
        Assert.True(EmulatorDefaults.IsRunCloudTestDomain(names[1]));
        Assert.Equal(EmulatorDefaults.SslId, h.Emu.State.GetSsl(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId)!.Id);
        Assert.Empty(h.Emu.GetUncoveredDomains(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId));
        Assert.Equal(2, h.Emu.State.GetServers().Count);
    }

    [Fact]
    public async Task Object_shapes_carry_every_contract_field_in_runcloud_form()
    {
        using var h = new Harness();
        var (_, server, _) = await h.Get("servers/1001");
        foreach (var f in new[] { "id", "name", "provider", "ipAddress", "country_iso_code", "os", "osVersion", "connected", "online", "agentVersion", "phpCLIVersion", "softwareUpdate", "securityUpdate", "transferStatus", "created_at" })
            Assert.True(((JObject)server).ContainsKey(f), "server." + f);
        var (_, app, _) = await h.Get(App);
        foreach (var f in new[] { "id", "server_user_id", "name", "rootPath", "publicPath", "phpVersion", "stack", "stackMode", "type", "defaultApp", "alias", "pullKey1", "pullKey2", "created_at" })
            Assert.True(((JObject)app).ContainsKey(f), "webapp." + f);
        var (_, ssl, _) = await h.Get(App + "/ssl");
        foreach (var f in new[] { "id", "method", "privateKey", "certificate", "validUntil", "renewalDate", "enableHttp", "enableHsts", "authorizationMethod", "staging", "apiId", "ssl_protocol_id", "created_at" })
            Assert.True(((JObject)ssl).ContainsKey(f), "ssl." + f);
        var (_, domain, _) = await h.Get(Domains + "/3001");
        Assert.Equal(new[] { "id", "name", "type", "www", "redirection", "wildcard", "dns_integration", "status", "created_at" },
            ((JObject)domain).Properties().Select(p => p.Name).ToArray());
        Assert.Equal(JTokenType.Integer, domain["www"]!.Type);
        Assert.Equal(JTokenType.Integer, domain["wildcard"]!.Type);
        Assert.Equal(JTokenType.Null, domain["status"]!.Type);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", (string?)domain["created_at"]);
        Assert.Equal("shop.example.com", (string?)domain["name"]);
    }

    [Fact]
    public async Task Static_ssl_protocols_lists_the_ids_public_clients_use()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Get("static/ssl/protocols?webServer=nginx");
        Assert.Equal(200, status);
        // The Ansible collection for RunCloud: TLSv1.1 = 1, TLSv1.2 = 2, TLSv1.3 = 3 (the lowest version served).
        Assert.Equal(new[] { (1, "TLSv1.1 TLSv1.2 TLSv1.3"), (2, "TLSv1.2 TLSv1.3"), (3, "TLSv1.3") },
            ((JArray)json).Select(p => ((int)p["id"]!, (string)p["name"]!)).ToArray());
    }

    [Fact]
    public async Task Static_ssl_protocols_needs_webServer_nginx_in_the_query_or_the_JSON_body()
    {
        using var h = new Harness();
        var (missing, mj, _) = await h.Get("static/ssl/protocols");
        Assert.Equal(422, missing);
        Assert.Equal("The web server field is required.", (string?)mj["errors"]!["webServer"]![0]);
        var (apache, aj, _) = await h.Get("static/ssl/protocols?webServer=apache");
        Assert.Equal(422, apache);
        Assert.Equal("The selected web server is invalid.", (string?)aj["errors"]!["webServer"]![0]);
        // The v3 reference's own request: GET with {"webServer":"nginx"} as its JSON body.
        var (body, bj, _) = await h.Call("GET", "static/ssl/protocols", new { webServer = "nginx" });
        Assert.Equal(200, body);
        Assert.Equal(3, ((JArray)bj).Count);
    }

    [Fact]
    public async Task Static_ssl_protocols_answers_without_webServer_when_switched_off()
    {
        using var h = new Harness(o => o.ProtocolsRequireWebServer = false);
        Assert.Equal(200, (await h.Get("static/ssl/protocols")).status);
    }

    [Fact]
    public async Task Stop_frees_the_port_quickly()
    {
        var first = RunCloudEmulator.Start();
        int port = first.Port;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        first.Stop();
        Assert.True(sw.ElapsedMilliseconds < 2000);
        Assert.False(first.IsRunning);
        using var second = RunCloudEmulator.Start(new EmulatorOptions { Port = port });
        Assert.Equal(port, second.Port);
        using var http = new HttpClient();
        var res = await http.GetAsync(second.BaseUri + "api/v3/ping");
        Assert.Equal(401, (int)res.StatusCode);
    }
}
