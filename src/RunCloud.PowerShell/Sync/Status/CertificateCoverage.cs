using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// Whether RunCloud's SSL state says a certificate covers a name, without asking the server (that is -Live's job).
    /// The certificate is the web app's in basic mode and the domain's own in advanced mode. When RunCloud returns the
    /// certificate itself (PEM), the names it lists decide; otherwise its issue date does: RunCloud issues one
    /// certificate for the names the app (or domain) has at that moment, so a name added after the last issuance is not
    /// on it until the next redeploy. A Let's Encrypt certificate is issued 90 days before its validUntil. A wildcard is
    /// covered only by a certificate validated over DNS-01 (Let's Encrypt refuses wildcards over HTTP-01); a staging
    /// certificate covers nothing a browser trusts. Pure: the clock is passed in.
    /// </summary>
    internal sealed class CertificateCoverage
    {
        /// <summary>The lifetime of a Let's Encrypt certificate, to date an issuance from its validUntil.</summary>
        public static readonly TimeSpan LetsEncryptLifetime = TimeSpan.FromDays(90);

        private readonly TargetSslState _ssl;
        private readonly DateTime _nowUtc;
        private readonly Dictionary<long, (string[]? Names, DateTime? NotBefore)> _parsed = new Dictionary<long, (string[]?, DateTime?)>();

        public CertificateCoverage(TargetSslState ssl, DateTime nowUtc)
        {
            _ssl = ssl;
            _nowUtc = nowUtc;
        }

        /// <summary>The verdict for <paramref name="host"/>, served by <paramref name="domain"/> (itself, or a wildcard domain covering the host).</summary>
        public (string State, string Detail, RunCloudSsl? Certificate) Judge(RunCloudDomain domain, string host)
        {
            RunCloudSsl? cert = null;
            if (_ssl.Advanced) _ssl.DomainSsl.TryGetValue(domain.Id, out cert);
            else cert = _ssl.AppSsl;

            if (cert == null || !cert.Installed)
            {
                return (CertificateState.NoCertificate, _ssl.Advanced
                    ? $"{domain.Name} has no certificate of its own (the web app uses advanced SSL, one certificate per domain)."
                    : "The web app has no SSL certificate (basic SSL: one certificate for all its names).", null);
            }

            string method = string.IsNullOrEmpty(cert.AuthorizationMethod) ? "http-01" : cert.AuthorizationMethod!;
            string which = _ssl.Advanced ? $"the certificate of {domain.Name} (SSL {cert.Id})" : $"the web app's certificate (SSL {cert.Id})";
            bool wildcard = domain.Wildcard || domain.Name.StartsWith("*.", StringComparison.Ordinal);
            if (wildcard && !method.Equals("dns-01", StringComparison.OrdinalIgnoreCase))
            {
                return (CertificateState.NeedsDns01, $"{domain.Name} is a wildcard, which Let's Encrypt validates only over DNS-01, and {which} was ordered with {method}.", cert);
            }

            if (cert.Staging)
            {
                return (CertificateState.Staging, $"{Upper(which)} is a Let's Encrypt staging certificate, which browsers do not trust.", cert);
            }

            if (cert.ValidUntil.HasValue && cert.ValidUntil.Value < _nowUtc)
            {
                return (CertificateState.Expired, $"{Upper(which)} expired on {Day(cert.ValidUntil.Value)}.", cert);
            }

            var (names, notBefore) = Parse(cert);
            if (names != null)
            {
                var needed = new List<string> { host };
                if (string.Equals(host, domain.Name, StringComparison.OrdinalIgnoreCase) && !wildcard) needed = SslNames.HostNames(domain).ToList();
                string[] missing = needed.Where(h => !names.Any(n => SubjectAltNames.Matches(n, h))).ToArray();
                if (missing.Length > 0)
                {
                    return (CertificateState.NotCovered, $"{Upper(which)} lists {Shown(names)}, not {string.Join(" or ", missing)}.", cert);
                }

                return (CertificateState.Covered, $"Covered by {which}, valid until {Day(cert.ValidUntil)}.", cert);
            }

            // Advanced mode: the domain's own certificate is ordered for that domain, after it exists; only basic mode's
            // one certificate for the whole app can predate a name.
            if (_ssl.Advanced) return (CertificateState.Covered, $"Covered by {which}, valid until {Day(cert.ValidUntil)}.", cert);

            DateTime? issued = notBefore
                ?? (cert.ValidUntil.HasValue && string.Equals(cert.Method, "letsencrypt", StringComparison.OrdinalIgnoreCase) ? cert.ValidUntil.Value - LetsEncryptLifetime : (DateTime?)null);
            if (issued.HasValue && domain.CreatedAt.HasValue && domain.CreatedAt.Value > issued.Value)
            {
                return (CertificateState.NotCovered,
                    $"{domain.Name} was added on {Day(domain.CreatedAt)}, after {which} was last issued (on {Day(issued)}), so it does not cover it yet.", cert);
            }

            return (CertificateState.Covered, $"Covered by {which}, valid until {Day(cert.ValidUntil)}.", cert);
        }

        /// <summary>The names and NotBefore of the certificate RunCloud returned, when it is a real one (parsed once per certificate).</summary>
        private (string[]? Names, DateTime? NotBefore) Parse(RunCloudSsl cert)
        {
            long key = cert.Id ?? 0;
            if (_parsed.TryGetValue(key, out var known)) return known;
            (string[]?, DateTime?) result = (null, null);
            X509Certificate2? x509 = ReadPem(cert.CertificatePem);
            if (x509 != null)
            {
                using (x509)
                {
                    string[] names = SubjectAltNames.DnsNames(x509).ToArray();
                    if (names.Length == 0)
                    {
                        string cn = x509.GetNameInfo(X509NameType.SimpleName, false);
                        if (!string.IsNullOrEmpty(cn)) names = new[] { cn };
                    }

                    result = (names.Length > 0 ? names : null, x509.NotBefore.ToUniversalTime());
                }
            }

            _parsed[key] = result;
            return result;
        }

        /// <summary>The first certificate of a PEM text, or null when there is none or it cannot be read.</summary>
        internal static X509Certificate2? ReadPem(string? pem)
        {
            if (string.IsNullOrEmpty(pem)) return null;
            const string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
            int b = pem!.IndexOf(begin, StringComparison.Ordinal);
            if (b < 0) return null;
            int e = pem.IndexOf(end, b, StringComparison.Ordinal);
            if (e < 0) return null;
            string base64 = new string(pem.Substring(b + begin.Length, e - b - begin.Length).Where(c => !char.IsWhiteSpace(c)).ToArray());
            try
            {
                return new X509Certificate2(Convert.FromBase64String(base64));
            }
            catch (Exception ex) when (ex is FormatException || ex is CryptographicException)
            {
                return null;
            }
        }

        private static string Shown(string[] names) =>
            string.Join(", ", names.Take(3)) + (names.Length > 3 ? $" (+{names.Length - 3})" : string.Empty);

        private static string Upper(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

        internal static string Day(DateTime? utc) =>
            utc.HasValue ? utc.Value.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "an unknown date";
    }
}
