using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using RunCloud.Emulator.Tls;

namespace RunCloud.Emulator
{
    /// <summary>One TLS connection the emulator's TLS endpoint served.</summary>
    public sealed class TlsConnection
    {
        public DateTime Time { get; set; }
        /// <summary>The SNI the client sent (null when none).</summary>
        public string? ServerName { get; set; }
        /// <summary>The subject of the certificate served.</summary>
        public string Subject { get; set; } = "";
        /// <summary>Whether the served certificate covers ServerName.</summary>
        public bool Covered { get; set; }
    }

    public sealed partial class RunCloudEmulator
    {
        /// <summary>The name of the endpoint's default certificate (self-signed, outside the test CA), served for names with no certificate.</summary>
        public const string DefaultCertificateName = "default.runcloud-emulator.invalid";

        private readonly object _tlsLock = new object();
        private readonly Dictionary<string, X509Certificate2> _certCache = new Dictionary<string, X509Certificate2>(StringComparer.Ordinal);
        private readonly List<TlsConnection> _tlsLog = new List<TlsConnection>();
        private TestCertificateAuthority? _ca;
        private X509Certificate2? _defaultCert;
        private TcpListener? _tlsListener;
        private Task? _tlsLoop;

        /// <summary>The loopback port of the TLS endpoint; 0 when the emulator serves no TLS (EmulatorOptions.TlsPort, Start-RunCloudEmulator -TlsPort).</summary>
        public int TlsPort { get; private set; }

        /// <summary>The test certificate authority that issues the TLS endpoint's certificates (public part); null without a TLS endpoint.</summary>
        public X509Certificate2? TlsCertificateAuthority => _ca?.Certificate;

        /// <summary>The test certificate authority in PEM form; null without a TLS endpoint.</summary>
        public string? TlsCertificateAuthorityPem => _ca?.CertificatePem;

        /// <summary>The TLS connections served, oldest first.</summary>
        public IReadOnlyList<TlsConnection> GetTlsConnections()
        {
            lock (_tlsLog) return _tlsLog.ToList();
        }

        /// <summary>
        /// The certificate the TLS endpoint serves for a server name, following the SSL state: the certificate of the web app
        /// (basic mode) or of the domain (advanced mode) that has the name, with the names it was issued for, NotBefore =
        /// its last issuance and NotAfter = its validUntil - whether or not it covers the name (a domain added after the
        /// last redeploy gets its app's certificate, which does not name it). A name no web app has, or whose app or domain
        /// has no certificate, gets the default certificate (self-signed, DefaultCertificateName).
        /// </summary>
        public X509Certificate2 GetServedCertificate(string? serverName)
        {
            EnsureCertificateAuthority();
            SslRecord? ssl = null;
            if (!string.IsNullOrEmpty(serverName))
            {
                var name = serverName!.Trim().TrimEnd('.').ToLowerInvariant();
                lock (State.SyncRoot)
                {
                    foreach (var s in State.ServersLocked)
                        foreach (var w in s.WebApps)
                            foreach (var d in w.Domains)
                                if (ssl == null && DomainAnswersFor(d, name))
                                {
                                    var cert = w.AdvancedSsl ? d.Ssl : w.Ssl;
                                    ssl = cert?.Clone();
                                    goto found;
                                }
                }
            }
        found:
            if (ssl == null || ssl.CoveredDomains.Count == 0) return _defaultCert!;
            var issued = ssl.IssuedAt == default ? ssl.ValidUntil.AddDays(-90) : ssl.IssuedAt;
            var key = $"{ssl.Id}|{issued:o}|{ssl.ValidUntil:o}|{string.Join(",", ssl.CoveredDomains)}";
            lock (_tlsLock)
            {
                if (_certCache.TryGetValue(key, out var cached)) return cached;
                if (_certCache.Count > 5000) _certCache.Clear();
                var leaf = _ca!.Issue(ssl.CoveredDomains, issued, ssl.ValidUntil);
                _certCache[key] = leaf;
                return leaf;
            }
        }

        private static bool DomainAnswersFor(DomainRecord d, string name)
        {
            if (d.HostNames().Any(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase))) return true;
            if (!d.Name.StartsWith("*.", StringComparison.Ordinal)) return false;
            var suffix = d.Name.Substring(1);
            return name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length && name.Substring(0, name.Length - suffix.Length).IndexOf('.') < 0;
        }

        /// <summary>Whether a certificate's subjectAltName dNSName entries (or, without them, its CN) cover a host name.</summary>
        public static bool CertificateCovers(X509Certificate2 cert, string hostName)
        {
            var names = new List<string>();
            foreach (var ext in cert.Extensions)
                if (ext.Oid?.Value == "2.5.29.17") names.AddRange(ReadDnsNames(ext.RawData));
            if (names.Count == 0) names.Add(cert.GetNameInfo(X509NameType.SimpleName, false));
            var host = hostName.TrimEnd('.').ToLowerInvariant();
            foreach (var n in names.Select(x => x.ToLowerInvariant()))
            {
                if (n == host) return true;
                if (n.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(n.Substring(1), StringComparison.Ordinal)
                    && host.Substring(0, host.Length - n.Length + 1).IndexOf('.') < 0 && host.Length > n.Length - 1) return true;
            }
            return false;
        }

