using System;
using System.Management.Automation;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// The SSL strategy will not ask for a certificate: too many names, names not DNS-ready, a Let's Encrypt limit, a
    /// wildcard over HTTP-01, or a DNS-01 order without its DNS integration. Nothing was ordered.
    /// </summary>
    public sealed class SslRefusedException : RunCloudApiException
    {
        public const string TooManyNames = "RunCloudSslTooManyNames";
        public const string NamesNotReady = "RunCloudSslNamesNotReady";
        public const string LetsEncryptLimit = "RunCloudLetsEncryptLimit";

        /// <summary>The certificate would have to cover a wildcard over HTTP-01, which Let's Encrypt refuses (the whole order fails).</summary>
        public const string WildcardNeedsDns01 = "RunCloudSslWildcardNeedsDns01";

        /// <summary>A DNS-01 order names a DNS integration that does not exist: RunCloud could not write the TXT record.</summary>
        public const string DnsIntegrationMissing = "RunCloudSslDnsIntegrationMissing";

        internal SslRefusedException(string errorId, string message, string hint, DateTime? possibleAt = null)
            : base(errorId, ErrorCategory.LimitsExceeded, message, hint)
        {
            PossibleAt = possibleAt;
        }

        /// <summary>For a Let's Encrypt limit: the UTC time the order becomes possible.</summary>
        public DateTime? PossibleAt { get; }
    }
}
