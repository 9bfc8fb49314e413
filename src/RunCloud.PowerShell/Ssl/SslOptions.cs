using System;
using System.Collections.Generic;
using System.Net;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>How the SSL strategy checks and counts: DNS readiness, Let's Encrypt budget, the journal.</summary>
    internal sealed class SslOptions
    {
        /// <summary>-SkipDnsCheck or RUNCLOUD_SKIP_DNS_CHECK=1: issue without checking where names point.</summary>
        public bool SkipDnsCheck { get; set; } = DnsReadiness.SkippedByEnvironment();

        /// <summary>-DnsServer; null asks the system's resolver.</summary>
        public DnsServerList? DnsServers { get; set; }

        /// <summary>Replaces the resolver (tests).</summary>
        public IDnsResolver? Resolver { get; set; }

        public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>-AllowDuplicateCertificate: order even past Let's Encrypt's 5 duplicates a week.</summary>
        public bool AllowDuplicate { get; set; }

        /// <summary>The address names must point at; read from the server when null.</summary>
        public string? ExpectedAddress { get; set; }

        /// <summary>The journal store; the user's state folder when null.</summary>
        public JournalStore? Store { get; set; }

        /// <summary>The caller's open journal (Sync holds one): the strategy then records into it and does not save.</summary>
        public AppJournal? Journal { get; set; }

        public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

        /// <summary>
        /// The settings a new certificate would be ordered with (Reset-RunCloudSsl's), so the plan knows whether an install
        /// validates over HTTP-01 or DNS-01 (and through which DNS integration); null: Let's Encrypt over HTTP-01.
        /// </summary>
        public Api.SslInstallRequest? Install { get; set; }

        /// <summary>The app's SSL as the caller already read it in this run (saves a GET); null reads it.</summary>
        public Models.RunCloudSsl? KnownAppSsl { get; set; }

        /// <summary>The app's SSL mode (advanced: one certificate per domain) as the caller already read it; null reads it.</summary>
        public bool? KnownAdvanced { get; set; }

        /// <summary>
        /// Names one certificate may carry: Let's Encrypt's 100, or RUNCLOUD_MAX_NAMES_PER_CERTIFICATE (0 = no limit) for
        /// a CA with another limit, or for tests about something else whose emulator has its limit turned off too.
        /// </summary>
        public int MaxNamesPerCertificate { get; set; } = MaxNamesFromEnvironment();

        public const string MaxNamesVariable = "RUNCLOUD_MAX_NAMES_PER_CERTIFICATE";

        private static int MaxNamesFromEnvironment()
        {
            string? v = Environment.GetEnvironmentVariable(MaxNamesVariable);
            return int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
                ? n
                : SslNames.MaxNamesPerCertificate;
        }

        /// <summary>A copy to plan with (a preflight): what it learns or records never reaches this one.</summary>
        /// <summary>
        /// Ids of domains this run has just created (their POST answered with them): a 404 on such a domain's certificate
        /// means "none yet" without reading the domain again to tell it from a vanished domain.
        /// </summary>
        public ISet<long> JustAdded { get; set; } = new HashSet<long>();

        public SslOptions Clone() => (SslOptions)MemberwiseClone();

        internal DnsReadiness Dns() => new DnsReadiness(Resolver ?? DnsServers?.Resolver(DnsTimeout) ?? new SystemDnsResolver(), DnsTimeout);
    }
}
