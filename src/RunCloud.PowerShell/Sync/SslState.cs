using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>What the SSL step reads of an app before deciding: its certificate and, when none is installed, its SSL mode.</summary>
    internal sealed class SslState
    {
        public SslState(RunCloudSsl ssl, bool? advanced)
        {
            Ssl = ssl;
            Advanced = advanced;
        }

        public RunCloudSsl Ssl { get; }

        /// <summary>Advanced mode (one certificate per domain); null when a certificate is installed (the mode was not read).</summary>
        public bool? Advanced { get; }
    }
}
