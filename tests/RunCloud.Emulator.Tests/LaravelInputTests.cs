using Newtonsoft.Json.Linq;
using RunCloud.Emulator;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

/// <summary>
/// RunCloud is a Laravel application: it takes what Laravel takes. Its own PHP SDK sends Content-Type: application/json
/// with a "[]" body on calls that carry no data; the old v2 WordPress integration sent form-encoded bodies.
/// </summary>
public class LaravelInputTests
{
    private const string Form = "application/x-www-form-urlencoded";
    private static readonly string SslUrl = $"{App}/ssl/{EmulatorDefaults.SslId}";

    private static void AssertValidation(int status, JToken json, string field, string message)
    {
        Assert.Equal(422, status);
        Assert.Contains(message, json["errors"]![field]!.Values<string>());
    }

    [Fact]
    public async Task Json_empty_array_body_is_accepted_on_redeploy_and_delete_as_the_php_sdk_sends_it()
    {
        using var h = new Harness();
        await h.Post(Domains, new { name = "late.example.com" });
        var (redeploy, json, _) = await h.Call("PUT", SslUrl, rawBody: "[]");
        Assert.Equal(200, redeploy);
        Assert.Equal(EmulatorDefaults.SslId, (long)json["id"]!);
        Assert.Empty(h.Emu.GetUncoveredDomains(1001, 2001));

        var (delDomain, deleted, _) = await h.Call("DELETE", $"{Domains}/{EmulatorDefaults.TestDomainId}", rawBody: "[]");
        Assert.Equal(200, delDomain);
        Assert.Equal(EmulatorDefaults.TestDomainId, (long)deleted["id"]!);

        var (delSsl, _, _) = await h.Call("DELETE", SslUrl, rawBody: "[]");
        Assert.Equal(200, delSsl);
        Assert.Null(h.Emu.State.GetSsl(1001, 2001));

        var kinds = h.Emu.GetRequests().Select(r => r.BodyKind).ToList();
        Assert.Equal(new[] { RequestBodyKind.JsonObject, RequestBodyKind.JsonOther, RequestBodyKind.JsonOther, RequestBodyKind.JsonOther }, kinds);
    }

    [Fact]
    public async Task Json_list_or_null_body_gives_no_named_fields_so_a_required_one_is_missing()
    {
        using var h = new Harness();
        var (s1, j1, _) = await h.Call("POST", Domains, rawBody: "[\"x.example.com\"]");
        AssertValidation(s1, j1, "name", "The name field is required.");
        var (s2, j2, _) = await h.Call("POST", Domains, rawBody: "null");
        AssertValidation(s2, j2, "name", "The name field is required.");
        Assert.Equal(2, h.Emu.State.GetDomains(1001, 2001).Count);
    }

    [Fact]
    public async Task Form_encoded_add_domain_as_the_v2_wordpress_integration_sent_it()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("POST", Domains, contentType: Form, rawBody: "name=shop2.example.com&www=0&redirection=none&type=alias");
        Assert.Equal(200, status);
        Assert.Equal("shop2.example.com", (string?)json["name"]);
        Assert.Equal(0, (int)json["www"]!);
        Assert.Equal("alias", (string?)json["type"]);

