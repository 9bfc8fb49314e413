using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RunCloud.Emulator;
using RunCloud.Emulator.Tls;
using Xunit;
using static RunCloud.Emulator.Tests.Harness;

namespace RunCloud.Emulator.Tests;

/// <summary>The emulator's TLS endpoint: certificates that follow its SSL state, chosen by SNI, issued by an in-memory test CA.</summary>
public class TlsEndpointTests
{
    private const string Blog = "servers/1001/webapps/2002";

    private static async Task<(X509Certificate2 cert, string response)> Connect(RunCloudEmulator emu, string serverName)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", emu.TlsPort);
        X509Certificate2? seen = null;
        using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            seen = new X509Certificate2(cert!);
            return true; // validated below, against the emulator's CA
        });
        await ssl.AuthenticateAsClientAsync(serverName);
        var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {serverName}\r\n\r\n");
        await ssl.WriteAsync(request);
        using var reader = new StreamReader(ssl);
        var response = await reader.ReadToEndAsync();
        return (seen!, response);
    }

    private static IReadOnlyList<string> Sans(X509Certificate2 cert) =>
        cert.Extensions.Where(e => e.Oid?.Value == "2.5.29.17").SelectMany(e => RunCloudEmulator.ReadDnsNames(e.RawData)).ToList();

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = leaf.NotBefore.AddMinutes(1);
        return chain.Build(leaf);
    }

    [Fact]
    public async Task Serves_the_apps_certificate_by_sni_with_its_names_dates_and_the_test_ca_as_issuer()
    {
        using var h = new Harness(o => o.TlsPort = 0);
        Assert.NotEqual(0, h.Emu.TlsPort);
        var (cert, response) = await Connect(h.Emu, "shop.example.com");
        var ssl = h.Emu.State.GetSsl(1001, 2001)!;
        Assert.Equal(new[] { "shop.example.com", EmulatorDefaults.TestDomainName }, Sans(cert));
        Assert.Equal("CN=shop.example.com", cert.Subject);
        Assert.Equal(h.Emu.TlsCertificateAuthority!.Subject, cert.Issuer);
        Assert.Equal(ssl.ValidUntil, cert.NotAfter.ToUniversalTime());
        Assert.True(ChainsTo(cert, h.Emu.TlsCertificateAuthority!));
        Assert.Contains("200 OK", response);
        Assert.Contains("shop.example.com served CN=shop.example.com", response);
        var log = h.Emu.GetTlsConnections().Single();
        Assert.Equal(("shop.example.com", true), (log.ServerName, log.Covered));
    }

    [Fact]
    public async Task A_domain_added_after_the_last_issuance_gets_its_apps_certificate_which_does_not_cover_it_until_a_redeploy()
    {
        using var h = new Harness(o => o.TlsPort = 0);
        await h.Post(Domains, new { name = "late.example.com", www = true });
        var (before, _) = await Connect(h.Emu, "www.late.example.com");
        Assert.DoesNotContain("www.late.example.com", Sans(before));
        Assert.False(RunCloudEmulator.CertificateCovers(before, "www.late.example.com"));

        Assert.Equal(200, (await h.Call("PUT", $"{App}/ssl/{EmulatorDefaults.SslId}", new { })).status);
        var (after, _) = await Connect(h.Emu, "www.late.example.com");
        Assert.Contains("www.late.example.com", Sans(after));
        Assert.True(RunCloudEmulator.CertificateCovers(after, "www.late.example.com"));
        Assert.Equal(h.Emu.State.GetSsl(1001, 2001)!.ValidUntil, after.NotAfter.ToUniversalTime());
        Assert.Equal(new[] { false, true }, h.Emu.GetTlsConnections().Select(c => c.Covered));
    }

    [Fact]
    public async Task A_name_without_a_certificate_gets_the_self_signed_default()
    {
        using var h = new Harness(o => o.TlsPort = 0);
        foreach (var name in new[] { "blog.example.com", "unknown.example.net" })
        {
            var (cert, _) = await Connect(h.Emu, name);
            Assert.Equal("CN=" + RunCloudEmulator.DefaultCertificateName, cert.Subject);
            Assert.Equal(cert.Subject, cert.Issuer);
            Assert.False(ChainsTo(cert, h.Emu.TlsCertificateAuthority!));
        }
    }

    [Fact]
    public async Task Advanced_mode_serves_each_domain_its_own_certificate()
    {
        using var h = new Harness(o => o.TlsPort = 0);
        await h.Post(Blog + "/ssl/advanced", new { advancedSSL = true, autoSSL = false });
        var (_, news, _) = await h.Post(Blog + "/domains", new { name = "news.example.com", www = true });
        var body = new { provider = "letsencrypt", authorizationMethod = "http-01", environment = "live", advancedSSL = true, autoSSL = false };
        await h.Post($"{Blog}/domains/{EmulatorDefaults.BlogDomainId}/ssl", body);
        await h.Post($"{Blog}/domains/{(long)news["id"]!}/ssl", body);
        var (blog, _) = await Connect(h.Emu, "blog.example.com");
        var (www, _) = await Connect(h.Emu, "www.news.example.com");
        Assert.Equal(new[] { "blog.example.com" }, Sans(blog));
        Assert.Equal(new[] { "news.example.com", "www.news.example.com" }, Sans(www));
        Assert.NotEqual(blog.SerialNumber, www.SerialNumber);
    }

    [Fact]
    public async Task Certificates_follow_the_emulated_clock_and_an_uninstall()
    {
        var clock = new EmulatorClock();
        clock.Freeze(DateTime.UtcNow.AddDays(-80));
        using var h = new Harness(o => { o.TlsPort = 0; o.Clock = clock; });
        var (old, _) = await Connect(h.Emu, "shop.example.com");
        Assert.True(old.NotAfter.ToUniversalTime() < DateTime.UtcNow.AddDays(11)); // issued 80 days ago: 10 days left

        clock.Reset();
        await h.Call("PUT", $"{App}/ssl/{EmulatorDefaults.SslId}", new { });
        var (renewed, _) = await Connect(h.Emu, "shop.example.com");
        Assert.True(renewed.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddDays(89));

        await h.Call("DELETE", $"{App}/ssl/{EmulatorDefaults.SslId}");
        var (none, _) = await Connect(h.Emu, "shop.example.com");
        Assert.Equal("CN=" + RunCloudEmulator.DefaultCertificateName, none.Subject);
    }

    [Fact]
    public void Without_a_tls_port_there_is_no_endpoint_and_a_taken_port_fails_clearly()
    {
        using (var h = new Harness())
        {
            Assert.Equal(0, h.Emu.TlsPort);
        }
        using var first = new Harness(o => o.TlsPort = 0);
        var ex = Assert.Throws<InvalidOperationException>(() => RunCloudEmulator.Start(new EmulatorOptions { TlsPort = first.Emu.TlsPort }));
        Assert.Contains("could not serve TLS", ex.Message);
    }

    [Fact]
    public void The_client_hello_parser_reads_the_sni_and_returns_null_for_anything_else()
    {
        Assert.Null(ClientHello.ReadServerName(new byte[] { 0x17, 3, 3, 0, 0 }, 5));
        Assert.Null(ClientHello.ReadServerName(new byte[] { 0x16, 3, 1, 0, 4, 1, 0, 0 }, 8));
        // A minimal ClientHello: version, random, empty session id, one suite, null compression, the server_name extension.
        var name = Encoding.ASCII.GetBytes("Shop.Example.com");
        var sni = new List<byte> { 0, 0 }; // type server_name
        var list = new List<byte> { 0 /* host_name */, 0, (byte)name.Length };
        list.AddRange(name);
        var ext = new List<byte> { 0, (byte)list.Count };
        ext.AddRange(list);
        sni.AddRange(new byte[] { 0, (byte)ext.Count });
        sni.AddRange(ext);
        var hello = new List<byte> { 3, 3 };
        hello.AddRange(new byte[32]);
        hello.AddRange(new byte[] { 0, 0, 2, 0x13, 0x01, 1, 0, 0, (byte)sni.Count });
        hello.AddRange(sni);
        var hs = new List<byte> { 1, 0, 0, (byte)hello.Count };
        hs.AddRange(hello);
        var record = new List<byte> { 0x16, 3, 1, 0, (byte)hs.Count };
        record.AddRange(hs);
        Assert.Equal("shop.example.com", ClientHello.ReadServerName(record.ToArray(), record.Count));
        Assert.Null(ClientHello.ReadServerName(record.ToArray(), record.Count - 5)); // truncated
    }
}
