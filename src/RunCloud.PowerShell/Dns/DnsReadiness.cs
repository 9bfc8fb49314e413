using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Dns
{
    /// <summary>
    /// Whether a name is ready for an HTTP-01 certificate: it resolves (A/AAAA, CNAMEs followed) to the server's
    /// address. Shared by Test-RunCloudDomainDns and the SSL strategy. Cloudflare-proxied names are recognised.
    /// </summary>
    internal sealed class DnsReadiness
    {
        /// <summary>Unattended runs set RUNCLOUD_SKIP_DNS_CHECK=1 for split-horizon or proxied setups.</summary>
        public const string SkipVariable = "RUNCLOUD_SKIP_DNS_CHECK";

        public const string Ok = "OK";
        public const string WrongAddress = "WrongAddress";
        public const string NotResolved = "NotResolved";
        public const string CloudflareProxied = "CloudflareProxied";

        /// <summary>A wildcard (*.example.com): Let's Encrypt validates it only over DNS-01, so no DNS answer makes it ready for HTTP-01.</summary>
        public const string NeedsDns01 = "NeedsDns01";

        /// <summary>A DNS-01 order whose DNS integration (externalApi) does not exist: RunCloud cannot write the TXT record.</summary>
        public const string NoDnsIntegration = "NoDnsIntegration";

        private readonly IDnsResolver _resolver;
        private readonly TimeSpan _timeout;

        public DnsReadiness(IDnsResolver resolver, TimeSpan timeout)
        {
            _resolver = resolver;
            _timeout = timeout;
        }

        public static bool SkippedByEnvironment()
        {
            string? v = Environment.GetEnvironmentVariable(SkipVariable);
            return v != null && (v.Trim() == "1" || v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>The resolver for -DnsServer (null or empty: the system's).</summary>
        public static IDnsResolver ResolverFor(DnsServerList? servers, TimeSpan timeout) =>
            servers?.Resolver(timeout) ?? new SystemDnsResolver();

        /// <summary>
        /// Whether <paramref name="name"/> is ready for an HTTP-01 order. A wildcard never is (<see cref="NeedsDns01"/>):
        /// Let's Encrypt validates wildcards only over DNS-01; a name under it is still looked up, to show where the
        /// wildcard's names point, but that answer does not make it ready.
        /// </summary>
        public async Task<RunCloudDnsCheck> CheckAsync(string name, string? expected, CancellationToken ct)
        {
            bool wildcard = name.StartsWith("*.", StringComparison.Ordinal);
            string host = wildcard ? "runcloud-dns-probe" + name.Substring(1) : name;
            var check = new RunCloudDnsCheck { Name = name, LookedUp = host, ExpectedAddress = expected };
            DnsAnswer answer;
            Task<DnsAnswer> lookup = _resolver.ResolveAsync(host, ct);
            Task finished = await Task.WhenAny(lookup, Task.Delay(_timeout, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            answer = finished == lookup ? await lookup.ConfigureAwait(false) : new DnsAnswer { Error = $"no DNS answer within {_timeout.TotalSeconds:0.#} s" };

            check.Addresses = answer.Addresses.Select(a => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString()).Distinct().ToArray();
            check.Cnames = answer.Cnames.ToArray();
            string via = answer.Cnames.Count > 0 ? $" (via CNAME {string.Join(" -> ", answer.Cnames)})" : string.Empty;
            if (answer.Addresses.Count == 0 && wildcard)
            {
                check.Status = NeedsDns01;
                check.Message = WildcardMessage(name, $"names under it do not resolve ({answer.Error ?? "no A or AAAA record"}, looked up as {host}){via}");
                return check;
            }

            if (answer.Addresses.Count == 0)
            {
                check.Status = NotResolved;
                check.Message = $"{host} does not resolve ({answer.Error ?? "no A or AAAA record"}){via}. Create an A record pointing at {expected ?? "the server's IP address"}.";
                return check;
            }

            check.PointsToServer = expected != null && answer.Addresses.Any(a => SameAddress(a, expected));
            check.CloudflareProxied = !check.PointsToServer && answer.Addresses.Any(CloudflareRanges.Contains);
            if (wildcard)
            {
                string seen = check.PointsToServer
                    ? $"names under it point at {expected} (looked up as {host}){via}"
                    : $"names under it resolve to {string.Join(", ", check.Addresses)}{via} (looked up as {host})";
                check.Status = NeedsDns01;
                check.Message = WildcardMessage(name, seen);
                return check;
            }

            if (check.PointsToServer)
            {
                check.Status = Ok;
                check.Message = $"{host} points at {expected}{via}.";
            }
            else if (check.CloudflareProxied)
            {
                check.Status = CloudflareProxied;
                check.Message = $"{host} resolves to Cloudflare ({string.Join(", ", check.Addresses)}){via}: it is proxied, so DNS cannot show whether it reaches {expected}. "
                    + "Make sure Cloudflare's origin is the server and that /.well-known/acme-challenge/ is not blocked, then pass -SkipDnsCheck (or set RUNCLOUD_SKIP_DNS_CHECK=1), or switch the record to 'DNS only' until the certificate is issued.";
            }
            else
            {
                check.Status = WrongAddress;
                check.Message = $"{host} resolves to {string.Join(", ", check.Addresses)}{via}, not to the server's {expected}. Point its A record at {expected} before issuing a certificate.";
            }

            return check;
        }

        /// <summary>Why a wildcard is not ready for HTTP-01, and what makes it ready.</summary>
        internal static string WildcardMessage(string name, string? seen) =>
            $"{name} is a wildcard: Let's Encrypt validates a wildcard name only over DNS-01 (a TXT record a DNS integration writes), never over HTTP-01, "
            + (seen == null ? string.Empty : $"so where names under it point does not make it ready ({seen}). ")
            + "Its certificate needs a DNS-01 order through a DNS integration: -AuthorizationMethod dns-01 -ExternalApi <integration> (Get-RunCloudDnsIntegration lists them).";

        internal static bool SameAddress(IPAddress address, string expected)
        {
            if (!IPAddress.TryParse(expected, out IPAddress? wanted)) return false;
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            if (wanted.IsIPv4MappedToIPv6) wanted = wanted.MapToIPv4();
            return address.Equals(wanted);
        }
    }
}
