using Newtonsoft.Json.Linq;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

/// <summary>
/// The rules RunCloud and Let's Encrypt enforce beyond the basic API (registered-domain limit, DNS integrations,
/// DNS-01, wildcards, Laravel's 404 wording, DNS instructions, a lasting Retry-After per account), and every unsettled
/// rule's switch, both ways.
/// </summary>
public class RuleSwitchTests
{
    private const string Blog = "servers/1001/webapps/2002";
    private const string SslUrl = App + "/ssl/4001";
    private static readonly object LetsEncrypt = new { provider = "letsencrypt", authorizationMethod = "http-01", environment = "live" };
    private static readonly object Dns01 = new { provider = "letsencrypt", authorizationMethod = "dns-01", externalApi = EmulatorDefaults.ExternalApiId, environment = "live" };

    // ---------- the Public Suffix List, embedded ----------

    [Theory]
    [InlineData("www.example.com", "example.com")]
    [InlineData("new.blog.example.co.uk", "example.co.uk")]
    [InlineData("*.network.example.com", "example.com")]
    [InlineData("shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link", "runcloud.link")]
    [InlineData("a.b.blogspot.com", "b.blogspot.com")] // the private section counts, as Let's Encrypt uses it
    [InlineData("www.city.kawasaki.jp", "city.kawasaki.jp")] // an exception rule ("!city.kawasaki.jp") under "*.kawasaki.jp"
    [InlineData("x.y.kawasaki.jp", "x.y.kawasaki.jp")] // the wildcard rule: y.kawasaki.jp is a public suffix
    [InlineData("EXAMPLE.ORG.", "example.org")]
    [InlineData("site.customer1.test", "customer1.test")] // no rule: the last label is the suffix
    public void Registered_domains_follow_the_public_suffix_list(string name, string registered) =>
        Assert.Equal(registered, PublicSuffixList.RegisteredDomain(name));

    [Fact]
    public void A_public_suffix_has_no_registered_domain_and_the_list_is_whole()
    {
        Assert.Null(PublicSuffixList.RegisteredDomain("co.uk"));
        Assert.Null(PublicSuffixList.RegisteredDomain("com"));
        Assert.True(PublicSuffixList.RuleCount > 5000);
    }

    // ---------- Let's Encrypt: 50 certificates per registered domain per week ----------

    private static (Harness h, EmulatorClock clock, List<long> ids) AdvancedBlogWith(int domains, Action<EmulatorOptions>? more = null)
    {
        var clock = new EmulatorClock();
        clock.Freeze(new DateTime(2026, 5, 4, 9, 0, 0, DateTimeKind.Utc));
        var h = new Harness(o => { o.Clock = clock; more?.Invoke(o); });
        h.Emu.State.SetSslMode(1001, 2002, advanced: true);
        h.Emu.State.AddDomains(1001, 2002, Enumerable.Range(1, domains).Select(i => $"s{i}.example.net"));
        var ids = h.Emu.State.GetDomains(1001, 2002).Where(d => d.Name.EndsWith(".example.net")).Select(d => d.Id).ToList();
        return (h, clock, ids);
    }

    [Fact]
    public async Task The_51st_certificate_for_one_registered_domain_in_a_week_is_refused_as_Lets_Encrypt_refuses_it()
    {
        var (h, clock, ids) = AdvancedBlogWith(51);
        using var _ = h;
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(200, (await h.Post($"{Blog}/domains/{ids[i]}/ssl", LetsEncrypt)).status);
            clock.Advance(TimeSpan.FromMinutes(10));
        }
        var (status, json, _) = await h.Post($"{Blog}/domains/{ids[50]}/ssl", LetsEncrypt);
        Assert.Equal(422, status);
        Assert.Equal("Let's Encrypt refused the order: too many certificates (50) already issued for \"example.net\" in the last 168h0m0s, retry after 2026-05-11 09:00:00 UTC: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-registered-domain",
            (string?)json["message"]);
        Assert.Null(h.Emu.State.GetDomain(1001, 2002, ids[50])!.Ssl);

        // Another registered domain is unaffected; a renewal (the same exact names) is exempt.
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", LetsEncrypt)).status);
        var first = h.Emu.State.GetDomain(1001, 2002, ids[0])!.Ssl!;
        Assert.Equal(200, (await h.Call("PUT", $"{Blog}/domains/{ids[0]}/ssl/{first.Id}")).status);
        Assert.True(h.Emu.State.GetIssuances().Last().Renewal);

