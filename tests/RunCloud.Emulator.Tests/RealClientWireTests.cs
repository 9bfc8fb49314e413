using System.Text;
using Newtonsoft.Json.Linq;
using Xunit;

namespace RunCloud.Emulator.Tests;

/// <summary>
/// The requests three public RunCloud clients put on the wire, recorded as facts (method, path, headers, body form; no
/// third-party code) from reading their public source, and replayed byte for byte against the emulator, each with the
/// answer RunCloud would give:
/// - RunCloud's official PHP SDK (github.com/RunCloudIO/runcloud-sdk-php, src/Client.php, commit 909a186): Guzzle with the
///   "json" option on every call, GETs included, so a call without data sends the body "[]"; Bearer token; Accept and
///   Content-Type application/json; Guzzle sets Content-Length. Paging is only possible in that JSON body.
/// - The Ansible collection for RunCloud (github.com/danni140c/ansible-collection-runcloud, plugins/module_utils/runcloud.py
///   and plugins/modules/runcloud_ssl.py, commit 04779bc): Ansible's fetch_url with forced Basic auth (v2), lower-case
///   "accept"/"content-type" headers, the data passed through module.jsonify, so a GET without data sends the body "null";
///   a DELETE without data sends no body and no Content-Length; pages with "?page=N"; ssl_protocol_id TLSv1.1 = 1,
///   TLSv1.2 = 2, TLSv1.3 = 3; detects "no certificate" by the message "SSL not installed!"; one path lacks a slash
///   ("webapps{id}/domains/...").
/// - Ultimate Multisite's RunCloud integration, v2 generation (WP Ultimo 2.0, inc/integrations/host-providers/
///   class-runcloud-host-provider.php, as in github.com/KubeeCMS/KCMS-Network commit 52f3cc5): wp_remote_request with a
///   Basic header and the data as an array, so POSTs are form-encoded, and the redeploy "PUT ssl/{id}" and "DELETE
///   domains/{id}" go with no body and no Content-Length (WordPress's cURL transport); it adds the www. name as a domain
///   of its own, and sends "DELETE domains/" with no id when a domain is not found.
/// - Same integration, v3 generation (github.com/Multisite-Ultimate/ultimate-multisite, same path, commit 2454b81): Bearer,
///   JSON bodies (wp_json_encode, "[]" when empty), GET data in the query; reads a certificate id from "GET ssl/advanced"
///   (which has none) and would "PATCH ssl/advanced/{id}/redeploy", a path RunCloud does not have; an intermediate
///   version (github.com/superdav42/wp-multisite-waas, commit 5b59b0c) used "GET settings/ssl" and "POST
///   settings/ssl/{id}/redeploy", which RunCloud does not have either.
/// </summary>
public class RealClientWireTests
{
    private const string App = "servers/1001/webapps/2001";
    private const string Blog = "servers/1001/webapps/2002";

    private static string Bearer(RunCloudEmulator e) => "Authorization: Bearer " + e.Token;
    private static string Basic(RunCloudEmulator e) => "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(e.ApiKey + ":" + e.ApiSecret));

    /// <summary>One request as the client sends it: a Content-Length whenever a body is given, none otherwise.</summary>
    private static RawAnswer Send(RunCloudEmulator e, string method, string target, string[] headers, string? body = null)
    {
        var all = new List<string> { "Host: manage.runcloud.io" };
        all.AddRange(headers);
        if (body != null) all.Add("Content-Length: " + Encoding.UTF8.GetByteCount(body));
        return RawHttp.Exchange(e, RawHttp.Request(method, target, all, body));
    }

    // ---------- RunCloud's official PHP SDK ----------

    private static string[] Sdk(RunCloudEmulator e) =>
        new[] { "User-Agent: GuzzleHttp/7", "Accept: application/json", "Content-Type: application/json", Bearer(e) };

