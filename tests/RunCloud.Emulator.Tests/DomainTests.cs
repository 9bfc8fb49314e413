using Newtonsoft.Json.Linq;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

public class DomainTests
{
    private static void AssertValidation(int status, JToken json, string field, string message)
    {
        Assert.Equal(422, status);
        Assert.StartsWith(message, (string?)json["message"]);
        Assert.Contains(message, json["errors"]![field]!.Values<string>());
    }

    [Fact]
    public async Task Add_domain_returns_the_domain_in_runcloud_form()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Post(Domains, new { name = "New.Example.com", www = true, redirection = "non-www", type = "alias" });
        Assert.Equal(200, status);
        Assert.Equal("new.example.com", (string?)json["name"]);
        Assert.Equal(1, (int)json["www"]!);
        Assert.Equal("non-www", (string?)json["redirection"]);
        Assert.Equal(0, (int)json["wildcard"]!);
        Assert.Equal("alias", (string?)json["type"]);
        var (s2, again, _) = await h.Get(Domains + "/" + (long)json["id"]!);
        Assert.Equal(200, s2);
        Assert.Equal(json, again);
    }

    [Fact]
    public async Task Missing_name_answers_422_required()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Post(Domains, new { www = false });
        AssertValidation(status, json, "name", "The name field is required.");
    }

    [Fact]
    public async Task Wrong_field_name_answers_422_not_silently_accepted()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Post(Domains, new { domain = "x.example.com" });
        AssertValidation(status, json, "name", "The name field is required.");
        Assert.Equal(2, h.Emu.State.GetDomains(1001, 2001).Count);
    }

    [Fact]
    public async Task Body_without_json_content_type_is_ignored_so_422()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("POST", Domains, new { name = "x.example.com" }, contentType: "text/plain");
        AssertValidation(status, json, "name", "The name field is required.");
    }

    [Fact]
    public async Task Malformed_json_answers_422()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("POST", Domains, rawBody: "{\"name\": \"x.example.com\"");
        Assert.Equal(422, status);
        Assert.NotNull(json["errors"]!["body"]);
    }

    [Theory]
    [InlineData("-bad.example.com")]
    [InlineData("bad-.example.com")]
    [InlineData("a..example.com")]
    [InlineData("under_score.example.com")]
    [InlineData("localhost")]
    [InlineData("space here.com")]
    [InlineData("x.*.example.com")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com")] // 64-char label
    public async Task Malformed_hostname_answers_422_format_invalid(string name)
    {
        using var h = new Harness();
        var (status, json, _) = await h.Post(Domains, new { name });
        AssertValidation(status, json, "name", "The name format is invalid.");
    }

    [Fact]
    public async Task Name_longer_than_253_characters_is_invalid()
    {
        using var h = new Harness();
        var name = string.Join(".", Enumerable.Repeat(new string('a', 60), 4)) + ".com"; // 247 + 4 = 251? make it longer
        name = "abcdef." + name;
        Assert.True(name.Length > 253);
        var (status, json, _) = await h.Post(Domains, new { name });
        AssertValidation(status, json, "name", "The name format is invalid.");
    }

    [Fact]
    public async Task Leading_star_makes_a_wildcard_domain()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Post(Domains, new { name = "*.wild.example.com" });
        Assert.Equal(200, status);
        Assert.Equal(1, (int)json["wildcard"]!);
        Assert.Equal("*.wild.example.com", (string?)json["name"]);
    }

    [Fact]
    public async Task Duplicate_name_answers_422_taken()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Post(Domains, new { name = "SHOP.example.com" });
        AssertValidation(status, json, "name", "The name has already been taken.");
    }

    [Theory]
    [InlineData("redirection", "sideways", "The selected redirection is invalid.")]
    [InlineData("type", "mirror", "The selected type is invalid.")]
    [InlineData("www", "yes", "The www field must be true or false.")]
    [InlineData("www", "true", "The www field must be true or false.")]
    public async Task Invalid_flag_values_answer_422(string field, string value, string message)
    {
        using var h = new Harness();
        var body = new JObject { ["name"] = "ok.example.com", [field] = value };
        var (status, json, _) = await h.Call("POST", Domains, body);
        AssertValidation(status, json, field, message);
    }

    [Fact]
    public async Task Several_errors_are_all_reported_laravel_style()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("POST", Domains, new JObject { ["redirection"] = "x", ["type"] = "y" });
        Assert.Equal(422, status);
        Assert.Equal("The name field is required. (and 2 more errors)", (string?)json["message"]);
        Assert.Equal(3, ((JObject)json["errors"]!).Count);
    }

    [Fact]
    public async Task Over_the_domain_limit_answers_403()
    {
        using var h = new Harness(o => o.DomainLimit = 3);
        var (s1, _, _) = await h.Post(Domains, new { name = "three.example.com" });
        Assert.Equal(200, s1);
        var (s2, json, _) = await h.Post(Domains, new { name = "four.example.com" });
        Assert.Equal(403, s2);
        Assert.False(string.IsNullOrEmpty((string?)json["message"]));
        Assert.Equal(3, h.Emu.State.GetDomains(1001, 2001).Count);
    }

    [Fact]
    public async Task Type_primary_demotes_the_old_primary()
    {
        using var h = new Harness();
        var (_, json, _) = await h.Post(Domains, new { name = "main.example.com", type = "primary" });
        Assert.Equal("primary", (string?)json["type"]);
        var (_, old, _) = await h.Get(Domains + "/3001");
        Assert.Equal("alias", (string?)old["type"]);
    }

    [Fact]
    public async Task Delete_domain_removes_it()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("DELETE", Domains + "/3002");
        Assert.Equal(200, status);
        Assert.Equal(3002, (long)json["id"]!);
        var (s2, _, _) = await h.Get(Domains + "/3002");
        Assert.Equal(404, s2);
        var (s3, _, _) = await h.Call("DELETE", Domains + "/3002");
        Assert.Equal(404, s3);
    }

    [Fact]
    public async Task Deleting_the_primary_domain_answers_422()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("DELETE", Domains + "/3001");
        Assert.Equal(422, status);
        Assert.NotNull(json["message"]);
        Assert.NotNull(h.Emu.State.GetDomain(1001, 2001, 3001));
    }

    [Fact]
    public async Task Patch_meta_changes_flags_and_answers_the_documented_message()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("PATCH", Domains + "/3002/meta", new { www = true, redirection = "www", type = "primary" });
        Assert.Equal(200, status);
        Assert.Equal("Domain settings have been successfully updated.", (string?)json["message"]);
        var d = h.Emu.State.GetDomain(1001, 2001, 3002)!;
        Assert.True(d.Www);
        Assert.Equal("www", d.Redirection);
        Assert.Equal("primary", d.Type);
        Assert.Equal("alias", h.Emu.State.GetDomain(1001, 2001, 3001)!.Type);
        var (bad, badJson, _) = await h.Call("PATCH", Domains + "/3002/meta", new { redirection = "nowhere" });
        AssertValidation(bad, badJson, "redirection", "The selected redirection is invalid.");
    }

    [Fact]
    public async Task Fifty_parallel_adds_of_distinct_names_all_land_exactly_once()
    {
        using var h = new Harness();
        var names = Enumerable.Range(0, 50).Select(i => $"par{i}.example.com").ToList();
        var results = await Task.WhenAll(names.Select(n => h.Post(Domains, new { name = n })));
        Assert.All(results, r => Assert.Equal(200, r.status));
        var stored = h.Emu.State.GetDomains(1001, 2001).Select(d => d.Name).ToList();
        foreach (var n in names) Assert.Single(stored, n);
        Assert.Equal(52, stored.Count);
        Assert.Equal(52, stored.Count == 0 ? 0 : h.Emu.State.GetDomains(1001, 2001).Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public async Task Parallel_adds_of_the_same_name_land_once()
    {
        using var h = new Harness();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => h.Post(Domains, new { name = "same.example.com" })));
        Assert.Single(results, r => r.status == 200);
        Assert.Equal(19, results.Count(r => r.status == 422));
    }
}
