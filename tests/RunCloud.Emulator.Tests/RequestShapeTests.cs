using System.Text;
using Newtonsoft.Json.Linq;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

/// <summary>
/// Every request shape a real client puts on the wire reaches the routes and the request log, sent byte for byte over a
/// raw socket: RunCloud's front end (nginx) lets them all through to the Laravel application.
/// </summary>
public class RequestShapeTests
{
    private static string[] Json(RunCloudEmulator emu, params string[] more) =>
        new[] { "Host: 127.0.0.1", RawHttp.BearerHeader(emu), "Accept: application/json" }.Concat(more).ToArray();

    [Theory]
    [InlineData("HTTP/1.1")]
    [InlineData("HTTP/1.0")]
    public void A_body_less_PUT_without_Content_Length_is_answered_by_the_redeploy_route_and_logged(string version)
    {
        using var h = new Harness();
        var before = h.Emu.State.GetSsl(1001, 2001)!.RedeployCount;
        var a = RawHttp.Exchange(h.Emu, $"PUT /api/v3/{App}/ssl/4001 {version}\r\nHost: 127.0.0.1\r\n{RawHttp.BearerHeader(h.Emu)}\r\nAccept: application/json\r\n\r\n");
        Assert.Equal(200, a.Status);
        Assert.Equal(4001L, (long)a.Json["id"]!);
        Assert.Equal(before + 1, h.Emu.State.GetSsl(1001, 2001)!.RedeployCount);
        var rec = Assert.Single(h.Emu.GetRequests());
        Assert.Equal("PUT", rec.Method);
        Assert.Equal($"/api/v3/{App}/ssl/4001", rec.Path);
        Assert.Equal(200, rec.StatusCode);
        Assert.Null(rec.ContentLength);
        Assert.Equal(RequestBodyKind.None, rec.BodyKind);
        Assert.Null(rec.Refusal);
    }

