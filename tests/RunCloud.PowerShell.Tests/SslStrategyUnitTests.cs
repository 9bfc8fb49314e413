using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;

using RunCloud.PowerShell.Models;
using RunCloud.Tests;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    public class SslNamesAndBudgetTests
    {
        [Fact]
        public void WwwVariantsCountAndAreNeverDoubled()
        {
            var domains = new[]
            {
                new RunCloudDomain { Name = "a.example.com", Www = true },
                new RunCloudDomain { Name = "www.b.example.com", Www = true },
                new RunCloudDomain { Name = "*.c.example.com", Www = true },
                new RunCloudDomain { Name = "d.example.com" },
            };
            Assert.Equal(new[] { "*.c.example.com", "a.example.com", "d.example.com", "www.a.example.com", "www.b.example.com" }, SslNames.All(domains));
        }

        [Fact]
        public void TheSixthDuplicateInSevenDaysIsRefusedUntilTheFirstLeavesTheWindow()
        {
            var data = new SslJournalData();
            var start = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
            string[] names = { "shop.example.com", "www.shop.example.com" };
            for (int i = 0; i < 5; i++)
            {
                var budget = new LetsEncryptBudget(data, start.AddHours(i));
                Assert.Null(budget.Check(names, allowDuplicate: false));
                budget.Record(names);
            }

            var sixth = new LetsEncryptBudget(data, start.AddDays(2)).Check(names, allowDuplicate: false);
            Assert.NotNull(sixth);
            Assert.Equal(start.AddDays(7), sixth!.Value.PossibleAt);
            Assert.Null(new LetsEncryptBudget(data, start.AddDays(2)).Check(names, allowDuplicate: true));
            Assert.Null(new LetsEncryptBudget(data, start.AddDays(2)).Check(new[] { "shop.example.com" }, allowDuplicate: false)); // another set
            Assert.Null(new LetsEncryptBudget(data, start.AddDays(7).AddMinutes(1)).Check(names, allowDuplicate: false));
        }

        [Fact]
        public void FiftyCertificatesPerRegisteredDomainAWeekAndThreeHundredOrdersInThreeHours()
        {
            var data = new SslJournalData();
            var now = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
            var budget = new LetsEncryptBudget(data, now);
            for (int i = 0; i < 50; i++) budget.Record(new[] { $"s{i}.example.co.uk" });
            var over = budget.Check(new[] { "s50.example.co.uk" }, allowDuplicate: false);
            Assert.NotNull(over);
            Assert.Contains("example.co.uk", over!.Value.Limit);
            for (int i = 0; i < 250; i++) budget.Record(new[] { $"c{i}.com" });
            var orders = budget.Check(new[] { "fresh.net" }, allowDuplicate: false);
            Assert.NotNull(orders);
            Assert.Contains("3 hours", orders!.Value.Limit);
            Assert.Equal(now.AddHours(3), orders.Value.PossibleAt);
        }

        [Theory]
        [InlineData("104.16.0.1", true)]
        [InlineData("172.67.1.1", true)]
        [InlineData("2606:4700::6810:1", true)]
        [InlineData("203.0.113.10", false)]
        [InlineData("8.8.8.8", false)]
        public void CloudflareRangesAreRecognised(string address, bool proxied) =>
            Assert.Equal(proxied, CloudflareRanges.Contains(IPAddress.Parse(address)));
    }

    public class UdpDnsResolverTests
    {
        [Fact]
        public async Task ResolvesAFollowsCnamesAndReportsNxdomain()
        {
            using var dns = new LoopbackDns();
            dns.Set("shop.example.com", "203.0.113.10", "2001:db8::10");
            dns.SetCname("www.shop.example.com", "shop.example.com");
            var resolver = new UdpDnsResolver(new[] { UdpDnsResolver.ParseServer(dns.Server, out _)! }, TimeSpan.FromSeconds(5));
            var readiness = new DnsReadiness(resolver, TimeSpan.FromSeconds(5));

            RunCloudDnsCheck ok = await readiness.CheckAsync("www.shop.example.com", "203.0.113.10", CancellationToken.None);
            Assert.Equal("OK", ok.Status);
            Assert.Equal(new[] { "shop.example.com" }, ok.Cnames);
            Assert.Contains("2001:db8::10", ok.Addresses);

            RunCloudDnsCheck wrong = await readiness.CheckAsync("shop.example.com", "198.51.100.1", CancellationToken.None);
            Assert.Equal("WrongAddress", wrong.Status);
            Assert.Contains("198.51.100.1", wrong.Message);

            RunCloudDnsCheck missing = await readiness.CheckAsync("nowhere.example.com", "203.0.113.10", CancellationToken.None);
            Assert.Equal("NotResolved", missing.Status);
            Assert.Contains("NXDOMAIN", missing.Message);

            dns.Set("cdn.example.com", "104.16.0.1");
            Assert.Equal("CloudflareProxied", (await readiness.CheckAsync("cdn.example.com", "203.0.113.10", CancellationToken.None)).Status);
        }

        [Theory]
        [InlineData("1.1.1.1", "1.1.1.1:53")]
        [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
        [InlineData("[::1]:5353", "[::1]:5353")]
        public void ParsesServers(string text, string expected) =>
            Assert.Equal(expected, UdpDnsResolver.ParseServer(text, out _)!.ToString());

        [Theory]
        [InlineData("dns.google")]
        [InlineData("1.1.1.1:99999")]
        public void RefusesServersThatAreNotAddresses(string text)
        {
            Assert.Null(UdpDnsResolver.ParseServer(text, out string problem));
            Assert.Contains(text, problem);
        }
    }

    /// <summary>Test-RunCloudCertificate's probe against a TLS listener serving a certificate from a CA made here.</summary>
    public sealed class CertificateProbeTests : IDisposable
    {
        private readonly X509Certificate2 _ca;
        private readonly X509Certificate2 _leaf;
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        public CertificateProbeTests()
        {
            using RSA caKey = RSA.Create(2048);
            var caRequest = new CertificateRequest("CN=RunCloud Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            _ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

            using RSA leafKey = RSA.Create(2048);
            var leafRequest = new CertificateRequest("CN=shop.example.com", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("shop.example.com");
            san.AddDnsName("*.blog.example.com");
            leafRequest.CertificateExtensions.Add(san.Build());
            leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            using X509Certificate2 signed = leafRequest.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), new byte[] { 1, 2, 3, 4 });
            _leaf = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(leafKey).Export(X509ContentType.Pkcs12), null);

            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }

                _ = Task.Run(async () =>
                {
                    using (client)
                    using (var tls = new SslStream(client.GetStream()))
                    {
                        try { await tls.AuthenticateAsServerAsync(_leaf, false, false); }
                        catch (Exception) { /* the probe may close early */ }
                    }
                });
            }
        }

        [Fact]
        public async Task ANamedHostIsCoveredAgainstTheSuppliedRoot()
        {
            RunCloudCertificateCheck check = await CertificateProbe.ProbeAsync("shop.example.com", "127.0.0.1", Port, TimeSpan.FromSeconds(10), new[] { _ca }, DateTime.UtcNow, CancellationToken.None);
            Assert.True(check.Covered, check.Message);
            Assert.Equal("Covered", check.Status);
            Assert.True(check.ChainValid);
            Assert.Equal(new[] { "shop.example.com", "*.blog.example.com" }, check.SubjectNames);
            Assert.Contains("RunCloud Test CA", check.Issuer);
            Assert.InRange(check.DaysRemaining!.Value, 29, 30);
        }

        [Fact]
        public async Task AWildcardCoversOneLabelOnly()
        {
            Assert.True((await CertificateProbe.ProbeAsync("news.blog.example.com", "127.0.0.1", Port, TimeSpan.FromSeconds(10), new[] { _ca }, DateTime.UtcNow, CancellationToken.None)).Covered);
            RunCloudCertificateCheck deep = await CertificateProbe.ProbeAsync("a.news.blog.example.com", "127.0.0.1", Port, TimeSpan.FromSeconds(10), new[] { _ca }, DateTime.UtcNow, CancellationToken.None);
            Assert.False(deep.Covered);
            Assert.Equal("NameMismatch", deep.Status);
        }

        [Fact]
        public async Task WithoutTheRootTheChainIsUntrustedAndAnExpiredOneIsSaidSo()
        {
            RunCloudCertificateCheck untrusted = await CertificateProbe.ProbeAsync("shop.example.com", "127.0.0.1", Port, TimeSpan.FromSeconds(10), null, DateTime.UtcNow, CancellationToken.None);
            Assert.False(untrusted.ChainValid);
            Assert.Equal("Untrusted", untrusted.Status);

            using RSA other = RSA.Create(2048);
            using X509Certificate2 stranger = new CertificateRequest("CN=Other CA", other, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            Assert.False((await CertificateProbe.ProbeAsync("shop.example.com", "127.0.0.1", Port, TimeSpan.FromSeconds(10), new[] { stranger }, DateTime.UtcNow, CancellationToken.None)).ChainValid);

            RunCloudCertificateCheck later = await CertificateProbe.ProbeAsync("shop.example.com", "127.0.0.1", Port, TimeSpan.FromSeconds(10), new[] { _ca }, DateTime.UtcNow.AddDays(40), CancellationToken.None);
            Assert.Equal("Expired", later.Status);
            Assert.False(later.Covered);
        }

        [Fact]
        public async Task NothingListeningIsUnreachableNotAnException()
        {
            var closed = new TcpListener(IPAddress.Loopback, 0);
            closed.Start();
            int port = ((IPEndPoint)closed.LocalEndpoint).Port;
            closed.Stop();
            RunCloudCertificateCheck check = await CertificateProbe.ProbeAsync("shop.example.com", "127.0.0.1", port, TimeSpan.FromSeconds(5), null, DateTime.UtcNow, CancellationToken.None);
            Assert.Equal("Unreachable", check.Status);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _leaf.Dispose();
            _ca.Dispose();
            _stop.Dispose();
        }
    }
}
