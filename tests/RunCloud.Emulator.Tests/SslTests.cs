using Newtonsoft.Json.Linq;
using RunCloud.Emulator;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

public class SslTests
{
    private const string Blog = "servers/1001/webapps/2002";
    private static readonly object LetsEncrypt = new { provider = "letsencrypt", enableHttp = false, enableHsts = false, authorizationMethod = "http-01", externalApi = (int?)null, environment = "live" };

    [Fact]
    public async Task Domain_added_after_install_is_uncovered_until_redeploy()
    {
        using var h = new Harness();
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2001));
        await h.Post(Domains, new { name = "late.example.com", www = true });
        Assert.Equal(new[] { "late.example.com", "www.late.example.com" }, h.Emu.GetUncoveredDomains(1001, 2001));

        var (_, ssl, _) = await h.Get(App + "/ssl");
        var (status, redeployed, _) = await h.Call("PUT", App + "/ssl/" + (long)ssl["id"]!, new { });
        Assert.Equal(200, status);
        Assert.Equal((long)ssl["id"]!, (long)redeployed["id"]!);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2001));
        Assert.Contains("www.late.example.com", h.Emu.State.GetSsl(1001, 2001)!.CoveredDomains);
    }

    [Fact]
    public async Task Get_ssl_with_none_installed_answers_the_configured_status_and_message()
    {
        using (var h = new Harness())
        {
            var (status, json, _) = await h.Get(Blog + "/ssl");
            Assert.Equal(404, status); // default
            Assert.Equal(new JObject { ["message"] = "SSL not installed!" }, json);
        }
        using (var h = new Harness(o => o.NoSslStatusCode = 200))
        {
            var (status, json, _) = await h.Get(Blog + "/ssl");
            Assert.Equal(200, status);
            Assert.Null(json["id"]);
            Assert.Equal("SSL not installed!", (string?)json["message"]);
        }
    }

    [Fact]
    public async Task Install_covers_current_domains_and_a_second_install_answers_422()
    {
        using var h = new Harness();
        Assert.Equal(new[] { "blog.example.com" }, h.Emu.GetUncoveredDomains(1001, 2002));
        var (status, ssl, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(200, status);
        Assert.Equal("letsencrypt", (string?)ssl["method"]);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));
        var (again, json, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(422, again);
        Assert.NotNull(json["message"]);
    }

    [Fact]
    public async Task Install_validates_provider_and_custom_fields()
    {
        using var h = new Harness();
        var (s1, j1, _) = await h.Post(Blog + "/ssl", new { enableHttp = false });
        Assert.Equal(422, s1);
        Assert.NotNull(j1["errors"]!["provider"]);
        var (s2, j2, _) = await h.Post(Blog + "/ssl", new { provider = "custom" });
        Assert.Equal(422, s2);
        Assert.NotNull(j2["errors"]!["privateKey"]);
        Assert.NotNull(j2["errors"]!["certificate"]);
        var (s3, j3, _) = await h.Post(Blog + "/ssl", new { provider = "letsencrypt", authorizationMethod = "dns-01" });
        Assert.Equal(422, s3);
        Assert.NotNull(j3["errors"]!["externalApi"]);
    }

    [Fact]
    public async Task ExternalApi_is_an_integer_and_a_non_numeric_string_is_refused()
    {
        // RunCloud's v3 SDK sends externalApi as the integer id of a DNS-provider integration (nullable|integer).
        using (var h = new Harness())
        {
            var (status, json, _) = await h.Post(Blog + "/ssl", new { provider = "letsencrypt", authorizationMethod = "dns-01", externalApi = EmulatorDefaults.ExternalApiId, environment = "live" });
            Assert.Equal(200, status);
            Assert.Equal(EmulatorDefaults.ExternalApiId, (long)json["apiId"]!);
            Assert.Equal("dns-01", (string?)json["authorizationMethod"]);
        }
        using (var h = new Harness())
        {
            var (status, json, _) = await h.Post(Blog + "/ssl", new { provider = "letsencrypt", authorizationMethod = "dns-01", externalApi = "cloudflare" });
            Assert.Equal(422, status);
            Assert.Equal("The externalApi must be an integer.", (string?)json["errors"]!["externalApi"]![0]);
            Assert.Null(h.Emu.State.GetSsl(1001, 2002));
        }
        using (var h = new Harness())
        {
            // Laravel's integer rule takes a string of digits (a form body has nothing else).
            var (status, json, _) = await h.Post(Blog + "/ssl", new { provider = "letsencrypt", authorizationMethod = "dns-01", externalApi = EmulatorDefaults.ExternalApiId.ToString() });
            Assert.Equal(200, status);
            Assert.Equal(EmulatorDefaults.ExternalApiId, (long)json["apiId"]!);
        }
        using (var h = new Harness())
        {
            // null (and "" turned into null by Laravel's middleware) is fine for http-01, which needs no DNS provider.
            Assert.Equal(200, (await h.Post(Blog + "/ssl", LetsEncrypt)).status);
            var (status, json, _) = await h.Post(Blog + "/ssl", new { provider = "letsencrypt", authorizationMethod = "dns-01", externalApi = "" });
            Assert.Equal(422, status);
            Assert.Equal("The externalApi field is required when authorizationMethod is dns-01.", (string?)json["errors"]!["externalApi"]![0]);
        }
    }

    [Fact]
    public async Task Patch_updates_settings_and_delete_uninstalls()
    {
        using var h = new Harness();
        var url = $"{App}/ssl/{EmulatorDefaults.SslId}";
        var (status, json, _) = await h.Call("PATCH", url, new { enableHsts = true, enableHttp = true });
        Assert.Equal(200, status);
        Assert.True((bool)json["enableHsts"]!);
        Assert.True(h.Emu.State.GetSsl(1001, 2001)!.EnableHttp);
        var (del, _, _) = await h.Call("DELETE", url);
        Assert.Equal(200, del);
        Assert.Null(h.Emu.State.GetSsl(1001, 2001));
        var (get, _, _) = await h.Get(App + "/ssl");
        Assert.Equal(404, get);
        Assert.Equal(2, h.Emu.GetUncoveredDomains(1001, 2001).Count);
    }

    [Fact]
    public async Task Advanced_mode_refuses_app_install_and_covers_each_domain_with_its_own_certificate()
    {
        using var h = new Harness();
        var (m0, mode0, _) = await h.Get(Blog + "/ssl/advanced");
        Assert.Equal(200, m0);
        Assert.Equal(new JObject { ["advancedSSL"] = false, ["autoSSL"] = false }, mode0);

        // Switching while a basic certificate is installed is refused.
        var (refused, _, _) = await h.Post(App + "/ssl/advanced", new { advancedSSL = true, autoSSL = false });
        Assert.Equal(422, refused);

        var (m1, mode1, _) = await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false });
        Assert.Equal(200, m1);
        Assert.True((bool)mode1["advancedSSL"]!);

        var (appInstall, _, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(422, appInstall);

        var (add, added, _) = await h.Post(Blog + "/domains", new { name = "news.example.com" });
        Assert.Equal(200, add);
        var body = new { provider = "letsencrypt", enableHttp = false, enableHsts = false, authorizationMethod = "http-01", environment = "live", advancedSSL = true, autoSSL = false };
        var (s1, j1, _) = await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", body);
        Assert.Equal(200, s1);
        Assert.Equal(new JObject(), j1);
        Assert.Equal(new[] { "news.example.com" }, h.Emu.GetUncoveredDomains(1001, 2002));

        var (g, ssl, _) = await h.Get($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl");
        Assert.Equal(200, g);
        var (redeploy, rj, _) = await h.Call("PUT", $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl/{(long)ssl["id"]!}", new { });
        Assert.Equal(200, redeploy);
        Assert.Equal(new JObject(), rj);

        var (s2, _, _) = await h.Post($"{Blog}/domains/{(long)added["id"]!}/ssl", body);
        Assert.Equal(200, s2);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));

        var (del, dj, _) = await h.Call("DELETE", $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl/{(long)ssl["id"]!}");
        Assert.Equal(200, del);
        Assert.Equal(new[] { "blog.example.com" }, h.Emu.GetUncoveredDomains(1001, 2002));
    }

    [Fact]
    public async Task Per_domain_install_outside_advanced_mode_answers_422()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", new { provider = "letsencrypt", advancedSSL = true, autoSSL = false });
        Assert.Equal(422, status);
        Assert.NotNull(json["message"]);
    }
}
