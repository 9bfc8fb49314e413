using Newtonsoft.Json.Linq;
using RunCloud.Emulator;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

/// <summary>Advanced (per-domain) SSL, settings changed in place without an issuance, and a domain's flags (PATCH .../meta).</summary>
public class SslModeAndSettingsTests
{
    private const string Blog = "servers/1001/webapps/2002";
    private static readonly string SslUrl = $"{App}/ssl/{EmulatorDefaults.SslId}";
    private static readonly object Advanced = new { provider = "letsencrypt", enableHttp = false, enableHsts = false, authorizationMethod = "http-01", environment = "live", advancedSSL = true, autoSSL = false };

    private static async Task<string> AdvancedBlogWithCertificate(Harness h)
    {
        Assert.Equal(200, (await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false })).status);
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", Advanced)).status);
        var (_, ssl, _) = await h.Get($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl");
        return $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl/{(long)ssl["id"]!}";
    }

    // ---------- advanced mode ----------

    [Fact]
    public async Task A_post_over_an_existing_per_domain_certificate_is_a_422_and_after_a_delete_a_post_works_again()
    {
        using var h = new Harness();
        var url = await AdvancedBlogWithCertificate(h);
        var before = h.Emu.State.GetDomain(1001, 2002, EmulatorDefaults.BlogDomainId)!.Ssl!;
        var (status, json, _) = await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", Advanced);
        Assert.Equal(422, status);
        Assert.Equal("SSL is already installed on this domain.", (string?)json["message"]);
        Assert.Equal(before.Id, h.Emu.State.GetDomain(1001, 2002, EmulatorDefaults.BlogDomainId)!.Ssl!.Id);

        Assert.Equal(200, (await h.Call("DELETE", url)).status);
        Assert.Null(h.Emu.State.GetDomain(1001, 2002, EmulatorDefaults.BlogDomainId)!.Ssl);
        Assert.Equal(404, (await h.Call("PUT", url, new { })).status); // the deleted certificate is gone
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", Advanced)).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));
    }

    [Fact]
    public async Task The_mode_switch_reports_itself_and_basic_endpoints_see_no_certificate_in_advanced_mode()
    {
        using var h = new Harness();
        await AdvancedBlogWithCertificate(h);
        var (m, mode, _) = await h.Get(Blog + "/ssl/advanced");
        Assert.Equal(200, m);
        Assert.Equal(new JObject { ["advancedSSL"] = true, ["autoSSL"] = false }, mode);
        Assert.Equal(404, (await h.Get(Blog + "/ssl")).status); // no app-level certificate
        // Back to basic needs every per-domain certificate gone first.
        Assert.Equal(422, (await h.Post(Blog + "/ssl/advanced", new { advancedSSL = false, autoSSL = false })).status);
        var (missing, json, _) = await h.Post(Blog + "/ssl/advanced", new { autoSSL = false });
        Assert.Equal(422, missing);
        Assert.NotNull(json["errors"]!["advancedSSL"]);
    }

    // ---------- settings in place ----------

    [Fact]
    public async Task Patch_changes_settings_in_place_without_an_issuance_even_when_an_order_would_fail()
    {
        var clock = new EmulatorClock();
        clock.Freeze(new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc));
        using var h = new Harness(o => o.Clock = clock);
        var before = h.Emu.State.GetSsl(1001, 2001)!;
        h.Emu.Dns.SetUnpointed("shop.example.com"); // an issuance would fail now
        clock.Advance(TimeSpan.FromDays(3));

        var (status, json, _) = await h.Call("PATCH", SslUrl, new { enableHttp = true, enableHsts = true, ssl_protocol_id = 1 });
        Assert.Equal(200, status);
        Assert.Equal(1, (int)json["ssl_protocol_id"]!);
        var after = h.Emu.State.GetSsl(1001, 2001)!;
        Assert.True(after.EnableHttp && after.EnableHsts);
        Assert.Equal(1, after.SslProtocolId);
        Assert.Equal((before.Id, before.ValidUntil, before.IssuedAt, before.RedeployCount), (after.Id, after.ValidUntil, after.IssuedAt, after.RedeployCount));
        Assert.Empty(h.Emu.State.GetIssuances());

        var (bad, badJson, _) = await h.Call("PATCH", SslUrl, new { ssl_protocol_id = 99 });
        Assert.Equal(422, bad);
        Assert.NotNull(badJson["errors"]!["ssl_protocol_id"]);
        Assert.Equal(1, h.Emu.State.GetSsl(1001, 2001)!.SslProtocolId);
    }

    [Fact]
    public async Task Per_domain_patch_takes_the_documented_body_and_settings_and_answers_an_empty_object()
    {
        using var h = new Harness();
        var url = await AdvancedBlogWithCertificate(h);
        var (s1, j1, _) = await h.Call("PATCH", url, new { advancedSSL = true, autoSSL = false });
        Assert.Equal(200, s1);
        Assert.Equal(new JObject(), j1);
        var (s2, _, _) = await h.Call("PATCH", url, new { enableHsts = true, ssl_protocol_id = 3 });
        Assert.Equal(200, s2);
        var ssl = h.Emu.State.GetDomain(1001, 2002, EmulatorDefaults.BlogDomainId)!.Ssl!;
        Assert.True(ssl.EnableHsts);
        Assert.Equal(3, ssl.SslProtocolId);
        Assert.Equal(0, ssl.RedeployCount);
        var (s3, j3, _) = await h.Call("PATCH", url, new { advancedSSL = "yes" });
        Assert.Equal(422, s3);
        Assert.NotNull(j3["errors"]!["advancedSSL"]);
    }

    [Fact]
    public async Task Protocol_ids_offered_by_static_ssl_protocols_are_exactly_the_ones_accepted()
    {
        using var h = new Harness();
        var (_, list, _) = await h.Get("static/ssl/protocols?webServer=nginx");
        var ids = list.Select(p => (int)p["id"]!).ToList();
        Assert.NotEmpty(ids);
        foreach (var id in ids) Assert.Equal(200, (await h.Call("PATCH", SslUrl, new { ssl_protocol_id = id })).status);
        Assert.Equal(422, (await h.Call("PATCH", SslUrl, new { ssl_protocol_id = ids.Max() + 1 })).status);
        Assert.Equal(422, (await h.Call("PATCH", SslUrl, new { ssl_protocol_id = "TLSv1.3" })).status);
    }

    // ---------- a domain's flags (PATCH .../domains/{d}/meta) ----------

    [Fact]
    public async Task Patch_meta_www_changes_what_the_certificate_must_cover_until_a_redeploy()
    {
        using var h = new Harness();
        var (status, _, _) = await h.Call("PATCH", $"{Domains}/{EmulatorDefaults.PrimaryDomainId}/meta", new { www = true, redirection = "non-www" });
        Assert.Equal(200, status);
        Assert.Equal(new[] { "www.shop.example.com" }, h.Emu.GetUncoveredDomains(1001, 2001));
        Assert.Equal(new[] { EmulatorDefaults.ServerIpAddress }, h.Emu.Dns.Resolve("www.shop.example.com").Addresses);
        Assert.Equal(200, (await h.Call("PUT", SslUrl, new { })).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2001));
    }

    [Fact]
    public async Task Patch_meta_keeps_a_primary_domain_and_refuses_a_www_name_another_domain_has()
    {
        using var h = new Harness();
        var (s1, j1, _) = await h.Call("PATCH", $"{Domains}/{EmulatorDefaults.PrimaryDomainId}/meta", new { type = "alias" });
        Assert.Equal(422, s1);
        Assert.NotNull(j1["errors"]!["type"]);
        Assert.Equal("primary", h.Emu.State.GetDomain(1001, 2001, EmulatorDefaults.PrimaryDomainId)!.Type);

        await h.Post(Domains, new { name = "www.shop.example.com" });
        var (s2, j2, _) = await h.Call("PATCH", $"{Domains}/{EmulatorDefaults.PrimaryDomainId}/meta", new { www = true });
        Assert.Equal(422, s2);
        Assert.Contains("www.shop.example.com", (string?)j2["errors"]!["www"]![0]);
        Assert.False(h.Emu.State.GetDomain(1001, 2001, EmulatorDefaults.PrimaryDomainId)!.Www);
        var (s3, j3, _) = await h.Post("servers/1001/webapps/2002/domains", new { name = "shop.example.com", www = true });
        Assert.Equal(422, s3); // taken anyway
        var (s4, j4, _) = await h.Post(Domains, new { name = "news.example.com", www = true });
        Assert.Equal(200, s4);
        await h.Post(Domains, new { name = "www.blogs.example.com" });
        var (s5, j5, _) = await h.Post(Domains, new { name = "blogs.example.com", www = true });
        Assert.Equal(422, s5);
        Assert.NotNull(j5["errors"]!["www"]);

        Assert.Equal(404, (await h.Call("PATCH", $"{Domains}/9999/meta", new { www = true })).status);
        Assert.Equal(405, (await h.Call("PUT", $"{Domains}/{EmulatorDefaults.PrimaryDomainId}/meta", new { www = true })).status);
    }
}
