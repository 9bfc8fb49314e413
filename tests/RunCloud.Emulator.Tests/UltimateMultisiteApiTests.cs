using System.Net.Http.Headers;
using System.Text;
using Newtonsoft.Json.Linq;
using Xunit;

namespace RunCloud.Emulator.Tests;

/// <summary>
/// The emulator's Ultimate Multisite REST API (/wp-json/wu/v2/site and /domain): UM's Basic authentication with its key
/// and secret, both paging styles, WordPress's error shapes, and off until a network is set.
/// </summary>
public class UltimateMultisiteApiTests
{
    private static Harness WithNetwork(int mappings = 3, bool legacy = false)
    {
        var h = new Harness();
        h.Emu.UltimateMultisite.Set(
            new[] { new EmulatedUmSite { BlogId = 1, Domain = "Network.COM" }, new EmulatedUmSite { BlogId = 2, Domain = "shop.network.com", Spam = true } },
            Enumerable.Range(1, mappings).Select(i => new EmulatedUmMapping { Id = i, BlogId = 2, Domain = $"m{i:000}.example.com", Active = i % 2 == 1, Stage = i == 1 ? "checking-dns" : "done" }));
        h.Emu.UltimateMultisite.LegacyPaging = legacy;
        return h;
    }

    private static async Task<(int Status, JToken Json, HttpResponseMessage Response)> Get(Harness h, string pathAndQuery, string? key = null, string? secret = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (key != null) req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        HttpResponseMessage res = await h.Http.SendAsync(req);
        string text = await res.Content.ReadAsStringAsync();
        return ((int)res.StatusCode, JToken.Parse(text), res);
    }