        // A week after the first one, there is room for one more.
        clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(500) + TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{ids[50]}/ssl", LetsEncrypt)).status);
    }

    [Fact]
    public async Task The_registered_domain_limit_is_a_switch()
    {
        var (h, _, ids) = AdvancedBlogWith(6, o => o.CertificatesPerDomainLimit = 5);
        using var _ = h;
        for (int i = 0; i < 5; i++) Assert.Equal(200, (await h.Post($"{Blog}/domains/{ids[i]}/ssl", LetsEncrypt)).status);
        Assert.Equal(422, (await h.Post($"{Blog}/domains/{ids[5]}/ssl", LetsEncrypt)).status);
        Assert.Equal(50, new EmulatorOptions().CertificatesPerDomainLimit);

        var (off, _, offIds) = AdvancedBlogWith(60, o => o.CertificatesPerDomainLimit = 0);
        using var __ = off;
        foreach (var id in offIds) Assert.Equal(200, (await off.Post($"{Blog}/domains/{id}/ssl", LetsEncrypt)).status);
    }

    // ---------- DNS integrations ("3rd-party API keys") ----------

    [Fact]
    public async Task DNS_integrations_are_seeded_listed_created_changed_and_deleted_as_RunCloud_documents()
    {
        using var h = new Harness();
        var (ls, list, _) = await h.Get("settings/externalapi");
        Assert.Equal(200, ls);
        var seeded = ((JArray)list["data"]!).Single();
        Assert.Equal(EmulatorDefaults.ExternalApiId, (long)seeded["id"]!);
        Assert.Equal("Cloudflare", (string?)seeded["service"]);
        Assert.Equal(EmulatorDefaults.ExternalApiUsername, (string?)seeded["username"]);
        Assert.NotNull(list["meta"]!["pagination"]);

        var (cs, created, _) = await h.Post("settings/externalapi", new { label = "Testing", service = "digitalocean", secret = "k2jh35jk2h2k6jh2981" });
        Assert.Equal(200, cs);
        Assert.Equal(new[] { "id", "label", "username", "secret", "service", "created_at" }, ((JObject)created).Properties().Select(p => p.Name));
        Assert.Equal("Digital Ocean", (string?)created["service"]);
        Assert.Equal(JTokenType.Null, created["username"]!.Type);
        long id = (long)created["id"]!;
        Assert.Equal("Testing", (string?)(await h.Get($"settings/externalapi/{id}")).json["label"]);
        Assert.Equal("Testing", (string?)((JArray)(await h.Get("settings/externalapi?search=test")).json["data"]!).Single()["label"]);

        var (ps, patched, _) = await h.Call("PATCH", $"settings/externalapi/{id}", new { label = "DO8" });
        Assert.Equal(200, ps);
        Assert.Equal("DO8", (string?)patched["label"]);
        Assert.Equal(200, (await h.Call("DELETE", $"settings/externalapi/{id}")).status);
        var (gone, goneJson, _) = await h.Get($"settings/externalapi/{id}");
        Assert.Equal(404, gone);
        Assert.Equal($"No query results for model [App\\Models\\ExternalApi] {id}", (string?)goneJson["message"]);

        // The secrets never reach the request log.
        Assert.DoesNotContain(h.Emu.GetRequests(), r => (r.Body ?? "").Contains("k2jh35jk2h2k6jh2981"));
    }

    [Fact]
    public async Task A_DNS_integration_is_validated_as_Laravel_validates_it()
    {
        using var h = new Harness();
        var (s1, j1, _) = await h.Post("settings/externalapi", new { });
        Assert.Equal(422, s1);
        Assert.Equal("The label field is required. (and 2 more errors)", (string?)j1["message"]);
        var (s2, j2, _) = await h.Post("settings/externalapi", new { label = "cf", service = "cloudflare", secret = "x" });
        Assert.Equal(422, s2);
        Assert.Equal("The username field is required when service is cloudflare.", (string?)j2["errors"]!["username"]![0]);
        var (s3, j3, _) = await h.Post("settings/externalapi", new { label = "r53", service = "route53", secret = "x" });
        Assert.Equal(422, s3);
        Assert.NotNull(j3["errors"]!["service"]);
        Assert.Equal(200, (await h.Post("settings/externalapi", new { label = "v", service = "vultr", secret = "x" })).status);
        Assert.Equal(200, (await h.Post("settings/externalapi", new { label = "l", service = "linode", secret = "x" })).status);
    }

    [Fact]
    public async Task DNS_integrations_survive_a_save_and_a_restart()
    {
        var path = Path.Combine(Path.GetTempPath(), "rc-emu-extapi-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            using (var h = new Harness(o => o.StatePath = path))
            {
                await h.Post("settings/externalapi", new { label = "kept", service = "linode", secret = "s" });
                h.Emu.Save();
            }
            using var again = new Harness(o => o.StatePath = path);
            Assert.Contains(again.Emu.State.GetExternalApis(), x => x.Label == "kept" && x.Service == "linode");
            var (s, j, _) = await again.Post("settings/externalapi", new { label = "next", service = "linode", secret = "s" });
            Assert.Equal(EmulatorDefaults.ExternalApiId + 2, (long)j["id"]!);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task DNS01_needs_an_existing_integration_in_basic_and_advanced_mode()
    {
        using var h = new Harness();
        var bad = new { provider = "letsencrypt", authorizationMethod = "dns-01", externalApi = 999, environment = "live" };
        var (s1, j1, _) = await h.Post(Blog + "/ssl", bad);
        Assert.Equal(422, s1);
        Assert.Equal("The selected external api is invalid.", (string?)j1["errors"]!["externalApi"]![0]);
        var (s2, j2, _) = await h.Post(Blog + "/ssl", new { provider = "letsencrypt", authorizationMethod = "dns-01", environment = "live" });
        Assert.Equal(422, s2);
        Assert.NotNull(j2["errors"]!["externalApi"]);

        h.Emu.State.SetSslMode(1001, 2002, advanced: true);
        Assert.Equal(422, (await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", bad)).status);
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", Dns01)).status);
    }

    [Fact]
    public async Task A_DNS01_redeploy_fails_once_its_integration_is_deleted()
    {
        using var h = new Harness();
        var (_, ssl, _) = await h.Post(Blog + "/ssl", Dns01);
        Assert.Equal(200, (await h.Call("DELETE", $"settings/externalapi/{EmulatorDefaults.ExternalApiId}")).status);
        var (status, json, _) = await h.Call("PUT", $"{Blog}/ssl/{(long)ssl["id"]!}");
        Assert.Equal(422, status);
        Assert.Contains("DNS integration", (string?)json["message"]);
    }

    // ---------- wildcards: HTTP-01 never, DNS-01 with an integration ----------

    [Fact]
    public async Task A_wildcard_fails_a_whole_HTTP01_order_in_basic_mode_and_counts_as_an_order_and_a_failed_validation()
    {
        var clock = new EmulatorClock();
        clock.Freeze(new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc));
        using var h = new Harness(o => { o.Clock = clock; o.NewOrdersLimit = 3; o.FailedValidationLimit = 2; });
        await h.Post(Blog + "/domains", new { name = "*.network.example.com" });
        for (int i = 0; i < 2; i++)
        {
            var (status, json, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
            Assert.Equal(422, status);
            Assert.Contains("*.network.example.com", (string?)json["message"]);
            Assert.Contains("DNS-01", (string?)json["errors"]!["*.network.example.com"]![0]);
        }
        Assert.Null(h.Emu.State.GetSsl(1001, 2002));
        // Two failed validations of the wildcard: the third order is refused before validation, and still created no certificate.
        var (third, tj, _) = await h.Post(Blog + "/ssl", LetsEncrypt);
        Assert.Equal(422, third);
        Assert.Contains("too many failed authorizations (2) for \"*.network.example.com\"", (string?)tj["message"]);
        // The failed-validation limit is per name whatever the challenge: DNS-01 waits for the hour to pass too.
        Assert.Equal(422, (await h.Post(Blog + "/ssl", Dns01)).status);
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        // Orders: 2 created; the refused ones were not. One more order fits; DNS-01 with an integration covers the wildcard.
        var (dns, _, _) = await h.Post(Blog + "/ssl", Dns01);
        Assert.Equal(200, dns);
        Assert.Contains("*.network.example.com", h.Emu.State.GetSsl(1001, 2002)!.CoveredDomains);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2002));
    }

    [Fact]
    public async Task A_wildcard_domain_fails_its_HTTP01_order_in_advanced_mode_and_is_issued_over_DNS01()
    {
        using var h = new Harness();
        h.Emu.State.SetSslMode(1001, 2002, advanced: true);
        var (_, d, _) = await h.Post(Blog + "/domains", new { name = "*.net.example.org" });
        long id = (long)d["id"]!;
        var (status, json, _) = await h.Post($"{Blog}/domains/{id}/ssl", LetsEncrypt);
        Assert.Equal(422, status);
        Assert.Contains("only be validated with DNS-01", (string?)json["message"]);
        Assert.Equal(200, (await h.Post($"{Blog}/domains/{id}/ssl", Dns01)).status);
        Assert.Equal(new[] { "*.net.example.org" }, h.Emu.State.GetDomain(1001, 2002, id)!.Ssl!.CoveredDomains);
    }

    // ---------- 404s: Laravel's default wording, switchable ----------

    [Fact]
    public async Task Unknown_ids_answer_Laravels_model_binding_404_by_default()
    {
        using var h = new Harness();
        Assert.Equal("No query results for model [App\\Models\\Server] 9", (string?)(await h.Get("servers/9")).json["message"]);
        Assert.Equal("No query results for model [App\\Models\\WebApplication] 9", (string?)(await h.Get("servers/1001/webapps/9")).json["message"]);
        Assert.Equal("No query results for model [App\\Models\\Domain] 9", (string?)(await h.Call("DELETE", Domains + "/9")).json["message"]);
        Assert.Equal("No query results for model [App\\Models\\SslCertificate] 9", (string?)(await h.Call("PUT", App + "/ssl/9")).json["message"]);
        Assert.Equal("The route api/v3/nothing/here could not be found.", (string?)(await h.Get("nothing/here")).json["message"]);
        // "SSL not installed!" has a public source (the Ansible collection tests for it): kept.
        Assert.Equal("SSL not installed!", (string?)(await h.Get(Blog + "/ssl")).json["message"]);
    }

    [Theory]
    [InlineData(NotFoundWording.Plain, "Not Found.", "Not Found.")]
    [InlineData(NotFoundWording.Descriptive, "Domain not found.", "SSL not found.")]
    public async Task The_404_wording_is_a_switch(NotFoundWording wording, string domain, string ssl)
    {
        using var h = new Harness(o => o.NotFoundWording = wording);
        Assert.Equal(domain, (string?)(await h.Call("DELETE", Domains + "/9")).json["message"]);
        Assert.Equal(ssl, (string?)(await h.Call("DELETE", App + "/ssl/9")).json["message"]);
        Assert.Equal(404, (await h.Get("nothing/here")).status);
    }

    [Fact]
    public async Task Uninstalling_an_apps_or_a_domains_certificate_twice_answers_404_the_second_time()
    {
        using var h = new Harness();
        Assert.Equal(200, (await h.Call("DELETE", SslUrl)).status);
        Assert.Null(h.Emu.State.GetSsl(1001, 2001));
        var (again, aj, _) = await h.Call("DELETE", SslUrl);
        Assert.Equal(404, again);
        Assert.StartsWith("No query results for model", (string?)aj["message"]);

        h.Emu.State.SetSslMode(1001, 2002, advanced: true);
        await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", LetsEncrypt);
        var sslId = h.Emu.State.GetDomain(1001, 2002, EmulatorDefaults.BlogDomainId)!.Ssl!.Id;
        Assert.Equal(200, (await h.Call("DELETE", $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl/{sslId}")).status);
        Assert.Equal(404, (await h.Call("DELETE", $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl/{sslId}")).status);
    }

    // ---------- SSL mode switch and per-domain reinstall: both ways ----------

    [Fact]
    public async Task Switching_SSL_mode_with_a_certificate_is_refused_by_default_and_uninstalls_it_InPlace()
    {
        using (var h = new Harness())
        {
            Assert.Equal(422, (await h.Post(App + "/ssl/advanced", new { advancedSSL = true })).status);
            Assert.NotNull(h.Emu.State.GetSsl(1001, 2001));
        }
        using (var h = new Harness(o => o.SslModeSwitch = SslModeSwitch.InPlace))
        {
            var (s, j, _) = await h.Post(App + "/ssl/advanced", new { advancedSSL = true });
            Assert.Equal(200, s);
            Assert.True((bool)j["advancedSSL"]!);
            Assert.Null(h.Emu.State.GetSsl(1001, 2001));
            await h.Post($"{Domains}/{EmulatorDefaults.PrimaryDomainId}/ssl", LetsEncrypt);
            Assert.Equal(200, (await h.Post(App + "/ssl/advanced", new { advancedSSL = false })).status);
            Assert.Null(h.Emu.State.GetDomain(1001, 2001, EmulatorDefaults.PrimaryDomainId)!.Ssl);
        }
    }

    [Fact]
    public async Task A_second_per_domain_install_is_refused_by_default_and_reissued_when_switched()
    {
        using (var h = new Harness())
        {
            h.Emu.State.SetSslMode(1001, 2002, advanced: true);
            var url = $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl";
            Assert.Equal(200, (await h.Post(url, LetsEncrypt)).status);
            var (s, j, _) = await h.Post(url, LetsEncrypt);
            Assert.Equal(422, s);
            Assert.Equal("SSL is already installed on this domain.", (string?)j["message"]);
        }
        using (var h = new Harness(o => o.PerDomainReinstall = PerDomainReinstall.Reissue))
        {
            h.Emu.State.SetSslMode(1001, 2002, advanced: true);
            var url = $"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl";
            Assert.Equal(200, (await h.Post(url, LetsEncrypt)).status);
            var first = h.Emu.State.GetDomain(1001, 2002, EmulatorDefaults.BlogDomainId)!.Ssl!.Id;
            Assert.Equal(200, (await h.Post(url, LetsEncrypt)).status);
            Assert.NotEqual(first, h.Emu.State.GetDomain(1001, 2002, EmulatorDefaults.BlogDomainId)!.Ssl!.Id);
            Assert.Equal(2, h.Emu.State.GetIssuances().Count(i => i.Names.SequenceEqual(new[] { "blog.example.com" })));
        }
    }

    // ---------- RunCloud's DNS instructions for a domain ----------

    [Fact]
    public async Task DNS_instructions_name_the_records_a_domain_needs()
    {
        using var h = new Harness();
        await h.Call("PATCH", $"{Domains}/{EmulatorDefaults.PrimaryDomainId}/meta", new { www = true });
        var (s, j, _) = await h.Get($"{Domains}/{EmulatorDefaults.PrimaryDomainId}/dns");
        Assert.Equal(200, s);
        Assert.Equal("shop.example.com", (string?)j["domain"]);
        Assert.Equal(new[] { ("A", "shop.example.com", EmulatorDefaults.ServerIpAddress), ("A", "www.shop.example.com", EmulatorDefaults.ServerIpAddress) },
            ((JArray)j["records"]!).Select(r => ((string)r["type"]!, (string)r["name"]!, (string)r["content"]!)).ToArray());
        Assert.Equal(404, (await h.Get($"{Domains}/9/dns")).status);
    }

    // ---------- a Retry-After that lasts, per account ----------

    [Fact]
    public async Task A_day_long_429_for_one_account_lasts_while_another_account_goes_through()
    {
        using var h = new Harness(o => o.AdditionalTokens.Add("second-account-token"));
        h.Emu.Faults.Add(new FaultRule { Kind = FaultKind.RateLimited, RetryAfterSeconds = 86400, Count = 0, Credential = h.Emu.Token });
        for (int i = 0; i < 3; i++)
        {
            var (status, _, res) = await h.Get("ping");
            Assert.Equal(429, status);
            Assert.Equal("86400", res.Headers.GetValues("Retry-After").Single());
        }
        using var other = new HttpClient { BaseAddress = h.Emu.BaseUri };
        other.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "second-account-token");
        Assert.Equal(200, (int)(await other.GetAsync("api/v3/ping")).StatusCode);
        var log = h.Emu.GetRequests();
        Assert.Equal(3, log.Count(r => r.Account == "token" && r.StatusCode == 429));
        Assert.Equal("token2", log.Last().Account);
        // The rule's listing never shows the token.
        Assert.DoesNotContain(h.Emu.Token, Newtonsoft.Json.JsonConvert.SerializeObject(h.Emu.Faults.Pending));
        Assert.DoesNotContain(h.Emu.Token, h.Emu.Faults.Pending.Single().ToString());
    }
}
