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

using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.Tests;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
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