    private static string Header(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? v.Single() : "(none)";

    [Fact]
    public async Task ListsSitesAndMappingsAsUmDoes_WithItsKeyAndSecret()
    {
        using var h = WithNetwork();
        var um = h.Emu.UltimateMultisite;
        var (status, sites, res) = await Get(h, "/wp-json/wu/v2/site?page=1&per_page=100", um.ApiKey, um.ApiSecret);
        Assert.Equal(200, status);
        Assert.Equal("2", Header(res, "X-WP-Total"));
        Assert.Equal("1", Header(res, "X-WP-TotalPages"));
        Assert.Equal(JToken.Parse(@"{""blog_id"":2,""site_id"":1,""domain"":""shop.network.com"",""path"":""/"",""archived"":0,""spam"":1,""deleted"":0}"), sites[1]);
        Assert.Equal("network.com", (string?)sites[0]!["domain"]);

        var (_, rows, _) = await Get(h, "/wp-json/wu/v2/domain?page=1&per_page=100", um.ApiKey, um.ApiSecret);
        JToken first = rows[0]!;
        Assert.Equal((1L, 2L, "m001.example.com", true, "checking-dns"), ((long)first["id"]!, (long)first["blog_id"]!, (string)first["domain"]!, (bool)first["active"]!, (string)first["stage"]!));
        Assert.False((bool)rows[1]!["active"]!);
        Assert.Equal("2025-01-01 00:00:00", (string?)first["date_created"]);
    }

    [Fact]
    public async Task PagesByPageAndPerPage_UpTo100_WithTotalsInHeaders()
    {
        using var h = WithNetwork(mappings: 250);
        var um = h.Emu.UltimateMultisite;
        var (_, page3, res) = await Get(h, "/wp-json/wu/v2/domain?page=3&per_page=100", um.ApiKey, um.ApiSecret);
        Assert.Equal(50, ((JArray)page3).Count);
        Assert.Equal(201, (long)page3[0]!["id"]!);
        Assert.Equal(("250", "3"), (Header(res, "X-WP-Total"), Header(res, "X-WP-TotalPages")));
        var (status, error, _) = await Get(h, "/wp-json/wu/v2/domain?page=1&per_page=101", um.ApiKey, um.ApiSecret);
        Assert.Equal(400, status);
        Assert.Equal("rest_invalid_param", (string?)error["code"]);
        Assert.Equal(400, (int)error["data"]!["status"]!);
        (status, error, _) = await Get(h, "/wp-json/wu/v2/domain?page=4&per_page=100", um.ApiKey, um.ApiSecret);
        Assert.Equal(400, status);
        Assert.Equal("rest_post_invalid_page_number", (string?)error["code"]);
    }

    [Fact]
    public async Task LegacyPagingAnswersNumberFromOffset_WithoutTotals()
    {
        using var h = WithNetwork(mappings: 250, legacy: true);
        var um = h.Emu.UltimateMultisite;
        var (_, first, res) = await Get(h, "/wp-json/wu/v2/domain?page=1&per_page=100", um.ApiKey, um.ApiSecret);
        Assert.Equal(100, ((JArray)first).Count);   // page and per_page are ignored: `number` is 100 by default
        Assert.Equal("(none)", Header(res, "X-WP-Total"));
        var (_, next, _) = await Get(h, "/wp-json/wu/v2/domain?number=100&offset=199", um.ApiKey, um.ApiSecret);
        Assert.Equal(51, ((JArray)next).Count);
        Assert.Equal(200, (long)next[0]!["id"]!);
    }

    [Fact]
    public async Task RefusesAWrongKeyOrSecret_AndKeepsTheSecretOutOfTheLog()
    {
        using var h = WithNetwork();
        var um = h.Emu.UltimateMultisite;
        var (status, error, _) = await Get(h, "/wp-json/wu/v2/domain", um.ApiKey, "wrong");
        Assert.Equal(401, status);
        Assert.Equal("rest_forbidden", (string?)error["code"]);
        (status, _, _) = await Get(h, "/wp-json/wu/v2/domain");
        Assert.Equal(401, status);
        (status, _, _) = await Get(h, "/wp-json/wu/v2/domain?api_key=" + um.ApiKey + "&api_secret=" + um.ApiSecret);
        Assert.Equal(401, status);   // only Basic: the query is not a credential here
        var logged = h.Emu.GetRequests().Where(r => r.Path.StartsWith("/wp-json/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, logged.Count);
        Assert.All(logged, r => Assert.DoesNotContain(um.ApiSecret, r.Query + r.Body));
        Assert.Equal("Basic", logged[0].AuthScheme);
    }

    [Fact]
    public async Task WithoutANetworkOrOnAnotherRouteItIsASiteWithoutUm()
    {
        using var h = new Harness();
        var um = h.Emu.UltimateMultisite;
        Assert.False(um.Enabled);
        var (status, error, _) = await Get(h, "/wp-json/wu/v2/domain", um.ApiKey, um.ApiSecret);
        Assert.Equal(404, status);
        Assert.Equal("rest_no_route", (string?)error["code"]);
        h.Emu.UltimateMultisite.Set(new[] { new EmulatedUmSite { BlogId = 1, Domain = "n.example" } }, Array.Empty<EmulatedUmMapping>());
        (status, _, _) = await Get(h, "/wp-json/wu/v2/customer", um.ApiKey, um.ApiSecret);
        Assert.Equal(404, status);
        h.Emu.UltimateMultisite.Clear();
        (status, _, _) = await Get(h, "/wp-json/wu/v2/site", um.ApiKey, um.ApiSecret);
        Assert.Equal(404, status);
    }

    [Theory]
    [InlineData("stage", "stage 'almost' is not one of UM's")]
    [InlineData("duplicate", "mapped twice")]
    [InlineData("nosite", "at least one site")]
    public void RefusesANetworkUmCouldNotHold(string kind, string expected)
    {
        using var h = new Harness();
        var um = h.Emu.UltimateMultisite;
        var site = new[] { new EmulatedUmSite { BlogId = 1, Domain = "n.example" } };
        var ex = Assert.Throws<ArgumentException>(() =>
        {
            switch (kind)
            {
                case "stage": um.Set(site, new[] { new EmulatedUmMapping { Id = 1, BlogId = 1, Domain = "a.example", Stage = "almost" } }); break;
                case "duplicate": um.Set(site, new[] { new EmulatedUmMapping { Id = 1, BlogId = 1, Domain = "a.example" }, new EmulatedUmMapping { Id = 2, BlogId = 1, Domain = "A.example" } }); break;
                default: um.Set(Array.Empty<EmulatedUmSite>(), Array.Empty<EmulatedUmMapping>()); break;
            }
        });
        Assert.Contains(expected, ex.Message);
        Assert.False(um.Enabled);
    }
}
