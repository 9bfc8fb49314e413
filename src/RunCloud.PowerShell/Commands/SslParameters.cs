using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>The SSL strategy's options from the common -SkipDnsCheck, -DnsServer and -AllowDuplicateCertificate parameters.</summary>
    internal static class SslParameters
    {
        /// <summary>The options; a bad -DnsServer value stops <paramref name="cmdlet"/> (a bad invocation) with what to give instead.</summary>
        public static SslOptions BuildOrStop(RunCloudCmdlet cmdlet, bool skipDnsCheck, string[]? dnsServer, bool allowDuplicate)
        {
            SslOptions? options = TryBuild(skipDnsCheck, dnsServer, allowDuplicate, out string? problem, out string? value);
            if (options == null) cmdlet.ThrowTerminatingError(ErrorRecords.Invalid(Http.ErrorIds.InvalidInput, problem!, value));
            return options!;
        }

        /// <summary>The options, or null with the problem and the -DnsServer value it is about (neither a resolver address nor a DNS-over-HTTPS URL).</summary>
        public static SslOptions? TryBuild(bool skipDnsCheck, string[]? dnsServer, bool allowDuplicate, out string? problem, out string? value)
        {
            if (!TryParseDnsServers(dnsServer, out DnsServerList? servers, out problem, out value)) return null;
            return new SslOptions
            {
                SkipDnsCheck = skipDnsCheck || DnsReadiness.SkippedByEnvironment(),
                DnsServers = servers,
                AllowDuplicate = allowDuplicate,
            };
        }

        /// <summary>-DnsServer values (resolver addresses or DNS-over-HTTPS URLs); null for none. False with the problem and the bad value.</summary>
        public static bool TryParseDnsServers(string[]? servers, out DnsServerList? list, out string? problem, out string? value)
        {
            list = null;
            problem = null;
            value = null;
            if (servers == null || servers.Length == 0) return true;
            var result = new DnsServerList();
            foreach (string text in servers)
            {
                if (!result.TryAdd(text, out string why))
                {
                    problem = $"-DnsServer: {why}.";
                    value = text;
                    return false;
                }
            }

            list = result;
            return true;
        }
    }
}