    [Theory]
    [InlineData("DELETE", Domains + "/3002", 200)]
    [InlineData("PATCH", App + "/ssl/4001", 200)]
    [InlineData("POST", App + "/ssl/advanced", 422)] // reaches validation: advancedSSL is required
    [InlineData("PUT", App + "/domains/3002/ssl/4001", 404)] // reaches the route: no per-domain certificate
    public void Body_less_writes_without_Content_Length_reach_their_route(string method, string path, int expected)
    {
        using var h = new Harness();
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request(method, "/api/v3/" + path, Json(h.Emu)));
        Assert.Equal(expected, a.Status);
        var rec = Assert.Single(h.Emu.GetRequests());
        Assert.Equal(method, rec.Method);
        Assert.Equal(expected, rec.StatusCode);
        Assert.Null(rec.ContentLength);
    }

    [Fact]
    public void A_chunked_JSON_body_is_read_whole()
    {
        using var h = new Harness();
        var json = "{\"name\":\"chunked.example.com\",\"www\":false}";
        var body = $"{json.Length / 2:x}\r\n{json[..(json.Length / 2)]}\r\n{json.Length - json.Length / 2:x};ext=1\r\n{json[(json.Length / 2)..]}\r\n0\r\nX-Trailer: y\r\n\r\n";
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request("POST", $"/api/v3/{Domains}", Json(h.Emu, "Content-Type: application/json", "Transfer-Encoding: chunked"), body));
        Assert.Equal(200, a.Status);
        Assert.Equal("chunked.example.com", (string?)a.Json["name"]);
        var rec = Assert.Single(h.Emu.GetRequests());
        Assert.True(rec.Chunked);
        Assert.Equal(json, rec.Body);
        Assert.Equal(RequestBodyKind.JsonObject, rec.BodyKind);
    }

    [Theory]
    [InlineData("[]", RequestBodyKind.JsonOther)]
    [InlineData("{}", RequestBodyKind.JsonObject)]
    [InlineData("null", RequestBodyKind.JsonOther)]
    public void Empty_JSON_bodies_on_a_redeploy_are_accepted(string body, RequestBodyKind kind)
    {
        using var h = new Harness();
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request("PUT", $"/api/v3/{App}/ssl/4001",
            Json(h.Emu, "Content-Type: application/json", "Content-Length: " + body.Length), body));
        Assert.Equal(200, a.Status);
        Assert.Equal(kind, h.Emu.GetRequests().Single().BodyKind);
    }

    [Fact]
    public void A_form_body_adds_a_domain()
    {
        using var h = new Harness();
        const string form = "name=form.example.com";
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request("POST", $"/api/v2/{Domains}",
            new[] { "Host: 127.0.0.1", RawHttp.BasicHeader(h.Emu), "Content-Type: application/x-www-form-urlencoded", "Content-Length: " + form.Length }, form));
        Assert.Equal(200, a.Status);
        Assert.Equal(RequestBodyKind.Form, h.Emu.GetRequests().Single().BodyKind);
    }

    [Fact]
    public void Expect_100_continue_gets_an_interim_answer_then_the_real_one()
    {
        using var h = new Harness();
        const string json = "{\"name\":\"expect.example.com\"}";
        using var raw = new RawHttp(h.Emu.Port);
        raw.Send(RawHttp.Request("POST", $"/api/v3/{Domains}", Json(h.Emu, "Content-Type: application/json", "Content-Length: " + json.Length, "Expect: 100-continue")));
        Assert.Equal(100, raw.Read()!.Status);
        raw.Send(json);
        Assert.Equal(200, raw.Read()!.Status);
    }

    [Fact]
    public void Keep_alive_and_pipelined_requests_are_each_answered_in_order()
    {
        using var h = new Harness();
        using var raw = new RawHttp(h.Emu.Port);
        raw.Send(RawHttp.Request("GET", "/api/v3/ping", Json(h.Emu)) + RawHttp.Request("PUT", $"/api/v3/{App}/ssl/4001", Json(h.Emu))
            + RawHttp.Request("GET", $"/api/v3/{Domains}/3001", Json(h.Emu)));
        Assert.Equal("pong", (string?)raw.Read()!.Json["message"]);
        Assert.Equal(4001L, (long)raw.Read()!.Json["id"]!);
        Assert.Equal(3001L, (long)raw.Read()!.Json["id"]!);
        Assert.Equal(3, h.Emu.GetRequests().Count);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", 400, "malformed request line")]
    [InlineData("GET /api/v3/ping HTTP/9.9\r\n\r\n", 400, "malformed request line")]
    [InlineData("GET /api/v3/ping HTTP/1.1\r\nno colon here\r\n\r\n", 400, "malformed header line")]
    [InlineData("POST /api/v3/ping HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "unsupported Transfer-Encoding gzip")]
    [InlineData("POST /api/v3/ping HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, "conflicting Content-Length headers")]
    public void What_cannot_be_read_as_HTTP_is_refused_and_still_logged(string request, int status, string refusal)
    {
        using var h = new Harness();
        using var raw = new RawHttp(h.Emu.Port);
        raw.Send(request);
        Assert.Equal(status, raw.Read()!.Status);
        Assert.True(raw.ClosedByServer());
        var rec = Assert.Single(h.Emu.GetRequests());
        Assert.Equal(status, rec.StatusCode);
        Assert.Equal(refusal, rec.Refusal);
    }

    [Fact]
    public void A_head_over_the_limit_is_refused_431_and_logged()
    {
        using var h = new Harness();
        using var raw = new RawHttp(h.Emu.Port);
        raw.Send("GET /api/v3/ping HTTP/1.1\r\nX-Big: " + new string('a', 40_000) + "\r\n\r\n");
        Assert.Equal(431, raw.Read()!.Status);
        Assert.Equal(431, Assert.Single(h.Emu.GetRequests()).StatusCode);
    }

    [Fact]
    public void The_user_agent_and_the_account_are_logged()
    {
        using var h = new Harness();
        RawHttp.Exchange(h.Emu, RawHttp.Request("GET", "/api/v3/ping", Json(h.Emu, "User-Agent: GuzzleHttp/7")));
        var rec = h.Emu.GetRequests().Single();
        Assert.Equal("GuzzleHttp/7", rec.UserAgent);
        Assert.Equal("token", rec.Account);
    }

    // ---------- paging input: Laravel merges the body into the input, so a GET's JSON body pages ----------

    private static Harness With51Domains()
    {
        var h = new Harness();
        h.Emu.State.AddDomains(1001, 2001, Enumerable.Range(1, 49).Select(i => $"d{i:00}.example.net"));
        return h;
    }

    [Fact]
    public void An_SDK_style_GET_with_paging_in_its_JSON_body_returns_page_2()
    {
        using var h = With51Domains();
        const string body = "{\"page\":2,\"perPage\":40}";
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request("GET", $"/api/v3/{Domains}",
            Json(h.Emu, "Content-Type: application/json", "Content-Length: " + body.Length), body));
        Assert.Equal(200, a.Status);
        var pg = a.Json["meta"]!["pagination"]!;
        Assert.Equal(2, (int)pg["current_page"]!);
        Assert.Equal(40, (int)pg["per_page"]!);
        Assert.Equal(11, ((JArray)a.Json["data"]!).Count);
    }

    [Fact]
    public void The_JSON_body_wins_over_the_query_as_Laravel_input_does()
    {
        using var h = With51Domains();
        const string body = "{\"page\":2}";
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request("GET", $"/api/v3/{Domains}?page=1&perPage=40",
            Json(h.Emu, "Content-Type: application/json", "Content-Length: " + body.Length), body));
        Assert.Equal(2, (int)a.Json["meta"]!["pagination"]!["current_page"]!);
        Assert.Equal(40, (int)a.Json["meta"]!["pagination"]!["per_page"]!);
    }

    [Fact]
    public void A_form_body_on_a_GET_is_not_input_as_in_Laravel()
    {
        using var h = With51Domains();
        const string body = "page=2&perPage=40";
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request("GET", $"/api/v3/{Domains}",
            Json(h.Emu, "Content-Type: application/x-www-form-urlencoded", "Content-Length: " + body.Length), body));
        Assert.Equal(1, (int)a.Json["meta"]!["pagination"]!["current_page"]!);
        Assert.Equal(20, (int)a.Json["meta"]!["pagination"]!["per_page"]!);
    }

    [Fact]
    public void Search_in_a_JSON_body_filters_a_list()
    {
        using var h = With51Domains();
        const string body = "{\"search\":\"d07\"}";
        var a = RawHttp.Exchange(h.Emu, RawHttp.Request("GET", $"/api/v3/{Domains}",
            Json(h.Emu, "Content-Type: application/json", "Content-Length: " + body.Length), body));
        Assert.Equal("d07.example.net", (string?)((JArray)a.Json["data"]!).Single()["name"]);
    }
}