    [Fact]
    public void The_official_PHP_SDK_is_answered_as_RunCloud_answers_it()
    {
        using var h = new Harness();
        var e = h.Emu;
        e.State.AddDomains(1001, 2001, Enumerable.Range(1, 49).Select(i => $"sdk{i}.example.net"));

        Assert.Equal("pong", (string?)Send(e, "GET", "/api/v3/ping", Sdk(e), "[]").Json["message"]);
        var page2 = Send(e, "GET", $"/api/v3/{App}/domains", Sdk(e), "{\"page\":2,\"perPage\":40}");
        Assert.Equal(200, page2.Status);
        Assert.Equal(2, (int)page2.Json["meta"]!["pagination"]!["current_page"]!);
        Assert.Equal(11, ((JArray)page2.Json["data"]!).Count);

        var added = Send(e, "POST", $"/api/v3/{App}/domains", Sdk(e), "{\"name\":\"sdk.example.org\",\"www\":false,\"redirection\":\"none\",\"type\":\"alias\"}");
        Assert.Equal(200, added.Status);
        Assert.Equal(200, Send(e, "PUT", $"/api/v3/{App}/ssl/4001", Sdk(e), "[]").Status); // redeploy-basic-ssl
        var protocols = Send(e, "GET", "/api/v3/static/ssl/protocols", Sdk(e), "{\"webServer\":\"nginx\"}");
        Assert.Equal(200, protocols.Status);
        Assert.Equal(3, ((JArray)protocols.Json).Count);
        Assert.Equal(200, Send(e, "GET", "/api/v3/settings/externalapi", Sdk(e), "[]").Status); // get-api-keys
        Assert.Equal(200, Send(e, "DELETE", $"/api/v3/{App}/domains/{(long)added.Json["id"]!}", Sdk(e), "[]").Status);

        var log = e.GetRequests();
        Assert.Equal(7, log.Count);
        Assert.All(log, r => Assert.Equal("GuzzleHttp/7", r.UserAgent));
        Assert.Equal(RequestBodyKind.JsonOther, log[0].BodyKind);
    }

    // ---------- the Ansible collection for RunCloud ----------

    /// <summary>The collection sends its two headers on every call, a DELETE without data included (only the body is left out).</summary>
    private static string[] Ansible(RunCloudEmulator e, bool body = true) =>
        new[] { "User-Agent: ansible-httpget", Basic(e), "accept: application/json", "content-type: application/json" };

    [Fact]
    public void The_Ansible_collection_is_answered_as_RunCloud_answers_it()
    {
        using var h = new Harness();
        var e = h.Emu;
        e.State.AddDomains(1001, 2001, Enumerable.Range(1, 20).Select(i => $"ans{i}.example.net"));

        // get_all_pages: the first page with the body "null", then "?page=N".
        var first = Send(e, "GET", $"/api/v2/{App}/domains", Ansible(e), "null");
        Assert.Equal(200, first.Status);
        Assert.Equal(15, ((JArray)first.Json["data"]!).Count); // v2's default page size
        Assert.Equal(2, (int)first.Json["meta"]!["pagination"]!["total_pages"]!);
        Assert.Equal(7, ((JArray)Send(e, "GET", $"/api/v2/{App}/domains?page=2", Ansible(e), "null").Json["data"]!).Count);

        // runcloud_ssl: the mode, then the app's certificate ("SSL not installed!" means none), then the install.
        var mode = Send(e, "GET", $"/api/v2/{Blog}/ssl/advanced", Ansible(e), "null");
        Assert.False((bool)mode.Json["advancedSSL"]!);
        var none = Send(e, "GET", $"/api/v2/{Blog}/ssl", Ansible(e), "null");
        Assert.Equal("SSL not installed!", (string?)none.Json["message"]);
        var installed = Send(e, "POST", $"/api/v2/{Blog}/ssl", Ansible(e),
            "{\"provider\": \"letsencrypt\", \"enableHttp\": false, \"enableHsts\": false, \"ssl_protocol_id\": 3, \"authorizationMethod\": \"http-01\", \"environment\": \"live\"}");
        Assert.Equal(200, installed.Status);
        Assert.Equal(3, (int)installed.Json["ssl_protocol_id"]!); // TLSv1.3 in the collection's table

        // A setting differs: DELETE (no body, no Content-Length), then install again.
        Assert.Equal(200, Send(e, "DELETE", $"/api/v2/{Blog}/ssl/{(long)installed.Json["id"]!}", Ansible(e, body: false)).Status);
        Assert.Equal(200, Send(e, "POST", $"/api/v2/{Blog}/ssl", Ansible(e),
            "{\"provider\": \"letsencrypt\", \"enableHttp\": false, \"enableHsts\": false, \"ssl_protocol_id\": 1, \"authorizationMethod\": \"http-01\", \"environment\": \"live\"}").Status);

        // The advanced branch's path without a slash ("webapps{id}") is a route RunCloud does not have.
        Assert.Equal(404, Send(e, "GET", $"/api/v2/servers/1001/webapps2001/domains/3001/ssl", Ansible(e), "null").Status);

        var log = e.GetRequests();
        Assert.Equal(8, log.Count);
        Assert.All(log, r => Assert.Equal("Basic", r.AuthScheme));
        Assert.Null(log.Single(r => r.Method == "DELETE").ContentLength);
    }

    // ---------- Ultimate Multisite, v2 generation ----------

    private static string[] UmV2(RunCloudEmulator e, bool form) =>
        form ? new[] { "User-Agent: WordPress/6.5; https://network.example", "Accept: */*", Basic(e), "Content-Type: application/x-www-form-urlencoded; charset=UTF-8" }
             : new[] { "User-Agent: WordPress/6.5; https://network.example", "Accept: */*", Basic(e) };