        /// <summary>The dNSName entries of a DER subjectAltName value.</summary>
        public static IReadOnlyList<string> ReadDnsNames(byte[] der)
        {
            var result = new List<string>();
            int p = 0;
            if (der.Length < 2 || der[p++] != 0x30) return result;
            int len = ReadLength(der, ref p);
            int end = Math.Min(der.Length, p + len);
            while (p < end)
            {
                byte tag = der[p++];
                int l = ReadLength(der, ref p);
                if (tag == 0x82 && p + l <= end) result.Add(Encoding.ASCII.GetString(der, p, l));
                p += l;
            }
            return result;
        }

        private static int ReadLength(byte[] der, ref int p)
        {
            int b = der[p++];
            if (b < 0x80) return b;
            int n = b & 0x7F, len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | der[p++];
            return len;
        }

        private void EnsureCertificateAuthority()
        {
            lock (_tlsLock)
            {
                if (_ca != null) return;
                _ca = new TestCertificateAuthority();
                _defaultCert = _ca.SelfSigned(DefaultCertificateName);
            }
        }

        private void StartTls(int port)
        {
            try
            {
                EnsureCertificateAuthority();
            }
            catch (PlatformNotSupportedException ex)
            {
                throw new InvalidOperationException("The RunCloud emulator cannot serve TLS on this runtime: " + ex.Message, ex);
            }
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"The RunCloud emulator could not serve TLS on 127.0.0.1:{port}: {ex.Message}", ex);
            }
            _tlsListener = listener;
            TlsPort = ((IPEndPoint)listener.LocalEndpoint).Port;
            _tlsLoop = Task.Run(TlsAcceptLoop);
        }

        private void StopTls()
        {
            var l = _tlsListener;
            if (l == null) return;
            try { l.Stop(); } catch (SocketException) { }
            try { _tlsLoop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
            lock (_tlsLock)
            {
                foreach (var c in _certCache.Values) c.Dispose();
                _certCache.Clear();
            }
        }

        private async Task TlsAcceptLoop()
        {
            var listener = _tlsListener!;
            while (!_cts.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException || ex is InvalidOperationException)
                {
                    if (_cts.IsCancellationRequested) break;
                    continue;
                }
                _ = Task.Run(() => HandleTlsAsync(client));
            }
        }

        /// <summary>
        /// Reads the ClientHello's first record to learn the SNI, picks the certificate, replays the record into an SslStream
        /// and completes the handshake; then answers one HTTP request (if the client sends one) with the name served.
        /// </summary>
        private async Task HandleTlsAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    client.ReceiveTimeout = 10000;
                    client.SendTimeout = 10000;
                    var net = client.GetStream();
                    var buffer = new byte[5 + 16384 + 2048];
                    int got = await ReadAtLeastAsync(net, buffer, 0, 5).ConfigureAwait(false);
                    if (got < 5 || buffer[0] != 0x16) return;
                    int recordLength = (buffer[3] << 8) | buffer[4];
                    if (recordLength > buffer.Length - 5) return;
                    got += await ReadAtLeastAsync(net, buffer, got, 5 + recordLength - got).ConfigureAwait(false);
                    var sni = ClientHello.ReadServerName(buffer, got);
                    var cert = GetServedCertificate(sni);
                    lock (_tlsLog)
                        _tlsLog.Add(new TlsConnection { Time = DateTime.UtcNow, ServerName = sni, Subject = cert.Subject, Covered = sni != null && CertificateCovers(cert, sni) });

                    using (var ssl = new SslStream(new PrefixedStream(buffer, got, net), false))
                    {
                        await ssl.AuthenticateAsServerAsync(cert, false, SslProtocols.None, false).ConfigureAwait(false);
                        var request = new byte[4096];
                        var read = ssl.ReadAsync(request, 0, request.Length);
                        if (await Task.WhenAny(read, Task.Delay(5000)).ConfigureAwait(false) != read || read.Result <= 0) return;
                        var body = Encoding.UTF8.GetBytes($"RunCloud emulator: {sni ?? "(no SNI)"} served {cert.Subject}\n");
                        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                        await ssl.WriteAsync(head, 0, head.Length).ConfigureAwait(false);
                        await ssl.WriteAsync(body, 0, body.Length).ConfigureAwait(false);
                        await ssl.FlushAsync().ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is AuthenticationException || ex is ObjectDisposedException
                    || ex is InvalidOperationException || ex is System.Security.Cryptography.CryptographicException)
                {
                    // the client went away or refused the certificate: nothing to answer
                }
            }
        }

        private static async Task<int> ReadAtLeastAsync(Stream s, byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = await s.ReadAsync(buffer, offset + total, count - total).ConfigureAwait(false);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }
    }
}
