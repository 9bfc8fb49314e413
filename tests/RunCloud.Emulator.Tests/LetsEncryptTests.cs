using Newtonsoft.Json.Linq;
using RunCloud.Emulator;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

/// <summary>
/// Issuance as Let's Encrypt runs it, so the module's SSL strategy is proven against the real limits: at most 100 names per certificate, an HTTP-01 order that fails as a
/// whole when one name does not point at the server, and 5 duplicate certificates per 7 days.
/// </summary>
public class LetsEncryptTests
{
    private const string Blog = "servers/1001/webapps/2002";
    private static readonly string SslUrl = $"{App}/ssl/{EmulatorDefaults.SslId}";
    private static readonly object LetsEncrypt = new { provider = "letsencrypt", enableHttp = false, enableHsts = false, authorizationMethod = "http-01", externalApi = (int?)null, environment = "live" };
    private static readonly object Advanced = new { provider = "letsencrypt", authorizationMethod = "http-01", environment = "live", advancedSSL = true, autoSSL = false };

    private static string[] Names(string prefix, int n) => Enumerable.Range(1, n).Select(i => $"{prefix}{i}.example.com").ToArray();

    /// <summary>Names of n different registered domains (customers' mapped domains), so Let's Encrypt's 50-per-registered-domain limit does not apply.</summary>
    private static string[] Mapped(string prefix, int n) => Enumerable.Range(1, n).Select(i => $"{prefix}.customer{i}.test").ToArray();

    // ---------- 100 names per certificate ----------

    [Fact]
    public async Task Basic_redeploy_past_100_names_counting_www_variants_fails_with_a_clear_422_and_changes_nothing()
    {
        using var h = new Harness();
        // shop.example.com + the runcloud.link name + 49 domains with www = 2 + 98 = 100 names: still fine.
        foreach (var n in Names("w", 49)) await h.Post(Domains, new { name = n, www = true });
        var (ok, _, _) = await h.Call("PUT", SslUrl, new { });
        Assert.Equal(200, ok);
        Assert.Equal(100, h.Emu.State.GetSsl(1001, 2001)!.CoveredDomains.Count);

        // One more domain with www: 102 names.
        await h.Post(Domains, new { name = "one-more.example.com", www = true });
        var before = h.Emu.State.GetSsl(1001, 2001)!;
        var (status, json, _) = await h.Call("PUT", SslUrl, new { });
        Assert.Equal(422, status);
        var message = (string)json["message"]!;
        Assert.Contains("at most 100 names", message);
        Assert.Contains("needs 102", message);
        Assert.Contains("advanced SSL", message);
        var after = h.Emu.State.GetSsl(1001, 2001)!;
        Assert.Equal(before.CoveredDomains, after.CoveredDomains);
        Assert.Equal(before.RedeployCount, after.RedeployCount);
        Assert.Equal(new[] { "one-more.example.com", "www.one-more.example.com" }, h.Emu.GetUncoveredDomains(1001, 2001));
    }