        var (s2, j2, _) = await h.Call("POST", Domains, contentType: Form, rawBody: "name=Shop3.Example.com&www=1&redirection=non-www");
        Assert.Equal(200, s2);
        Assert.Equal("shop3.example.com", (string?)j2["name"]);
        Assert.Equal(1, (int)j2["www"]!);
        Assert.Equal("non-www", (string?)j2["redirection"]);
        Assert.Equal(RequestBodyKind.Form, h.Emu.GetRequests()[0].BodyKind);
    }

    [Theory]
    // Laravel's boolean rule: true, false, 1, 0, "1", "0" - and nothing else ("true" and "yes" are refused).
    [InlineData("www=true")]
    [InlineData("www=false")]
    [InlineData("www=yes")]
    [InlineData("www=2")]
    public async Task Form_booleans_follow_laravels_boolean_rule(string www)
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("POST", Domains, contentType: Form, rawBody: "name=b.example.com&" + www);
        AssertValidation(status, json, "www", "The www field must be true or false.");
        Assert.Equal(2, h.Emu.State.GetDomains(1001, 2001).Count);
    }

    [Fact]
    public async Task Json_booleans_follow_laravels_boolean_rule_too()
    {
        using var h = new Harness();
        Assert.Equal(200, (await h.Post(Domains, new { name = "t1.example.com", www = true })).status);
        Assert.Equal(200, (await h.Post(Domains, new { name = "t2.example.com", www = 1 })).status);
        Assert.Equal(200, (await h.Post(Domains, new { name = "t3.example.com", www = "0" })).status);
        var (status, json, _) = await h.Post(Domains, new { name = "t4.example.com", www = "true" });
        AssertValidation(status, json, "www", "The www field must be true or false.");
    }

    [Fact]
    public async Task Form_encoded_ssl_install_reads_strings_and_an_empty_value_as_null()
    {
        using var h = new Harness();
        // ConvertEmptyStringsToNull: externalApi= is null, which http-01 allows.
        var (status, json, _) = await h.Call("POST", "servers/1001/webapps/2002/ssl", contentType: Form,
            rawBody: "provider=letsencrypt&enableHttp=1&enableHsts=0&authorizationMethod=http-01&externalApi=&environment=live&ssl_protocol_id=3");
        Assert.Equal(200, status);
        Assert.True((bool)json["enableHttp"]!);
        Assert.False((bool)json["enableHsts"]!);
        Assert.Equal(3, (int)json["ssl_protocol_id"]!);
        Assert.Equal(JTokenType.Null, json["apiId"]!.Type);
    }

    [Fact]
    public async Task Form_encoded_patch_of_domain_meta()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("PATCH", $"{Domains}/{EmulatorDefaults.TestDomainId}/meta", contentType: Form, rawBody: "www=1&redirection=www");
        Assert.Equal(200, status);
        Assert.Equal("Domain settings have been successfully updated.", (string?)json["message"]);
        var d = h.Emu.State.GetDomain(1001, 2001, EmulatorDefaults.TestDomainId)!;
        Assert.True(d.Www);
        Assert.Equal("www", d.Redirection);
    }

    [Fact]
    public async Task Query_string_fields_are_input_too_and_the_body_wins()
    {
        using var h = new Harness();
        var (status, json, _) = await h.Call("POST", Domains + "?name=q.example.com&www=1", rawBody: "{\"www\":false}");
        Assert.Equal(200, status);
        Assert.Equal("q.example.com", (string?)json["name"]);
        Assert.Equal(0, (int)json["www"]!);
    }

    [Fact]
    public async Task Strings_are_trimmed_and_blank_ones_are_null_as_laravels_middleware_does()
    {
        using var h = new Harness();
        var (s1, j1, _) = await h.Post(Domains, new { name = "   " });
        AssertValidation(s1, j1, "name", "The name field is required.");
        var (s2, j2, _) = await h.Post(Domains, new { name = "  padded.example.com  ", redirection = " www " });
        Assert.Equal(200, s2);
        Assert.Equal("www", (string?)j2["redirection"]);
    }

    [Fact]
    public async Task A_form_bodys_private_key_is_redacted_in_the_log()
    {
        using var h = new Harness();
        await h.Call("POST", "servers/1001/webapps/2002/ssl", contentType: Form, rawBody: "provider=custom&privateKey=TOP-SECRET-KEY&certificate=CERT");
        var r = h.Emu.GetRequests().Single();
        Assert.Equal(200, r.StatusCode);
        Assert.DoesNotContain("TOP-SECRET-KEY", r.Body);
        Assert.Contains("privateKey=***", r.Body);
    }

    [Fact]
    public async Task Other_content_types_are_recorded_as_ignored_and_malformed_json_as_such()
    {
        using var h = new Harness();
        await h.Call("POST", Domains, new { name = "x.example.com" }, contentType: "text/plain");
        await h.Call("POST", Domains, rawBody: "{\"name\": ");
        await h.Call("GET", "ping");
        Assert.Equal(new[] { RequestBodyKind.Ignored, RequestBodyKind.MalformedJson, RequestBodyKind.None },
            h.Emu.GetRequests().Select(r => r.BodyKind).ToArray());
    }

    [Theory]
    [InlineData("a=1&a=2", "{\"a\":\"2\"}")]
    [InlineData("k%5B%5D=x&k[]=y", "{\"k\":[\"x\",\"y\"]}")]
    [InlineData("o[name]=a+b&o[x]=%26", "{\"o\":{\"name\":\"a b\",\"x\":\"&\"}}")]
    [InlineData("flag&=skip", "{\"flag\":\"\"}")]
    public void Form_bodies_parse_as_phps_parse_str(string form, string expected)
    {
        Assert.Equal(JObject.Parse(expected), LaravelInput.ParseForm(form));
    }

    [Theory]
    [InlineData("5", true)]
    [InlineData("-12", true)]
    [InlineData("0", true)]
    [InlineData("007", false)]
    [InlineData("1.5", false)]
    [InlineData("cloudflare", false)]
    public void Integer_rule_takes_digit_strings_as_laravel_does(string text, bool ok)
    {
        Assert.Equal(ok, LaravelInput.TryInteger(new JValue(text), out _));
    }
}
