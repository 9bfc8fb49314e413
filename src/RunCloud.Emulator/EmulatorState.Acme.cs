using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RunCloud.Emulator
{
    /// <summary>One Let's Encrypt certificate the emulator issued (install or redeploy), for the duplicate-certificate limit.</summary>
    public sealed class IssuanceRecord
    {
        public DateTime IssuedAt { get; set; }
        /// <summary>The certificate's names, lower case, sorted: the "exact set of hostnames" Let's Encrypt counts.</summary>
        public List<string> Names { get; set; } = new List<string>();
        public long SslId { get; set; }
        /// <summary>
        /// A renewal: the same exact set of names was issued within the 90 days before. Let's Encrypt exempts renewals from the
        /// certificates-per-registered-domain limit (they still count as duplicates); they do not use up that limit either.
        /// </summary>
        public bool Renewal { get; set; }
    }

    /// <summary>Why Let's Encrypt refused an order: answered 422 with the message (and the failing names in errors).</summary>
    internal sealed class AcmeFailure
    {
        public AcmeFailure(string message) { Message = message; }
        public string Message { get; }
        public List<(string field, string message)> Errors { get; } = new List<(string, string)>();
    }

    public sealed partial class EmulatorState
    {
        private readonly List<IssuanceRecord> _issuances = new List<IssuanceRecord>();
        private readonly EmulatorDns _dns;

        public EmulatorState() { _dns = new EmulatorDns(this); }

        /// <summary>The emulator's DNS table (see EmulatorDns): what Let's Encrypt's HTTP-01 validation resolves.</summary>
        public EmulatorDns Dns => _dns;

        /// <summary>Let's Encrypt's limit of names in one certificate (100); www. variants count. 0 = no limit.</summary>
        public int MaxNamesPerCertificate { get; set; } = 100;

        /// <summary>Let's Encrypt's duplicate-certificate limit: certificates for the exact same set of names per window (5). 0 = no limit.</summary>
        public int DuplicateCertificateLimit { get; set; } = 5;

        /// <summary>The window of the duplicate-certificate limit (7 days, sliding).</summary>
        public TimeSpan DuplicateCertificateWindow { get; set; } = TimeSpan.FromDays(7);

        /// <summary>Let's Encrypt's limit of new orders per account in 3 hours (300); an order that fails validation counts too. 0 = no limit.</summary>
        public int NewOrdersLimit { get; set; } = 300;

        /// <summary>The window of the new-orders limit (3 hours, sliding).</summary>
        public TimeSpan NewOrdersWindow { get; set; } = TimeSpan.FromHours(3);

        /// <summary>Let's Encrypt's failed-validation limit: failed authorizations per host name per hour (5). 0 = no limit.</summary>
        public int FailedValidationLimit { get; set; } = 5;

        /// <summary>The window of the failed-validation limit (1 hour, sliding).</summary>
        public TimeSpan FailedValidationWindow { get; set; } = TimeSpan.FromHours(1);

        /// <summary>
        /// Let's Encrypt's certificates per registered domain (50 per 7 days): a certificate counts once for each registered
        /// domain (Public Suffix List, see PublicSuffixList) among its names; renewals are exempt. 0 = no limit.
        /// </summary>
        public int CertificatesPerDomainLimit { get; set; } = 50;

        /// <summary>The window of the certificates-per-registered-domain limit (7 days, sliding).</summary>
        public TimeSpan CertificatesPerDomainWindow { get; set; } = TimeSpan.FromDays(7);

        /// <summary>How far back an exact set of names makes a new certificate for it a renewal.</summary>
        public static readonly TimeSpan RenewalLookback = TimeSpan.FromDays(90);

        private readonly List<DateTime> _orders = new List<DateTime>();
        private readonly List<(DateTime at, string name)> _failedValidations = new List<(DateTime, string)>();

        /// <summary>Every Let's Encrypt certificate issued through the API (oldest first).</summary>
        public IReadOnlyList<IssuanceRecord> GetIssuances()
        {
            lock (SyncRoot) return _issuances.Select(i => new IssuanceRecord { IssuedAt = i.IssuedAt, Names = new List<string>(i.Names), SslId = i.SslId, Renewal = i.Renewal }).ToList();
        }

        /// <summary>Forgets the issuance history (the duplicate-certificate limit starts afresh).</summary>
        public void ClearIssuances()
        {
            lock (SyncRoot)
            {
                _issuances.Clear();
                _orders.Clear();
                _failedValidations.Clear();
            }
        }

        /// <summary>The IP address a name points at by default: the IP of the server whose web app has it (as a domain, its www. variant, or under a wildcard domain).</summary>
        internal string? DefaultAddressOf(string name)
        {
            lock (SyncRoot) return DefaultAddressLookupLocked()(name);
        }

        /// <summary>
        /// DefaultAddressOf over one snapshot of the domains, built once: an order of N names against D domains costs
        /// O(N + D), not O(N x D) (a 1,000-name certificate would otherwise take a noticeable part of a benchmark). Call under SyncRoot.
        /// </summary>
        internal Func<string, string?> DefaultAddressLookupLocked()
        {
            var map = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var wildcards = new List<(string suffix, string? ip)>();
            foreach (var s in _servers)
            {
                var ip = string.IsNullOrEmpty(s.IpAddress) ? null : s.IpAddress;
                foreach (var w in s.WebApps)
                    foreach (var d in w.Domains)
                    {
                        foreach (var h in d.HostNames())
                            if (!map.ContainsKey(h)) map[h] = ip;
                        if (d.Name.StartsWith("*.", StringComparison.Ordinal)) wildcards.Add((d.Name.Substring(1), ip));
                    }
            }
            return name =>
            {
                if (map.TryGetValue(name, out var ip)) return ip;
                foreach (var (suffix, wip) in wildcards)
                    if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                        && name.Substring(0, name.Length - suffix.Length).IndexOf('.') < 0) return wip;
                return null;
            };
        }

        /// <summary>
        /// An ACME order as Let's Encrypt would run it, all or nothing: at most MaxNamesPerCertificate names; at most
        /// DuplicateCertificateLimit certificates for the same set of names in DuplicateCertificateWindow; at most
        /// NewOrdersLimit orders in NewOrdersWindow; no name with FailedValidationLimit failed validations in FailedValidationWindow;
        /// with HTTP-01, every name must resolve (EmulatorDns) to the server's IP. Null when the certificate may be issued; the caller
        /// then changes the SSL state and calls RecordIssuanceLocked. Call under SyncRoot.
        /// </summary>
        internal AcmeFailure? CheckOrderLocked(ServerRecord server, IList<string> names, string authorizationMethod, long? externalApi = null)
        {
            var set = NameSet(names);
            if (MaxNamesPerCertificate > 0 && set.Count > MaxNamesPerCertificate)
                return new AcmeFailure($"Let's Encrypt refused the order: a certificate can hold at most {MaxNamesPerCertificate} names, and this one needs {set.Count} (the domains and their www. variants). Switch the web application to advanced SSL (one certificate per domain), or remove domains.");

            var orderTime = Clock.UtcNow;
            if (DuplicateCertificateLimit > 0)
            {
                var now = orderTime;
                var since = now - DuplicateCertificateWindow;
                var same = _issuances.Where(i => i.IssuedAt > since && i.Names.SequenceEqual(set, StringComparer.Ordinal)).OrderBy(i => i.IssuedAt).ToList();
                if (same.Count >= DuplicateCertificateLimit)
                {
                    var retryAfter = same[same.Count - DuplicateCertificateLimit].IssuedAt + DuplicateCertificateWindow;
                    return new AcmeFailure($"Let's Encrypt refused the order: too many certificates ({same.Count}) already issued for this exact set of domains in the last {Window(DuplicateCertificateWindow)}, retry after {Ts(retryAfter)} UTC: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-hostnames");
                }
            }

            if (CertificatesPerDomainLimit > 0 && !IsRenewalLocked(set, orderTime))
            {
                var since = orderTime - CertificatesPerDomainWindow;
                var recent = _issuances.Where(i => i.IssuedAt > since && !i.Renewal).ToList();
                foreach (var registered in set.Select(PublicSuffixList.RegisteredDomain).Where(r => r != null).Distinct(StringComparer.Ordinal))
                {
                    var times = recent.Where(i => i.Names.Any(n => PublicSuffixList.RegisteredDomain(n) == registered)).Select(i => i.IssuedAt).OrderBy(t => t).ToList();
                    if (times.Count >= CertificatesPerDomainLimit)
                    {
                        var retryAfter = times[times.Count - CertificatesPerDomainLimit] + CertificatesPerDomainWindow;
                        return new AcmeFailure($"Let's Encrypt refused the order: too many certificates ({times.Count}) already issued for \"{registered}\" in the last {Window(CertificatesPerDomainWindow)}, retry after {Ts(retryAfter)} UTC: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-registered-domain");
                    }
                }
            }

            if (NewOrdersLimit > 0)
            {
                var recent = _orders.Where(t => t > orderTime - NewOrdersWindow).OrderBy(t => t).ToList();
                if (recent.Count >= NewOrdersLimit)
                {
                    var retryAfter = recent[recent.Count - NewOrdersLimit] + NewOrdersWindow;
                    return new AcmeFailure($"Let's Encrypt refused the order: too many new orders ({recent.Count}) recently, at most {NewOrdersLimit} in {Window(NewOrdersWindow)}, retry after {Ts(retryAfter)} UTC: see https://letsencrypt.org/docs/rate-limits/#new-orders-per-account");
                }
            }

            if (FailedValidationLimit > 0)
            {
                foreach (var n in set)
                {
                    var failed = _failedValidations.Where(f => f.name == n && f.at > orderTime - FailedValidationWindow).Select(f => f.at).OrderBy(t => t).ToList();
                    if (failed.Count >= FailedValidationLimit)
                    {
                        var retryAfter = failed[failed.Count - FailedValidationLimit] + FailedValidationWindow;
                        return new AcmeFailure($"Let's Encrypt refused the order: too many failed authorizations ({failed.Count}) for \"{n}\" in the last {Window(FailedValidationWindow)}, retry after {Ts(retryAfter)} UTC: see https://letsencrypt.org/docs/failed-validation-limit/");
                    }
                }
            }

            // From here on Let's Encrypt has created the order: it counts toward the new-orders limit, failed or not.
            _orders.Add(orderTime);
            if (string.Equals(authorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase)
                && (externalApi == null || FindExternalApi(externalApi.Value) == null))
            {
                // DNS-01 writes _acme-challenge records through the certificate's DNS integration; without it (deleted since
                // the install) no record is written and every name fails validation.
                var f = new AcmeFailure($"Let's Encrypt could not validate the order with DNS-01: the certificate's DNS integration (3rd-party API key {(externalApi?.ToString(CultureInfo.InvariantCulture) ?? "none")}) does not exist, so no _acme-challenge record was written. Add a DNS integration (settings/externalapi) and install the certificate again.");
                foreach (var n in set)
                {
                    f.Errors.Add((n, "DNS-01 validation failed: no _acme-challenge TXT record."));
                    _failedValidations.Add((orderTime, n));
                }
                return f;
            }
            if (string.Equals(authorizationMethod, "http-01", StringComparison.OrdinalIgnoreCase))
            {
                var failures = new List<(string, string)>();
                var lookup = DefaultAddressLookupLocked();
                foreach (var n in set)
                {
                    var problem = Dns.Http01Problem(n, server.IpAddress, lookup);
                    if (problem != null) failures.Add((n, problem));
                }
                if (failures.Count > 0)
                {
                    var f = new AcmeFailure($"Let's Encrypt could not validate {failures.Count} of {set.Count} names with HTTP-01, so the whole order failed and no certificate was issued: "
                        + string.Join("; ", failures.Take(10).Select(x => $"{x.Item1} ({x.Item2})")) + (failures.Count > 10 ? $"; and {failures.Count - 10} more" : "")
                        + ". Point them at the server, or remove them, then try again.");
                    foreach (var (n, why) in failures)
                    {
                        f.Errors.Add((n, $"HTTP-01 validation failed: {why}."));
                        _failedValidations.Add((orderTime, n));
                    }
                    return f;
                }
            }
            return null;
        }

        /// <summary>Records a successful issuance for the duplicate-certificate limit. Call under SyncRoot.</summary>
        internal void RecordIssuanceLocked(SslRecord ssl, IEnumerable<string> names)
        {
            var set = NameSet(names);
            var now = Clock.UtcNow;
            _issuances.Add(new IssuanceRecord { IssuedAt = now, Names = set, SslId = ssl.Id, Renewal = IsRenewalLocked(set, now) });
        }

        private bool IsRenewalLocked(List<string> set, DateTime at) =>
            _issuances.Any(i => i.IssuedAt > at - RenewalLookback && i.IssuedAt <= at && i.Names.SequenceEqual(set, StringComparer.Ordinal));

        /// <summary>A window as Let's Encrypt (Go) prints durations: 168h0m0s, 3h0m0s, 1h0m0s.</summary>
        private static string Window(TimeSpan t) => $"{(int)t.TotalHours}h{t.Minutes}m{t.Seconds}s";

        private static string Ts(DateTime d) => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

        private static List<string> NameSet(IEnumerable<string> names) =>
            names.Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }
}