    [Fact]
    public async Task Basic_install_past_100_names_fails_and_installs_nothing_but_advanced_mode_covers_them_one_by_one()
    {
        using var h = new Harness();
        h.Emu.State.AddDomains(1001, 2002, Mapped("many", 120));
        var (status, json, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(422, status);
        Assert.Contains("needs 121", (string)json["message"]!);
        Assert.Null(h.Emu.State.GetSsl(1001, 2002));

        Assert.Equal(200, (await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false })).status);
        foreach (var d in h.Emu.State.GetDomains(1001, 2002))
            Assert.Equal(200, (await h.Post($"{Blog}/domains/{d.Id}/ssl", Advanced)).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));
    }

    [Fact]
    public async Task The_name_limit_is_an_option()
    {
        using var h = new Harness(o => o.MaxNamesPerCertificate = 0);
        h.Emu.State.AddDomains(1001, 2002, Names("many", 150));
        Assert.Equal(200, (await h.Post(Blog + "/ssl", LetsEncrypt)).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));
    }

    // ---------- DNS and HTTP-01 ----------

    [Fact]
    public void By_default_every_domain_and_its_www_variant_points_at_its_server_and_other_names_do_not_resolve()
    {
        using var h = new Harness();
        h.Emu.State.AddDomain(1002, h.Emu.State.AddWebApp(1002, "other").Id, "other.example.org", www: true);
        Assert.Equal(new[] { EmulatorDefaults.ServerIpAddress }, h.Emu.Dns.Resolve("shop.example.com").Addresses);
        Assert.Equal(new[] { EmulatorDefaults.SecondServerIpAddress }, h.Emu.Dns.Resolve("www.other.example.org.").Addresses);
        Assert.True(h.Emu.Dns.Resolve("SHOP.example.com").IsDefault);
        var nx = h.Emu.Dns.Resolve("nowhere.example.net");
        Assert.Equal("NXDomain", nx.Status);
        Assert.False(nx.Resolves);
    }

    [Fact]
    public void The_dns_table_overrides_the_default_and_follows_cnames()
    {
        using var h = new Harness();
        h.Emu.Dns.SetAddresses("shop.example.com", new[] { "198.51.100.7", "2001:db8::7" });
        h.Emu.Dns.SetCName("alias.example.net", "shop.example.com");
        h.Emu.Dns.SetUnpointed("blog.example.com");
        var a = h.Emu.Dns.Resolve("alias.example.net");
        Assert.Equal(new[] { "shop.example.com" }, a.CNames);
        Assert.Equal(new[] { "198.51.100.7", "2001:db8::7" }, a.Addresses);
        Assert.False(a.IsDefault);
        Assert.Equal("NXDomain", h.Emu.Dns.Resolve("blog.example.com").Status);
        Assert.Equal(3, h.Emu.Dns.GetRecords().Count);
        Assert.True(h.Emu.Dns.Remove("blog.example.com"));
        Assert.Equal(new[] { EmulatorDefaults.ServerIpAddress }, h.Emu.Dns.Resolve("blog.example.com").Addresses);
        h.Emu.Dns.SetCName("loop1.example.net", "loop2.example.net");
        h.Emu.Dns.SetCName("loop2.example.net", "loop1.example.net");
        Assert.Equal("NXDomain", h.Emu.Dns.Resolve("loop1.example.net").Status);
        Assert.Throws<ArgumentException>(() => h.Emu.Dns.SetAddresses("x.example.com", new[] { "not-an-ip" }));
    }

    [Fact]
    public async Task Http01_redeploy_fails_as_a_whole_when_one_name_is_not_pointed_and_the_ssl_state_does_not_change()
    {
        using var h = new Harness();
        await h.Post(Domains, new { name = "pointed.example.com" });
        await h.Post(Domains, new { name = "mapped-early.example.com", www = true });
        h.Emu.Dns.SetUnpointed("mapped-early.example.com");
        h.Emu.Dns.SetAddresses("www.mapped-early.example.com", new[] { "198.51.100.9" });
        var before = h.Emu.State.GetSsl(1001, 2001)!;

        var (status, json, _) = await h.Call("PUT", SslUrl, new { });
        Assert.Equal(422, status);
        var message = (string)json["message"]!;
        Assert.Contains("could not validate 2 of 5 names with HTTP-01", message);
        Assert.Contains("mapped-early.example.com (no A/AAAA record (NXDOMAIN))", message);
        Assert.Contains("resolves to 198.51.100.9, not to the server's 203.0.113.10", message);
        Assert.NotNull(json["errors"]!["mapped-early.example.com"]);
        Assert.NotNull(json["errors"]!["www.mapped-early.example.com"]);
        Assert.Null(json["errors"]!["pointed.example.com"]);

        var after = h.Emu.State.GetSsl(1001, 2001)!;
        Assert.Equal(before.CoveredDomains, after.CoveredDomains);
        Assert.Equal(before.ValidUntil, after.ValidUntil);
        Assert.Contains("pointed.example.com", h.Emu.GetUncoveredDomains(1001, 2001)); // the pointed name was not covered either

        // Pointing them (back to the default) lets the next redeploy cover everything.
        h.Emu.Dns.Clear();
        Assert.Equal(200, (await h.Call("PUT", SslUrl, new { })).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2001));
    }

    [Fact]
    public async Task Http01_install_fails_when_a_name_is_not_pointed_but_dns01_and_proxied_names_pass()
    {
        using var h = new Harness();
        h.Emu.Dns.SetAddresses("blog.example.com", new[] { "104.16.1.1" });
        var (status, _, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(422, status);
        Assert.Null(h.Emu.State.GetSsl(1001, 2002));

        // Behind a proxy that forwards HTTP to the server (Cloudflare's orange cloud), HTTP-01 reaches the server.
        h.Emu.Dns.SetAddresses("blog.example.com", new[] { "104.16.1.1" }, proxied: true);
        Assert.Equal(200, (await h.Post(Blog + "/ssl", LetsEncrypt)).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));

        // DNS-01 needs no pointing at all.
        using var h2 = new Harness();
        h2.Emu.Dns.SetUnpointed("blog.example.com");
        Assert.Equal(200, (await h2.Post(Blog + "/ssl", new { provider = "letsencrypt", authorizationMethod = "dns-01", externalApi = EmulatorDefaults.ExternalApiId })).status);
    }

    [Fact]
    public async Task Advanced_mode_http01_fails_only_for_the_unpointed_domain()
    {
        using var h = new Harness();
        Assert.Equal(200, (await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false })).status);
        var (_, late, _) = await h.Post(Blog + "/domains", new { name = "late.example.com" });
        h.Emu.Dns.SetUnpointed("late.example.com");
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", Advanced)).status);
        var (status, json, _) = await h.Post($"{Blog}/domains/{(long)late["id"]!}/ssl", Advanced);
        Assert.Equal(422, status);
        Assert.Contains("late.example.com", (string)json["message"]!);
        Assert.Equal(new[] { "late.example.com" }, h.Emu.GetUncoveredDomains(1001, 2002));
    }

    [Fact]
    public async Task Wildcard_names_cannot_be_validated_with_http01()
    {
        using var h = new Harness();
        await h.Post(Blog + "/domains", new { name = "*.blog.example.com" });
        Assert.Equal(new[] { EmulatorDefaults.ServerIpAddress }, h.Emu.Dns.Resolve("anything.blog.example.com").Addresses);
        var (status, json, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(422, status);
        Assert.Contains("only be validated with DNS-01", (string)json["message"]!);
    }

    // ---------- duplicate certificates ----------

    [Fact]
    public async Task A_sixth_certificate_for_the_same_names_within_7_days_is_refused_until_the_window_moves_on()
    {
        var clock = new EmulatorClock();
        clock.Freeze(new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc));
        using var h = new Harness(o => o.Clock = clock);
        h.Emu.State.ClearIssuances(); // the seed's certificate was not issued through the API anyway
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await h.Call("PUT", SslUrl, new { })).status);
            clock.Advance(TimeSpan.FromHours(1));
        }
        var before = h.Emu.State.GetSsl(1001, 2001)!;
        var (status, json, _) = await h.Call("PUT", SslUrl, new { });
        Assert.Equal(422, status);
        var message = (string)json["message"]!;
        Assert.Contains("too many certificates (5) already issued for this exact set of domains in the last 168h0m0s", message);
        Assert.Contains("retry after 2026-03-08 12:00:00 UTC", message);
        Assert.Equal(before.RedeployCount, h.Emu.State.GetSsl(1001, 2001)!.RedeployCount);

        // Another set of names is another certificate: not limited.
        await h.Post(Domains, new { name = "new.example.com" });
        Assert.Equal(200, (await h.Call("PUT", SslUrl, new { })).status);
        await h.Call("DELETE", $"{Domains}/{h.Emu.State.GetDomains(1001, 2001).Single(d => d.Name == "new.example.com").Id}");

        // Back to the old set: still refused until the first of the five leaves the window.
        clock.Freeze(new DateTime(2026, 3, 8, 11, 59, 0, DateTimeKind.Utc));
        Assert.Equal(422, (await h.Call("PUT", SslUrl, new { })).status);
        clock.Freeze(new DateTime(2026, 3, 8, 12, 0, 1, DateTimeKind.Utc));
        Assert.Equal(200, (await h.Call("PUT", SslUrl, new { })).status);
        var issued = h.Emu.State.GetIssuances();
        Assert.Equal(7, issued.Count);
        Assert.Equal(new[] { "shop.example.com", EmulatorDefaults.TestDomainName }.OrderBy(x => x, StringComparer.Ordinal), issued[0].Names);
    }

    [Fact]
    public async Task The_duplicate_limit_counts_per_domain_certificates_too_and_is_an_option()
    {
        using (var h = new Harness())
        {
            await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false });
            Assert.Equal(200, (await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", Advanced)).status);
            var (_, ssl, _) = await h.Get($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl");
            var url = $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl/{(long)ssl["id"]!}";
            for (int i = 0; i < 4; i++) Assert.Equal(200, (await h.Call("PUT", url, new { })).status);
            Assert.Equal(422, (await h.Call("PUT", url, new { })).status);
        }
        using (var h = new Harness(o => o.DuplicateCertificateLimit = 0))
        {
            for (int i = 0; i < 8; i++) Assert.Equal(200, (await h.Call("PUT", SslUrl, new { })).status);
        }
    }

    [Fact]
    public async Task A_name_that_failed_validation_5_times_in_an_hour_is_refused_before_validation_until_the_hour_passes()
    {
        var clock = new EmulatorClock();
        clock.Freeze(new DateTime(2026, 4, 1, 9, 0, 0, DateTimeKind.Utc));
        using var h = new Harness(o => o.Clock = clock);
        await h.Post(Domains, new { name = "early.example.com" });
        h.Emu.Dns.SetUnpointed("early.example.com");
        for (int i = 0; i < 5; i++)
        {
            var (s, j, _) = await h.Call("PUT", SslUrl, new { });
            Assert.Equal(422, s);
            Assert.Contains("could not validate", (string)j["message"]!);
            clock.Advance(TimeSpan.FromMinutes(5));
        }
        h.Emu.Dns.Clear(); // pointed now, but Let's Encrypt still refuses the name for a while
        var (status, json, _) = await h.Call("PUT", SslUrl, new { });
        Assert.Equal(422, status);
        Assert.Contains("too many failed authorizations (5) for \"early.example.com\" in the last 1h0m0s, retry after 2026-04-01 10:00:00 UTC", (string)json["message"]!);
        clock.Freeze(new DateTime(2026, 4, 1, 10, 0, 1, DateTimeKind.Utc));
        Assert.Equal(200, (await h.Call("PUT", SslUrl, new { })).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2001));
    }

    [Fact]
    public async Task More_than_300_new_orders_in_3_hours_are_refused_and_failed_orders_count_too()
    {
        var clock = new EmulatorClock();
        clock.Freeze(new DateTime(2026, 4, 2, 0, 0, 0, DateTimeKind.Utc));
        using var h = new Harness(o => { o.Clock = clock; o.NewOrdersLimit = 4; });
        await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false });
        var ids = new List<long>();
        foreach (var n in Names("o", 5)) ids.Add((long)(await h.Post(Blog + "/domains", new { name = n })).json["id"]!);
        h.Emu.Dns.SetUnpointed("o1.example.com");
        Assert.Equal(422, (await h.Post($"{Blog}/domains/{ids[0]}/ssl", Advanced)).status); // created, failed: counts
        for (int i = 1; i < 4; i++) Assert.Equal(200, (await h.Post($"{Blog}/domains/{ids[i]}/ssl", Advanced)).status);
        var (status, json, _) = await h.Post($"{Blog}/domains/{ids[4]}/ssl", Advanced);
        Assert.Equal(422, status);
        Assert.Contains("too many new orders (4) recently, at most 4 in 3h0m0s, retry after 2026-04-02 03:00:00 UTC", (string)json["message"]!);
        Assert.Null(h.Emu.State.GetDomain(1001, 2002, ids[4])!.Ssl);
        clock.Advance(TimeSpan.FromHours(3).Add(TimeSpan.FromSeconds(1)));
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{ids[4]}/ssl", Advanced)).status);
        Assert.Equal(300, new EmulatorOptions().NewOrdersLimit);
    }

    [Fact]
    public async Task A_network_of_250_domains_with_10_unpointed_is_covered_name_by_name_and_proven_over_tls_within_every_limit()
    {
        // A multisite network too big for one certificate, on the emulator's side: too many names for one certificate, 10 mapped before their DNS.
        using var h = new Harness(o => o.TlsPort = 0);
        var names = Mapped("site", 250); // mapped domains: 250 registered domains, each far under 50 certificates a week
        h.Emu.State.AddDomains(1001, 2002, names);
        var unpointed = names.Where((_, i) => i % 25 == 7).ToList();
        Assert.Equal(10, unpointed.Count);
        foreach (var n in unpointed) h.Emu.Dns.SetUnpointed(n);

        var (basic, basicJson, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(422, basic);
        Assert.Contains("needs 251", (string)basicJson["message"]!);

        Assert.Equal(200, (await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false })).status);
        var domains = h.Emu.State.GetDomains(1001, 2002);
        var refused = new List<string>();
        foreach (var d in domains)
        {
            var (s, _, _) = await h.Post($"{Blog}/domains/{d.Id}/ssl", Advanced);
            if (s != 200) { Assert.Equal(422, s); refused.Add(d.Name); }
        }
        Assert.Equal(unpointed, refused);
        Assert.Equal(unpointed, h.Emu.GetUncoveredDomains(1001, 2002));
        Assert.True(await TlsProbe(h.Emu, names[0]));
        Assert.False(await TlsProbe(h.Emu, unpointed[0]));

        // The customers point their DNS; the next run covers them.
        foreach (var n in unpointed) h.Emu.Dns.Remove(n);
        foreach (var d in domains.Where(d => unpointed.Contains(d.Name)))
            Assert.Equal(200, (await h.Post($"{Blog}/domains/{d.Id}/ssl", Advanced)).status);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));
        Assert.True(await TlsProbe(h.Emu, unpointed[0]));
        Assert.Equal(251, h.Emu.State.GetIssuances().Count); // 251 certificates, 261 orders: under 300 per 3 hours
    }

    private static async Task<bool> TlsProbe(RunCloudEmulator emu, string name)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", emu.TlsPort);
        System.Security.Cryptography.X509Certificates.X509Certificate2? cert = null;
        using var ssl = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, c, _, _) => { cert = new(c!); return true; });
        await ssl.AuthenticateAsClientAsync(name);
        return RunCloudEmulator.CertificateCovers(cert!, name);
    }

    [Fact]
    public async Task Custom_certificates_are_not_lets_encrypt_orders()
    {
        using var h = new Harness();
        h.Emu.Dns.SetUnpointed("blog.example.com");
        Assert.Equal(200, (await h.Post(Blog + "/ssl", new { provider = "custom", privateKey = "K", certificate = "C" })).status);
        Assert.DoesNotContain(h.Emu.State.GetIssuances(), i => i.Names.Contains("blog.example.com"));
    }

    // ---------- admin endpoints (out-of-process control) ----------

    [Fact]
    public async Task Admin_endpoints_set_and_query_dns_in_doh_json_and_move_the_clock()
    {
        using var h = new Harness();
        var put = await h.Http.PutAsync("/_emulator/dns/late.example.com", new StringContent("{\"addresses\":[\"198.51.100.1\",\"2001:db8::1\"]}"));
        Assert.Equal(200, (int)put.StatusCode);
        await h.Http.PutAsync("/_emulator/dns/www.late.example.com", new StringContent("{\"cname\":\"late.example.com\"}"));
        await h.Http.PutAsync("/_emulator/dns/gone.example.com", new StringContent("{\"unpointed\":true}"));

        var a = JObject.Parse(await h.Http.GetStringAsync("/_emulator/dns-query?name=www.late.example.com&type=A"));
        Assert.Equal(0, (int)a["Status"]!);
        var answers = (JArray)a["Answer"]!;
        Assert.Equal(2, answers.Count);
        Assert.Equal((5, "late.example.com."), ((int)answers[0]["type"]!, (string)answers[0]["data"]!));
        Assert.Equal((1, "198.51.100.1"), ((int)answers[1]["type"]!, (string)answers[1]["data"]!));
        var aaaa = JObject.Parse(await h.Http.GetStringAsync("/_emulator/dns-query?name=late.example.com&type=AAAA"));
        Assert.Equal("2001:db8::1", (string)aaaa["Answer"]![0]!["data"]!);
        var nx = JObject.Parse(await h.Http.GetStringAsync("/_emulator/dns-query?name=gone.example.com"));
        Assert.Equal(3, (int)nx["Status"]!);
        Assert.Null(nx["Answer"]);
        var byDefault = JObject.Parse(await h.Http.GetStringAsync("/_emulator/dns-query?name=shop.example.com&type=A"));
        Assert.Equal(EmulatorDefaults.ServerIpAddress, (string)byDefault["Answer"]![0]!["data"]!);

        var table = JArray.Parse(await h.Http.GetStringAsync("/_emulator/dns"));
        Assert.Equal(3, table.Count);
        Assert.Equal(200, (int)(await h.Http.DeleteAsync("/_emulator/dns/gone.example.com")).StatusCode);
        Assert.Equal("NoError", h.Emu.Dns.Resolve("late.example.com").Status);
        Assert.Equal(400, (int)(await h.Http.PutAsync("/_emulator/dns/x.example.com", new StringContent("{\"addresses\":[\"nope\"]}"))).StatusCode);

        var before = h.Emu.Clock.UtcNow;
        var moved = await h.Http.PostAsync("/_emulator/clock", new StringContent("{\"advanceSeconds\":604800}"));
        Assert.Equal(200, (int)moved.StatusCode);
        Assert.True(h.Emu.Clock.UtcNow - before >= TimeSpan.FromDays(7));

        await h.Call("PUT", SslUrl, new { });
        var issuances = JArray.Parse(await h.Http.GetStringAsync("/_emulator/issuances"));
        Assert.Contains(issuances, i => i["names"]!.Values<string>().Contains("shop.example.com"));
    }
}
