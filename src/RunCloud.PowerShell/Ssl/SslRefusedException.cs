using System;
using System.Management.Automation;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>The SSL strategy will not ask for a certificate: too many names, names not DNS-ready, or a Let's Encrypt limit.</summary>
    public sealed class SslRefusedException : RunCloudApiException
    {
        public const string TooManyNames = "RunCloudSslTooManyNames";
        public const string NamesNotReady = "RunCloudSslNamesNotReady";
        public const string LetsEncryptLimit = "RunCloudLetsEncryptLimit";

        internal SslRefusedException(string errorId, string message, string hint, DateTime? possibleAt = null)
            : base(errorId, ErrorCategory.LimitsExceeded, message, hint)
        {
            PossibleAt = possibleAt;
        }

        /// <summary>For a Let's Encrypt limit: the UTC time the order becomes possible.</summary>
        public DateTime? PossibleAt { get; }
    }
}
