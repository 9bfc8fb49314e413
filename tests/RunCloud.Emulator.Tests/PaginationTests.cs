using Newtonsoft.Json.Linq;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

public class PaginationTests
{
    private static Harness With51Domains(bool keepQuery = false)
    {
        var h = new Harness(o => o.LinksKeepQuery = keepQuery);
        h.Emu.State.AddDomains(1001, 2001, Enumerable.Range(1, 49).Select(i => $"d{i:00}.example.net"));
        return h; // 2 seeded + 49 = 51
    }

    [Fact]
    public async Task Fifty_one_items_with_perPage_40_make_two_pages_with_absolute_links()
    {
        using var h = With51Domains();
        var (_, p1, _) = await h.Get(Domains + "?perPage=40");
        var pg = p1["meta"]!["pagination"]!;
        Assert.Equal(40, ((JArray)p1["data"]!).Count);
        Assert.Equal(51, (int)pg["total"]!);
        Assert.Equal(40, (int)pg["count"]!);
        Assert.Equal(40, (int)pg["per_page"]!);
        Assert.Equal(1, (int)pg["current_page"]!);
        Assert.Equal(2, (int)pg["total_pages"]!);
        var next = (string?)pg["links"]!["next"];
        Assert.Equal($"{h.Emu.BaseUri}api/v3/{Domains}?page=2", next);
        Assert.Null(pg["links"]!["previous"]);

        var (_, p2, _) = await h.Get(Domains + "?perPage=40&page=2");
        var pg2 = p2["meta"]!["pagination"]!;
        Assert.Equal(11, ((JArray)p2["data"]!).Count);
        Assert.Equal(11, (int)pg2["count"]!);
        Assert.Null(pg2["links"]!["next"]);
        Assert.NotNull(pg2["links"]!["previous"]);
        var all = ((JArray)p1["data"]!).Concat((JArray)p2["data"]!).Select(d => (long)d["id"]!).ToList();
        Assert.Equal(51, all.Distinct().Count());
    }

    [Fact]
    public async Task Last_page_has_empty_links_object()
    {
        using var h = new Harness();
        var (_, json, _) = await h.Get(Domains);
        Assert.Equal(new JObject(), json["meta"]!["pagination"]!["links"]);
    }

    [Fact]
    public async Task Links_keep_other_query_parameters_when_configured()
    {
        using var h = With51Domains(keepQuery: true);
        var (_, p1, _) = await h.Get(Domains + "?perPage=40");
        Assert.Contains("perPage=40", (string?)p1["meta"]!["pagination"]!["links"]!["next"]);
    }

    [Fact]
    public async Task PerPage_above_40_is_clamped_to_40()
    {
        using var h = With51Domains();
        var (_, json, _) = await h.Get(Domains + "?perPage=100");
        Assert.Equal(40, ((JArray)json["data"]!).Count);
        Assert.Equal(40, (int)json["meta"]!["pagination"]!["per_page"]!);
    }

    [Theory]
    [InlineData("v2", 15)]
    [InlineData("v3", 20)]
    public async Task Default_page_size_depends_on_the_version(string version, int expected)
    {
        using var h = With51Domains();
        var (_, json, _) = await h.Get(Domains, version);
        Assert.Equal(expected, ((JArray)json["data"]!).Count);
        Assert.Equal(expected, (int)json["meta"]!["pagination"]!["per_page"]!);
    }

    [Fact]
    public async Task Page_past_the_end_is_empty()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Get(Domains + "?page=5");
        Assert.Equal(200, status);
        Assert.Empty((JArray)json["data"]!);
        Assert.Null(json["meta"]!["pagination"]!["links"]!["next"]);
    }

    [Fact]
    public async Task Search_filters_by_substring_of_the_name()
    {
        using var h = With51Domains();
        var (_, json, _) = await h.Get(Domains + "?search=d1");
        var names = ((JArray)json["data"]!).Select(d => (string)d["name"]!).ToList();
        Assert.Equal(10, names.Count); // d10..d19
        Assert.All(names, n => Assert.Contains("d1", n));
        var (_, servers, _) = await h.Get("servers?search=web2");
        Assert.Equal("web2", (string?)servers["data"]![0]!["name"]);
        Assert.Single((JArray)servers["data"]!);
        var (_, apps, _) = await h.Get("servers/1001/webapps?search=blo");
        Assert.Equal("blog", (string?)apps["data"]![0]!["name"]);
    }

    [Fact]
    public async Task SortColumn_and_sortDirection_order_the_list()
    {
        using var h = With51Domains();
        var (_, json, _) = await h.Get(Domains + "?sortColumn=name&sortDirection=desc&perPage=40");
        var names = ((JArray)json["data"]!).Select(d => (string)d["name"]!).ToList();
        Assert.Equal(names.OrderByDescending(n => n, StringComparer.Ordinal).ToList(), names);
        Assert.Equal("shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link", names[0]);
    }

    [Fact]
    public async Task Ten_thousand_domains_seed_fast_and_page()
    {
        using var h = new Harness();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(10_000, h.Emu.State.AddDomains(1001, 2001, Enumerable.Range(0, 10_000).Select(i => $"bulk{i}.example.org")));
        Assert.True(sw.ElapsedMilliseconds < 3000, $"took {sw.ElapsedMilliseconds} ms");
        var (_, json, _) = await h.Get(Domains + "?perPage=40&page=251");
        Assert.Equal(10_002, (int)json["meta"]!["pagination"]!["total"]!);
        Assert.Equal(2, ((JArray)json["data"]!).Count);
    }
}