    [Fact]
    public void Ultimate_Multisite_v2_is_answered_as_RunCloud_answers_it()
    {
        using var h = new Harness();
        var e = h.Emu;
        // on_add_domain: the name and its www. name, each its own form POST; then GET ssl and a body-less PUT to redeploy.
        Assert.Equal(200, Send(e, "POST", $"/api/v2/{App}/domains", UmV2(e, true), "name=mapped.example.org").Status);
        Assert.Equal(200, Send(e, "POST", $"/api/v2/{App}/domains", UmV2(e, true), "name=www.mapped.example.org").Status);
        var ssl = Send(e, "GET", $"/api/v2/{App}/ssl", UmV2(e, false));
        Assert.Equal(4001L, (long)ssl.Json["id"]!);
        var redeploy = Send(e, "PUT", $"/api/v2/{App}/ssl/4001", UmV2(e, false));
        Assert.Equal(200, redeploy.Status);
        Assert.Contains("www.mapped.example.org", e.State.GetSsl(1001, 2001)!.CoveredDomains);

        // on_remove_domain: the first page of the list, then a body-less DELETE; a name not found still sends "DELETE domains/".
        var list = Send(e, "GET", $"/api/v2/{App}/domains", UmV2(e, false));
        var id = (long)((JArray)list.Json["data"]!).Single(d => (string?)d["name"] == "mapped.example.org")["id"]!;
        Assert.Equal(200, Send(e, "DELETE", $"/api/v2/{App}/domains/{id}", UmV2(e, false)).Status);
        var noId = Send(e, "DELETE", $"/api/v2/{App}/domains/", UmV2(e, false));
        Assert.Equal(405, noId.Status); // Laravel trims the slash: "domains" takes GET and POST only

        var log = e.GetRequests();
        Assert.Equal(7, log.Count);
        Assert.Equal(new[] { RequestBodyKind.Form, RequestBodyKind.Form }, log.Where(r => r.Method == "POST").Select(r => r.BodyKind));
        Assert.All(log.Where(r => r.Method == "PUT" || r.Method == "DELETE"), r => Assert.Null(r.ContentLength));
        Assert.Equal(new[] { 200, 200, 200, 200, 200, 200, 405 }, log.Select(r => r.StatusCode));
    }

    // ---------- Ultimate Multisite, v3 generation ----------

    private static string[] UmV3(RunCloudEmulator e) =>
        new[] { "User-Agent: WordPress/6.8; https://network.example", "Accept: application/json", "Content-Type: application/json", Bearer(e) };

    [Fact]
    public void Ultimate_Multisite_v3_is_answered_as_RunCloud_answers_it()
    {
        using var h = new Harness();
        var e = h.Emu;
        var added = Send(e, "POST", $"/api/v3/{App}/domains", UmV3(e), "{\"name\":\"mapped.example.org\",\"www\":true,\"redirection\":\"non-www\",\"type\":\"alias\"}");
        Assert.Equal(200, added.Status);
        Assert.Equal(1, (int)added.Json["www"]!);

        // get_runcloud_ssl_id: GET ssl/advanced answers the mode and no certificate, so the integration never redeploys.
        var mode = Send(e, "GET", $"/api/v3/{App}/ssl/advanced", UmV3(e));
        Assert.Equal(new[] { "advancedSSL", "autoSSL" }, ((JObject)mode.Json).Properties().Select(p => p.Name));
        Assert.Equal(new[] { "mapped.example.org", "www.mapped.example.org" }, e.GetUncoveredDomains(1001, 2001));
        // Had it found one, its redeploy path does not exist; nor do the intermediate version's.
        Assert.Equal(404, Send(e, "PATCH", $"/api/v3/{App}/ssl/advanced/4001/redeploy", UmV3(e), "[]").Status);
        Assert.Equal(404, Send(e, "GET", $"/api/v3/{App}/settings/ssl", UmV3(e)).Status);
        Assert.Equal(404, Send(e, "POST", $"/api/v3/{App}/settings/ssl/4001/redeploy", UmV3(e), "[]").Status);

        // on_remove_domain: GET domains (first page), DELETE with the body "[]".
        Assert.Equal(200, Send(e, "GET", $"/api/v3/{App}/domains", UmV3(e)).Status);
        Assert.Equal(200, Send(e, "DELETE", $"/api/v3/{App}/domains/{(long)added.Json["id"]!}", UmV3(e), "[]").Status);

        var log = e.GetRequests();
        Assert.Equal(7, log.Count);
        Assert.Equal(new[] { 200, 200, 404, 404, 404, 200, 200 }, log.Select(r => r.StatusCode));
    }
}
